// A sweep's verdict follows its capacity: the SLO lines are judged per step and hold when a level
// met them all; `capacity >= N users` / `>= R qpm` gate CI on the capacity found; no level meeting
// the SLOs is FAIL. The capacity lines' diagnostics, the verdict on synthetic steps, the CI outputs,
// and runs against a simulator with 4 slots (capacity 4 users for TTFT p95 < 100ms), in process and
// through the CLI (exit codes, JUnit against the schemas).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sweepExpectations, noCapacityText } from '../../src/core/metrics/sweep-verdict';
import { runVerdict, type ExpectationResult } from '../../src/core/metrics/expectations';
import type { SweepStepFigures, SweepSummary } from '../../src/core/metrics/capacity';
import type { Expectation } from '../../src/core/scenario/plan';
import { junitXml } from '../../src/core/report/junit';
import { markdownSummary } from '../../src/core/report/markdown-summary';
import { ciSummary } from '../helpers/ci-summary';
import { JUNIT_SCHEMAS, validate, xmllintSkip } from '../helpers/xmllint';
import { runCli, tempDir } from '../helpers/cli';
import { sweepRun } from '../helpers/sweep-run';
import { scenarioDiags } from '../helpers/scenario-diags';

function diags(loadLine: string, exp: string): string {
  return scenarioDiags(`target builtin:chat\n${loadLine}\nprompt "p"\n  user hi\nexpect\n  ${exp}\n`, { fixes: true }).diags.join(' | ');
}

const USERS = 'load sweep users 1..16 step x2 each 10s';
const RATE = 'load sweep rate 1/s..16/s step x2 each 10s';

test('capacity lines: users on a users sweep, qpm/rps on a rate sweep; each mistake where it is, the wrong unit with a fix', () => {
  const rows: Array<[string, string, string]> = [
    [USERS, 'capacity >= 8 users', ''],
    [USERS, 'capacity >= 8', ''],
    [RATE, 'capacity >= 300 qpm', ''],
    [RATE, 'capacity >= 5rps', ''],
    [USERS, 'capacity >= 5 rps', '6:15-6:20 error: this sweep is over users, so its capacity is a number of users; write capacity >= 5 users [fix: 5 users]'],
    [RATE, 'capacity >= 8 users', '6:15-6:22 error: this sweep is over a rate, so its capacity is a rate; write capacity >= 8 rps (or in qpm, e.g. 480 qpm) [fix: 8 rps]'],
    ['load users 2 for 10s', 'capacity >= 8 users', "6:3-6:11 error: capacity is what a load sweep finds, and this scenario's load is not a sweep; write e.g. load sweep users 1..64 step x2 each 30s, or remove this line"],
    [USERS, 'capacity', '6:3-6:11 error: expected a comparison after "capacity"; write capacity >= 8 users (a users sweep) or capacity >= 300 qpm (a rate sweep)'],
    [USERS, 'capacity >=', '6:12-6:14 error: expected a value after ">=", e.g. capacity >= 8 users (a users sweep) or capacity >= 300 qpm (a rate sweep)'],
    [USERS, 'capacity => 8 users', '6:12-6:14 error: write ">=" instead of "=>" [fix: >=]'],
    [USERS, 'capacity >= many', '6:15-6:19 error: expected a capacity like 8 users (a users sweep) or 300 qpm (a rate sweep), got "many"'],
    [USERS, 'capacity >= 8 usrs', '6:15-6:21 error: unknown unit "usrs" in "8 usrs"; did you mean "users"?'],
    [USERS, 'capacity p95 >= 8', '6:12-6:15 error: capacity is one figure of the sweep and takes no statistic; write capacity >= 8 users (a users sweep) or capacity >= 300 qpm (a rate sweep)'],
  ];
  assert.deepEqual(
    rows.map(([l, e]) => [e, diags(l, e)]),
    rows.map(([, e, d]) => [e, d]),
  );
  const plan = scenarioDiags(`target builtin:chat\n${RATE}\nprompt "p"\n  user hi\nexpect\n  capacity >= 300 qpm\n`).plan!;
  assert.deepEqual(plan.expectations, [{ text: 'capacity >= 300 qpm', metric: 'capacity', op: '>=', value: 5, line: 5, capacity: 'rate' }]);
});

