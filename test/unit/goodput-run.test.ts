/**
 * Goodput (issue 18, done-when): a scenario with a goodput line runs against the built-in simulator
 * over loopback; the test counts the good requests by hand from requests.jsonl and finds the same
 * figures in summary.json, and the goodput expectations judged on them. Also the counting rules
 * on hand-made records: tpot, figures a record cannot answer, failed requests in the share.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { startRun } from '../../src/core/run/runner';
import { GoodputCounter, goodputFigureOf } from '../../src/core/metrics/goodput';
import type { RequestRecord } from '../../src/core/metrics/record';
import type { Summary } from '../../src/core/metrics/summary';
import { compareRunFolders } from '../../src/core/compare/runs';
import { compareSummaries } from '../../src/core/compare/compare';
import { summaryText } from '../../src/cli/format';
import { junitXml } from '../../src/core/report/junit';
import { markdownSummary } from '../../src/core/report/markdown-summary';
import { okRecord } from '../helpers/records';

const rec = (over: Partial<RequestRecord>): RequestRecord => okRecord({ e2e_ms: 1100, output_tokens: 51, ...over });

let runDir = '';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-goodput-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Answers of 24..96 tokens at 400 tokens/s; 15% of requests fail with a 500 and 25% get 1.5 s more
// prefill, so some requests are good, some slow, some short and some failed.
const SCENARIO = `scenario "goodput"
target builtin:chat?overhead_ms=20&decode_tokens_per_s=400&fault.http_500=0.15&fault.slow_ttft=0.25&slow_ttft_ms=1500
model sim-chat
seed 7
load users 8 for 20s
stop after 60 requests
prompt "q"
  user Say a few words about load tests.
  max_tokens 96
expect
  goodput ttft < 1s and tpot < 50ms and output_tokens >= 50
  goodput requests >= 1
  goodput share >= 99%
`;

test('summary.goodput equals a hand count over requests.jsonl of a run against the simulator', async (t) => {
  const parsed = parseScenario(SCENARIO, path.join(tmp, 'goodput.llmload'));
  const resolved = resolvePlan(parsed.tree, { file: path.join(tmp, 'goodput.llmload'), env: {} });
  assert.deepEqual([...parsed.diagnostics, ...resolved.diagnostics].filter((d) => d.severity === 'error'), []);
  const plan = resolved.plan!;
  const r = await (await startRun(plan, { outDir: path.join(tmp, 'run') })).done;
  assert.equal(r.error, undefined);
  runDir = r.dir;

  const summary = JSON.parse(fs.readFileSync(path.join(r.dir, 'summary.json'), 'utf8')) as Summary;
  const records = fs
    .readFileSync(path.join(r.dir, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RequestRecord);

  // By hand: the counted requests are the summary's finished ones; good = ok and every condition.
  const counted = records.filter((x) => !x.warmup && x.error?.kind !== 'cancelled');
  const good = counted.filter((x) => {
    if (x.status !== 'ok' || x.ttft_ms === null || x.output_tokens < 2) return false;
    const tpot = (x.e2e_ms - x.ttft_ms) / (x.output_tokens - 1);
    return x.ttft_ms < 1000 && tpot < 50 && x.output_tokens >= 50;
  });
  const failed = counted.filter((x) => x.status !== 'ok').length;
  const okButNotGood = counted.length - failed - good.length;
  t.diagnostic(`${counted.length} requests: ${good.length} good, ${okButNotGood} ok but not good, ${failed} failed`);
  // The run has every kind of request, so the count is not trivially all or nothing.
  assert.ok(good.length > 0, `good ${good.length}`);
  assert.ok(failed > 0, `failed ${failed}`);
  assert.ok(okButNotGood > 0, `ok but not good ${okButNotGood}`);

  const g = summary.goodput!;
  assert.equal(g.conditions, 'ttft < 1s and tpot < 50ms and output_tokens >= 50');
  assert.equal(g.requests, good.length);
  assert.equal(g.of, counted.length);
  assert.equal(g.of, summary.requests.ok + summary.requests.failed);
  assert.equal(g.share, good.length / counted.length);
  assert.ok(Math.abs(g.rps - good.length / summary.duration_s) < 1e-9);
  const goodTokens = good.reduce((t, x) => t + x.output_tokens, 0);
  assert.ok(Math.abs(g.tokens_per_s - goodTokens / summary.duration_s) < 1e-6);

  // The expectations read the same figures: requests >= 1 holds; share >= 99% cannot with failures.
  assert.deepEqual(
    summary.expectations.map((e) => [e.text, e.pass, e.actual]),
    [
      ['goodput requests >= 1', true, good.length],
      ['goodput share >= 99%', false, g.share],
    ],
  );
  assert.equal(summary.expectations[1]!.actual_text, `${((good.length / counted.length) * 100).toFixed(2)}%`);

  // The CLI summary, the JUnit file and the Markdown job summary read the same expectations and figures.
  const share = `${((good.length / counted.length) * 100).toFixed(2)}%`;
  assert.match(summaryText(summary, r.dir), new RegExp(`\n  goodput ${good.length} of ${counted.length} \\(${((good.length / counted.length) * 100).toFixed(1)}%\\) met ttft < 1s and tpot < 50ms and output_tokens >= 50 · `));
  const xml = junitXml(summary, { runDir: r.dir });
  assert.match(xml, /<testcase [^>]*name="goodput requests &gt;= 1"[^>]*\/>/);
  assert.match(xml, /<testcase [^>]*name="goodput share &gt;= 99%"[^>]*>\s*<failure [^>]*message="[^"]*/);
  assert.ok(xml.includes(share), 'the failed case carries its actual share');
  const md = markdownSummary(summary, { runDir: r.dir });
  assert.ok(md.includes('| ✗ | goodput share \\>= 99% | ' + share + ' |'), md);
  assert.ok(md.includes(`| ${good.length} of ${counted.length} (${((good.length / counted.length) * 100).toFixed(1)}%) · `), md);
});

