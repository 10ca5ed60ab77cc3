// Compare on real runs against the built-in simulator over loopback (issue 18, "honest
// comparison"): two runs of the same scenario on the same profile, with fixed seeds, compare as
// "no significant change" in most repeats; a profile twice as slow compares as "worse" with
// intervals that exclude zero, in the JSON, the CLI table and the HTML report's Compare tab, and in its goodput
// rows against a goodput line only the fast profile meets; a run
// without requests.jsonl falls back to the noise band and says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRun } from '../../src/core/run/runner';
import { compareRunFolders } from '../../src/core/compare/runs';
import type { Comparison } from '../../src/core/compare/compare';
import { runCompare } from '../../src/cli/compare';
import { runReport } from '../../src/cli/report';
import { plan } from '../helpers/plans';
import type { RunPlan } from '../../src/core/scenario/plan';
import type { Summary } from '../../src/core/metrics/summary';
import { buildWebviewBundle, openBrowser, type Browser } from '../vscode/panel/fixtures';

declare const document: any;

// Simulated time well above this shared machine's scheduling delays: 300 ms to the first token,
// then 6 tokens at 40/s; twice as slow is 600 ms and 20/s.
const PROFILE = 'chat?overhead_ms=300&decode_tokens_per_s=40';
const SLOW = 'chat?overhead_ms=600&decode_tokens_per_s=20';
const PAIRS = 10;

let tmp: string;

async function run(name: string, seed: number, profile = PROFILE, over: Partial<RunPlan> = {}): Promise<string> {
  const p = plan({
    target: { kind: 'builtin', profile },
    model: 'sim-chat',
    seed,
    // 80 requests however busy the machine is (at most 8 s): about 2.5 s when it is not.
    load: { kind: 'users', users: 16, duration_ms: 8000 },
    stop: { after_requests: 80 },
    prompts: [{ name: 'q', weight: 1, messages: [{ role: 'user', content: 'Say a few words about load tests.' }], params: { max_tokens: 6 } }],
    ...over,
  });
  const r = await (await startRun(p, { outDir: path.join(tmp, name) })).done;
  assert.equal(r.error, undefined);
  return r.dir;
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
}

const flagged = (c: Comparison) => c.rows.filter((r) => r.judged_by === 'interval' && (r.verdict === 'better' || r.verdict === 'worse')).map((r) => `${r.label} ${r.verdict}`);

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-cmp-sim-'));
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let sameA = '';
let baseA = '';
let slowB = '';

test(`two runs of the same scenario on the same profile: "no significant change" in at least 8 of ${PAIRS} seeded pairs`, async (t) => {
  const verdicts: string[] = [];
  for (let i = 0; i < PAIRS; i++) {
    // A and B of a pair run side by side, so both meet the same machine.
    const [a, b] = await Promise.all([run(`same-a${i}`, 100 + i), run(`same-b${i}`, 200 + i)]);
    if (i === 0) sameA = a;
    const c = compareRunFolders(a, b);
    assert.equal(c.stats?.judged_by, 'interval');
    assert.ok(c.stats!.family >= 10, `intervals on ${c.stats!.family} figures`);
    assert.ok(c.a.requests >= 30 && c.b.requests >= 30, `${c.a.requests} and ${c.b.requests} requests`);
    assert.deepEqual(c.differences, [], 'same set-up');
    verdicts.push(`${c.stats!.overall}${flagged(c).length ? ` (${flagged(c).join(', ')})` : ''}`);
  }
  const same = verdicts.filter((v) => v === 'same').length;
  t.diagnostic(`no significant change in ${same}/${PAIRS}: ${verdicts.join(' | ')}`);
  assert.ok(same >= 8, `no significant change in ${same}/${PAIRS}: ${verdicts.join(' | ')}`);
});