const TTFT: Expectation = { text: 'ttft p95 < 2s', metric: 'ttft', stat: 'p95', op: '<', value: 2000, line: 5 };
const ERR: Expectation = { text: 'error_rate < 5%', metric: 'error_rate', op: '<', value: 0.05, line: 6 };
const CAP4: Expectation = { text: 'capacity >= 4 users', metric: 'capacity', op: '>=', value: 4, line: 7, capacity: 'users' };
const CAP8: Expectation = { text: 'capacity >= 8 users', metric: 'capacity', op: '>=', value: 8, line: 8, capacity: 'users' };
const ACC: Expectation = { text: 'accuracy >= 90%', metric: 'accuracy', op: '>=', value: 0.9, line: 9 };

function step(level: number, ttftP95: number, errRate = 0): SweepStepFigures {
  const p = (v: number) => ({ p50: v / 2, p90: v, p95: v, p99: v, max: v, mean: v / 2 });
  const slos: ExpectationResult[] = [
    { text: TTFT.text, pass: ttftP95 < 2000, actual: ttftP95, actual_text: ttftP95 >= 1000 ? `${(ttftP95 / 1000).toFixed(2)}s` : `${ttftP95.toFixed(1)}ms` },
    { text: ERR.text, pass: errRate < 0.05, actual: errRate, actual_text: `${(errRate * 100).toFixed(2)}%` },
  ];
  return {
    level, start_s: 0, measured_from_s: 0, end_s: 0, duration_s: 10, requests: 100, ok: 100, failed: 0, error_rate: errRate,
    throughput_rps: level, qpm: level * 60, output_tokens_per_s: level * 10,
    ttft_ms: p(ttftP95), ttfa_ms: p(ttftP95), e2e_ms: p(ttftP95 + 1000), token_rate: p(50), tpot_ms: p(20),
    slos, slo_met: slos.every((s) => s.pass),
  };
}

function summaryOf(steps: SweepStepFigures[], capacity: SweepSummary['capacity'], over: Partial<SweepSummary> = {}): SweepSummary {
  return { over: 'users', planned_steps: 5, steps, capacity, knee: null, saturated_at: null, stopped_by: 'slo', settle_s: 2, slo_not_per_step: [], ...over };
}

test('the verdict follows the capacity: SLO lines hold at the capacity (where they broke shown), capacity lines judged on it, run-wide lines kept', () => {
  const s = summaryOf([step(1, 100), step(2, 300), step(4, 1500), step(8, 2600, 0.08)], { level: 4, step: 2 });
  const list = [TTFT, ERR, CAP4, CAP8, ACC];
  // The whole run (the saturated step included) broke the TTFT and error-rate lines.
  const runWide: ExpectationResult[] = [
    { text: TTFT.text, pass: false, actual: 2500, actual_text: '2.50s' },
    { text: ERR.text, pass: false, actual: 0.06, actual_text: '6.00%' },
    { text: CAP4.text, pass: false, actual: null, actual_text: 'not measured' },
    { text: CAP8.text, pass: false, actual: null, actual_text: 'not measured' },
    { text: ACC.text, pass: true, actual: 0.95, actual_text: '95.00%' },
  ];
  const got = sweepExpectations(list, runWide, s);
  assert.deepEqual(got, [
    { text: 'ttft p95 < 2s', pass: true, actual: 1500, actual_text: '1.50s at the capacity, 4 users; broke at 8 users (2.60s)' },
    { text: 'error_rate < 5%', pass: true, actual: 0, actual_text: '0.00% at the capacity, 4 users; broke at 8 users (8.00%)' },
    { text: 'capacity >= 4 users', pass: true, actual: 4, actual_text: '4 users' },
    { text: 'capacity >= 8 users', pass: false, actual: 4, actual_text: '4 users' },
    { text: 'accuracy >= 90%', pass: true, actual: 0.95, actual_text: '95.00%' },
  ]);
  assert.equal(runVerdict({ ended_by: 'slo', expectations: got }).label, 'FAIL');
  assert.equal(runVerdict({ ended_by: 'slo', expectations: sweepExpectations([TTFT, ERR, CAP4], runWide, s) }).label, 'PASS');
});