test('tpot is (e2e − ttft) / (output_tokens − 1); a figure the record lacks fails its condition', () => {
  assert.equal(goodputFigureOf(rec({}), 'tpot'), 20);
  assert.equal(goodputFigureOf(rec({ output_tokens: 1 }), 'tpot'), null);
  assert.equal(goodputFigureOf(rec({ ttft_ms: null }), 'tpot'), null);
  const c = new GoodputCounter({ text: 'tpot < 25ms', conditions: [{ figure: 'tpot', op: '<', value: 25 }] });
  c.add(rec({}));
  c.add(rec({ e2e_ms: 1600 })); // tpot 30 ms
  c.add(rec({ output_tokens: 1 })); // no tpot: not good
  assert.equal(c.good, 1);
  assert.equal(c.finished, 3);
});

test('failed requests count in the share (DistServe); warmup and cancelled ones do not', () => {
  const c = new GoodputCounter({ text: 'ttft < 1s', conditions: [{ figure: 'ttft', op: '<', value: 1000 }] });
  c.add(rec({ output_tokens: 40 }));
  c.add(rec({ ttft_ms: 1000 })); // not below 1 s
  c.add(rec({ status: 'error', error: { kind: 'http_5xx', message: '500' }, ttft_ms: null }));
  c.add(rec({ ttft_ms: 50, status: 'error', error: { kind: 'disconnect', message: 'cut' } })); // fast but failed
  c.add(rec({ warmup: true }));
  c.add(rec({ status: 'error', error: { kind: 'cancelled', message: 'stopped' } }));
  const s = c.summary(2);
  assert.deepEqual(s, { conditions: 'ttft < 1s', checks: [{ figure: 'ttft', op: '<', value: 1000 }], requests: 1, of: 4, rps: 0.5, tokens_per_s: 20, share: 0.25 });
  assert.equal(new GoodputCounter({ text: 'ttft < 1s', conditions: [] }).summary(1).share, null);
});

test('compare: goodput rows with intervals from the 0/1 good outcomes; runs with other goodput lines are not judged', () => {
  assert.ok(runDir, 'the run above');
  const c = compareRunFolders(runDir, runDir);
  const rows = c.rows.filter((r) => r.metric.startsWith('goodput_'));
  const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as Summary;
  assert.deepEqual(
    rows.map((r) => [r.label, r.a, r.b, r.verdict, r.judged_by, r.interval?.method, r.interval?.point]),
    [
      ['goodput rps', summary.goodput!.rps, summary.goodput!.rps, 'same', 'interval', 'poisson', 0],
      ['goodput share', summary.goodput!.share, summary.goodput!.share, 'same', 'interval', 'proportion', 0],
    ],
  );
  assert.equal(rows[0]!.name, 'Goodput, requests per second');
  const other = { ...summary, goodput: { ...summary.goodput!, conditions: 'ttft < 2s', share: 0.1 } };
  const d = compareSummaries(summary, other).rows.filter((r) => r.metric.startsWith('goodput_'));
  assert.deepEqual(
    d.map((r) => [r.verdict, r.note]),
    [
      ['n/a', 'the runs define goodput differently (A: ttft < 1s and tpot < 50ms and output_tokens >= 50; B: ttft < 2s)'],
      ['n/a', 'the runs define goodput differently (A: ttft < 1s and tpot < 50ms and output_tokens >= 50; B: ttft < 2s)'],
    ],
  );
  const { goodput: _, ...without } = summary;
  assert.deepEqual(compareSummaries(without as Summary, without as Summary).rows.filter((r) => r.metric.startsWith('goodput_')), []);
});