test('a profile twice as slow compares as worse, with intervals that exclude zero (JSON and CLI table)', async () => {
  // Side by side again, so the machine's delays add to both alike.
  [baseA, slowB] = await Promise.all([run('base-a', 300), run('slow-b', 301, SLOW)]);
  const c = compareRunFolders(baseA, slowB);
  assert.equal(c.stats?.overall, 'worse');
  assert.deepEqual(
    c.differences!.map((d) => d.what),
    ['target'],
    'the profiles differ',
  );
  for (const label of ['ttft p50', 'ttft mean', 'e2e p50', 'e2e mean', 'itl mean']) {
    const r = c.rows.find((x) => x.label === label)!;
    assert.equal(r.verdict, 'worse', label);
    assert.ok(r.interval!.lo > 0, `${label}: ${JSON.stringify(r.interval)}`);
    // Twice as slow is +100%: the interval sits around it (generous bounds for a busy machine).
    assert.ok(r.interval!.rel_point! > 0.4 && r.interval!.rel_point! < 1.6, `${label}: ${r.interval!.rel_point}`);
  }
  const rate = c.rows.find((x) => x.label === 'token_rate p50')!;
  assert.equal(rate.verdict, 'worse');
  assert.ok(rate.interval!.hi < 0);
  // The JSON output carries each interval and verdict.
  const j = io();
  assert.equal(await runCompare([baseA, slowB, '--json', '--min-effect', '10%'], j.io), 0);
  const json = JSON.parse(j.out.join('\n')) as Comparison;
  assert.equal(json.stats!.min_effect, 0.1);
  const ttft = json.rows.find((r) => r.label === 'ttft p50')!;
  assert.equal(ttft.verdict, 'worse');
  assert.equal(ttft.judged_by, 'interval');
  assert.ok(ttft.interval!.lo > 0 && ttft.interval!.hi >= ttft.interval!.lo);
  assert.equal(ttft.interval!.method, 'bootstrap');
  // The table: an interval column and the verdict in words.
  const t = io();
  assert.equal(await runCompare([baseA, slowB], t.io), 0);
  const text = t.out.join('\n');
  assert.match(text, /verdict: B is worse \(\d+ better, \d+ worse/);
  assert.match(text, /differs: target: A builtin:chat\?overhead_ms=300&decode_tokens_per_s=40 {2}B builtin:chat\?overhead_ms=600/);
  assert.match(text, /95% interval/);
  assert.match(text, /\nttft p50 .*\+\d+\.\d% … \+\d+\.\d%\s+worse\n/);
  assert.match(text, /\nttft max .*not tested\n/);
  const bad = io();
  assert.equal(await runCompare([baseA, slowB, '--min-effect', 'lots'], bad.io), 2);
  assert.match(bad.err[0]!, /--min-effect takes a percentage/);
});

test('runs without requests.jsonl, or whose summary.json does not match it, keep the noise-band rule, and say so', async () => {
  const strip = (dir: string, name: string) => {
    const to = path.join(tmp, name);
    fs.mkdirSync(to);
    for (const f of ['summary.json', 'plan.json']) fs.copyFileSync(path.join(dir, f), path.join(to, f));
    return to;
  };
  const a = strip(sameA, 'old-a');
  const c = compareRunFolders(a, slowB);
  assert.equal(c.stats?.judged_by, 'noise');
  assert.match(c.stats!.note, /run A has no requests\.jsonl/);
  const r = c.rows.find((x) => x.label === 'ttft p50')!;
  assert.equal(r.interval, undefined);
  assert.equal(r.judged_by, 'noise');
  assert.equal(r.verdict, 'worse', 'a doubling is far outside the noise band');
  // A summary.json edited by hand (TTFT halved) no longer describes its requests.jsonl: no intervals either.
  const edited = path.join(tmp, 'edited-b');
  fs.cpSync(slowB, edited, { recursive: true });
  const sum = JSON.parse(fs.readFileSync(path.join(edited, 'summary.json'), 'utf8'));
  sum.histograms = {};
  for (const k of ['p50', 'p90', 'p95', 'p99', 'max', 'mean']) sum.ttft_ms[k] /= 2;
  fs.writeFileSync(path.join(edited, 'summary.json'), JSON.stringify(sum));
  const e = compareRunFolders(baseA, edited);
  assert.equal(e.stats?.judged_by, 'noise');
  assert.match(e.stats!.note, /the summary\.json of run B does not describe its requests\.jsonl/);
  assert.equal(compareRunFolders(baseA, slowB).stats?.judged_by, 'interval', 'the unedited copy still gets intervals');
  const t = io();
  assert.equal(await runCompare([a, strip(slowB, 'old-b')], t.io), 0);
  assert.match(t.out.join('\n'), /method: runs A and B have no requests\.jsonl \(a summary-only or older run\): no intervals/);
});

test('the HTML report made with --compare shows the intervals, the verdict words and the overall verdict', async () => {
  await buildWebviewBundle();
  const file = path.join(tmp, 'report.html');
  const x = io();
  assert.equal(await runReport([slowB, '--html', file, '--compare', baseA], x.io), 0, x.err.join('\n'));
  let browser: Browser | undefined;
  try {
    browser = await openBrowser();
    const { page, errors } = browser;
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('[data-card="requests"]');
    await page.click('vscode-tab-header[data-tab="compare"]');
    await page.waitForSelector('vscode-table[data-table="compare"] vscode-table-row');
    assert.equal(await page.locator('.compare-overall').getAttribute('data-overall'), 'worse');
    assert.match((await page.locator('.compare-overall').textContent()) ?? '', /^B is worse \(\d+ better, \d+ worse/);
    assert.match((await page.locator('.stats-note').textContent()) ?? '', /^Method: each change has a confidence interval/);
    const cells = page.locator('vscode-table-row[data-figure="ttft p50"] vscode-table-cell');
    assert.match((await cells.nth(5).textContent()) ?? '', /^\+\d+\.\d% … \+\d+\.\d%$/);
    assert.equal(((await cells.nth(6).textContent()) ?? '').trim(), 'worse');
    const verdicts = await page.$$eval('vscode-table[data-table="compare"] vscode-table-cell[data-column="verdict"]', (cs) => cs.map((c) => (c.textContent ?? '').trim()));
    assert.ok(verdicts.includes('not tested'), verdicts.join(' | '));
    assert.equal(await page.evaluate(() => document.querySelectorAll('[data-column="interval"]').length > 5), true);
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close();
  }
});

// Goodput (issue 18): the slow profile cannot meet a goodput line the fast one meets.
// Between the two: the fast profile meets it, the slow one cannot (TTFT ~600 ms, TPOT ~50 ms).
const GOODPUT = { text: 'ttft < 450ms and tpot < 37ms', conditions: [{ figure: 'ttft' as const, op: '<' as const, value: 450 }, { figure: 'tpot' as const, op: '<' as const, value: 37 }] };

const goodput = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary).goodput!;

const GOODPUT_REPEATS = 3;

test(`a profile twice as slow compares goodput as worse, each interval excluding zero, in each of ${GOODPUT_REPEATS} seeded repeats; the same profile as no significant change in most`, async (t) => {
  let same = 0;
  for (let i = 0; i < GOODPUT_REPEATS; i++) {
    // Side by side, so all three runs meet the same machine.
    const [a, slow, twin] = await Promise.all([run(`gp-a${i}`, 500 + i, PROFILE, { goodput: GOODPUT }), run(`gp-slow${i}`, 600 + i, SLOW, { goodput: GOODPUT }), run(`gp-twin${i}`, 700 + i, PROFILE, { goodput: GOODPUT })]);
    t.diagnostic(`goodput A ${goodput(a).requests}/${goodput(a).of}, slow ${goodput(slow).requests}/${goodput(slow).of}, same profile ${goodput(twin).requests}/${goodput(twin).of}`);
    const c = compareRunFolders(a, slow);
    assert.equal(c.stats?.judged_by, 'interval');
    const rows = c.rows.filter((r) => r.metric.startsWith('goodput_'));
    assert.deepEqual(rows.map((r) => r.label), ['goodput rps', 'goodput share']);
    for (const r of rows) {
      assert.equal(r.judged_by, 'interval', r.label);
      assert.equal(r.verdict, 'worse', `${r.label}: ${JSON.stringify(r)}`);
      assert.ok(r.interval!.hi < 0, `${r.label}: ${JSON.stringify(r.interval)}`);
      assert.ok(r.b! < r.a!, r.label);
    }
    assert.equal(rows[0]!.interval!.method, 'poisson');
    assert.equal(rows[1]!.interval!.method, 'proportion');
    // A share's change lies in −1..1 (−100..+100 points): its interval too.
    assert.ok(rows[1]!.interval!.lo >= -1 && rows[1]!.interval!.hi <= 1, JSON.stringify(rows[1]!.interval));
    const s = compareRunFolders(a, twin).rows.filter((x) => x.metric.startsWith('goodput_'));
    assert.ok(s.every((r) => r.judged_by === 'interval'));
    if (s.every((r) => r.verdict === 'same')) same++;
  }
  assert.ok(same >= GOODPUT_REPEATS - 1, `the same profile compared as no significant change in ${same} of ${GOODPUT_REPEATS}`);
});