test('no level met the SLOs: every SLO line and capacity line fails, saying what broke at the lowest level', () => {
  const s = summaryOf([step(1, 2500)], null);
  assert.equal(noCapacityText(s), 'no level met the SLOs: at 1 user TTFT p95 was 2.50s >= 2s');
  const got = sweepExpectations([TTFT, ERR, CAP4], [], s);
  assert.deepEqual(got.map((e) => [e.pass, e.actual_text]), [
    [false, 'no level met the SLOs: at 1 user TTFT p95 was 2.50s >= 2s'],
    [false, 'no level met the SLOs: at 1 user TTFT p95 was 2.50s >= 2s'],
    [false, 'none (no level met the SLOs: at 1 user TTFT p95 was 2.50s >= 2s)'],
  ]);
  assert.equal(runVerdict({ ended_by: 'slo', expectations: got }).label, 'FAIL');
  // SLOs met but the lowest rate already saturated: still no capacity.
  const r = summaryOf([step(5, 100)], null, { over: 'rate', saturated_at: { level: 5, step: 0, why: 'served 3.00/s of 5/s offered (60%)' } });
  assert.equal(noCapacityText(r), 'no level met the SLOs below saturation: at 5/s served 3.00/s of 5/s offered (60%)');
  assert.equal(noCapacityText(summaryOf([], null)), 'no level was measured (no step finished a request)');
});

test('the CI outputs of a sweep: the capacity line a test case, the per-step SLOs in system-out and a Markdown table; the JUnit file validates', () => {
  const s = summaryOf([step(1, 100), step(2, 300), step(4, 1500), step(8, 2600, 0.08)], { level: 4, step: 2 }, { saturated_at: { level: 8, step: 3, why: 'error rate rose from 0.0% to 8.0%' } });
  const expectations = sweepExpectations([TTFT, CAP8], [], s);
  const ci = ciSummary({ expectations, ended_by: 'slo', sweep: s });
  const xml = junitXml(ci, { runDir: 'r', hostname: 'h' });
  assert.match(xml, /<testsuite name="chat SLOs" tests="2" failures="1" errors="0" /);
  assert.match(xml, /<testcase name="ttft p95 &lt; 2s" classname="chat SLOs" time="0"\/>/);
  assert.match(xml, /<failure type="expectation" message="capacity &gt;= 8 users: actual 4 users, limit &gt;= 8 users">/);
  assert.match(xml, /<property name="sweep" value="capacity: 4 users \(TTFT p95 1\.50s &lt; 2s, error rate 0\.00% &lt; 5%\); stopped at 8 users: ttft p95 &lt; 2s broke \(2\.60s\)/);
  assert.match(xml, /  8 users: 100 requests, 8\.00 req\/s, TTFT p95 2\.60s, SLOs broken: ttft p95 &lt; 2s \(2\.60s\), error_rate &lt; 5% \(8\.00%\) &lt;- saturated/);
  assert.match(xml, /  4 users: 100 requests, 4\.00 req\/s, TTFT p95 1\.50s, SLOs met &lt;- capacity/);
  const skip = xmllintSkip();
  if (!skip) for (const [name, schema] of Object.entries(JUNIT_SCHEMAS)) assert.equal(validate(xml, schema).ok, true, name);
  const md = markdownSummary(ci, { runDir: 'r' });
  assert.match(md, /\| ✗ \| capacity \\>= 8 users \| 4 users \| \\>= 8 users \|/);
  assert.match(md, /\| level \| requests \| req\/s \| TTFT p95 \| SLOs \|  \|/);
  assert.match(md, /\| 4 users \| 100 \| 4\.00 \| 1\.50s \| met \| capacity \|/);
  assert.match(md, /\| 8 users \| 100 \| 8\.00 \| 2\.60s \| broken: ttft p95 \\< 2s \(2\.60s\), error\\_rate \\< 5% \(8\.00%\) \| saturated \|/);
});

test('a users sweep against 4 slots: the SLO breaks above the capacity yet holds; capacity >= 3 passes, capacity >= 8 fails with its value', async () => {
  const { summary } = await sweepRun('load sweep users 1..16 step +1 each 1500ms', ['ttft p95 < 100ms', 'capacity >= 3 users', 'capacity >= 8 users']);
  const s = summary.sweep!;
  assert.equal(summary.verdict_basis, 'capacity');
  assert.ok(s.capacity && Math.abs(s.capacity.level - 4) <= 1, JSON.stringify(s.capacity));
  const last = s.steps[s.steps.length - 1]!;
  assert.equal(last.slo_met, false, 'the step above the capacity broke the SLO');
  const [ttft, cap3, cap8] = summary.expectations;
  assert.equal(ttft!.pass, true);
  assert.match(ttft!.actual_text, new RegExp(`ms at the capacity, ${s.capacity!.level} users; broke at ${last.level} users \\(`));
  assert.deepEqual([cap3!.pass, cap3!.actual], [true, s.capacity!.level]);
  assert.deepEqual([cap8!.pass, cap8!.actual_text], [false, `${s.capacity!.level} users`]);
  assert.equal(runVerdict(summary).text, '1 of 3 expectation(s) failed');
});

test('a sweep whose lowest level breaks the SLO is FAIL: no level met the SLOs, with the value', async () => {
  const { summary } = await sweepRun('load sweep users 1..16 step +1 each 1500ms', ['ttft p95 < 1ms']);
  assert.equal(summary.sweep!.capacity, null);
  assert.equal(summary.sweep!.steps.length, 1);
  const [e] = summary.expectations;
  assert.equal(e!.pass, false);
  assert.match(e!.actual_text, /^no level met the SLOs: at 1 user TTFT p95 was [0-9.]+m?s >= 1ms$/);
  assert.equal(runVerdict(summary).label, 'FAIL');
});

test('llmload run of a sweep that found its capacity exits 0 (PASS) though the step above broke the SLO; the JUnit file shows the capacity case', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'sweep.llmload');
  fs.writeFileSync(
    file,
    [
      'scenario "capacity gate"',
      'target builtin:chat?max_concurrency=4&decode_tokens_per_s=100&answer_tokens=30&jitter=0.2&overhead_ms=5&batch_slowdown=0&keepalive_interval_ms=0',
      'load sweep users 2..16 step x2 each 1500ms',
      'seed 7',
      'prompt "p"',
      '  user Say hi',
      'expect',
      '  ttft p95 < 100ms',
      '  capacity >= 2 users',
      '',
    ].join('\n'),
  );
  const r = await runCli(['run', file, '--out', 'out', '--junit', 'junit.xml', '--quiet'], dir);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8'));
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${JSON.stringify(summary.sweep?.steps?.map((x: SweepStepFigures) => [x.level, x.ttft_ms.p95]))}`);
  assert.equal(summary.verdict_basis, 'capacity');
  assert.ok(summary.sweep.steps.some((x: SweepStepFigures) => !x.slo_met), 'a step broke the SLO');
  assert.match(r.stdout, /verdict: PASS, all 2 expectations hold/);
  assert.match(r.stdout, /capacity: 4 users/);
  const xml = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8');
  assert.match(xml, /<testcase name="capacity &gt;= 2 users" classname="capacity gate" time="0"\/>/);
  const skip = xmllintSkip();
  if (!skip) for (const [name, schema] of Object.entries(JUNIT_SCHEMAS)) assert.equal(validate(xml, schema).ok, true, name);
});
