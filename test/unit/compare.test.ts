import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunAggregator } from '../../src/core/metrics/aggregate';
import type { RequestRecord } from '../../src/core/metrics/record';
import { buildSummary, type Summary } from '../../src/core/metrics/summary';
import { compareSummaries, compareValues } from '../../src/core/compare/compare';
import { evaluateGate, parseGate, type Gate } from '../../src/core/compare/gates';
import { runCompare } from '../../src/cli/compare';
import { plan } from '../helpers/plans';

function rec(id: number, ttft: number, rate: number, over: Partial<RequestRecord> = {}): RequestRecord {
  return { id, prompt: 'p', user: 0, start_ms: 0, offset_ms: id * 10, status: 'ok', http_status: 200, ttft_ms: ttft, ttfa_ms: ttft + 100, thinking_ms: 100, e2e_ms: ttft + 500, input_tokens: 10, output_tokens: 50, output_tokens_source: 'server', thinking_tokens: 10, thinking_tokens_source: 'server', token_rate: rate, finish_reason: 'stop', packets: {}, ...over };
}

/** A summary of 100 requests with TTFT 1..100 ms × `scale` and token rate 50 × `rateScale`. */
function summary(scale: number, rateScale = 1, failures = 0): Summary {
  const agg = new RunAggregator();
  for (let i = 1; i <= 100; i++) agg.add(rec(i, i * scale, 50 * rateScale));
  for (let i = 0; i < failures; i++) agg.add(rec(1000 + i, 0, 0, { status: 'error', ttft_ms: null, ttfa_ms: null, token_rate: null, error: { kind: 'http_5xx', message: 'x' } }));
  return buildSummary(plan(), agg, { started_at: '2026-11-28T00:00:00Z', duration_s: 10, ended_by: 'completed', target: 'builtin:reasoning' });
}

function gate(text: string): Gate {
  const g = parseGate(text);
  if ('error' in g) throw new Error(g.error);
  return g;
}

test('deltas: absolute and relative, with a verdict that knows which direction is good', () => {
  assert.deepEqual(compareValues(100, 120, 'lower'), { abs: 20, rel: 0.2, verdict: 'worse' });
  assert.deepEqual(compareValues(100, 80, 'lower'), { abs: -20, rel: -0.2, verdict: 'better' });
  assert.deepEqual(compareValues(50, 60, 'higher'), { abs: 10, rel: 0.2, verdict: 'better' });
  assert.equal(compareValues(100, 100.5, 'lower').verdict, 'same');
  assert.deepEqual(compareValues(null, 3, 'lower'), { abs: null, rel: null, verdict: 'n/a' });
  assert.deepEqual(compareValues(0, 3, 'lower'), { abs: 3, rel: null, verdict: 'worse' });
});

test('percentile deltas come from the runs histograms', () => {
  const a = summary(1);
  const b = summary(1.5, 0.8);
  const cmp = compareSummaries(a, b);
  const p95 = cmp.rows.find((r) => r.label === 'ttft p95')!;
  assert.ok(Math.abs(p95.a! - 95) < 0.1, String(p95.a));
  assert.ok(Math.abs(p95.b! - 142.5) < 0.2, String(p95.b));
  assert.ok(Math.abs(p95.rel! - 0.5) < 0.005);
  assert.equal(p95.verdict, 'worse');
  const rate = cmp.rows.find((r) => r.label === 'token_rate p50')!;
  assert.equal(rate.verdict, 'worse');
  assert.ok(Math.abs(rate.rel! + 0.2) < 0.005);
  // Without histograms the stated percentiles are used.
  const bare = { ...b, histograms: {} } as unknown as Summary;
  assert.equal(compareSummaries(a, bare).rows.find((r) => r.label === 'ttft p95')!.b, b.ttft_ms.p95);
  assert.deepEqual(
    cmp.rows.filter((r) => r.stat === '').map((r) => r.metric),
    ['qpm', 'rps', 'output_tokens_per_s', 'success_rate'],
  );
});

test('token buckets present in both runs are compared bucket by bucket', () => {
  const a = { ...summary(1), buckets: [{ label: 'small', count: 10, qpm: 60, ttft_ms: { p50: 10, p90: 20, p95: 30, p99: 40, max: 50, mean: 15 } }, { label: 'only-a', count: 1 }] } as unknown as Summary;
  const b = { ...summary(1), buckets: [{ label: 'small', count: 10, qpm: 30, ttft_ms: { p50: 20, p90: 20, p95: 60, p99: 40, max: 50, mean: 15 } }] } as unknown as Summary;
  const cmp = compareSummaries(a, b);
  assert.deepEqual(cmp.buckets.map((x) => x.bucket), ['small']);
  const rows = cmp.buckets[0]!.rows;
  assert.equal(rows.find((r) => r.label === 'qpm')!.verdict, 'worse');
  assert.equal(rows.find((r) => r.label === 'ttft p95')!.rel, 1);
});

test('gates parse, and bad gates get a clear message', () => {
  assert.deepEqual(gate('ttft p95 +10%'), { text: 'ttft p95 +10%', metric: 'ttft_ms', stat: 'p95', sign: 1, amount: 10, relative: true });
  assert.deepEqual(gate('token rate -5%'), { text: 'token rate -5%', metric: 'token_rate', stat: 'p50', sign: -1, amount: 5, relative: true });
  assert.equal(gate('e2e p99 +1.5s').amount, 1500);
  assert.equal(gate('e2e +200ms').stat, 'p95');
  assert.equal(gate('qpm -3%').stat, '');
  for (const [bad, msg] of [
    ['ttft p95 10%', /write it as/],
    ['latte p95 +10%', /unknown figure "latte"/],
    ['qpm p95 -3%', /no percentiles/],
    ['token_rate +5ms', /timings only/],
    ['', /write it as/],
  ] as const) {
    const r = parseGate(bad);
    assert.ok('error' in r, bad);
    assert.match(r.error, msg);
  }
});

test('a gate is crossed only beyond its amount, in its direction; an unmeasured figure crosses', () => {
  const a = summary(1);
  const cmp = compareSummaries(a, summary(1.05));
  assert.equal(evaluateGate(gate('ttft p95 +10%'), cmp).crossed, false);
  assert.equal(evaluateGate(gate('ttft p95 +3%'), cmp).crossed, true);
  assert.equal(evaluateGate(gate('ttft p95 +3ms'), cmp).crossed, true);
  assert.equal(evaluateGate(gate('ttft p95 +10ms'), cmp).crossed, false);
  assert.equal(evaluateGate(gate('ttft p95 -3%'), cmp).crossed, false, 'a slower TTFT does not cross a decrease gate');
  assert.equal(evaluateGate(gate('token_rate -1%'), compareSummaries(a, summary(1, 0.9))).crossed, true);
  assert.equal(evaluateGate(gate('token_rate -1%'), compareSummaries(a, summary(1, 1.5))).crossed, false);
  const none = { ...a, histograms: {}, ttfa_ms: { p50: null, p90: null, p95: null, p99: null, max: null, mean: null } } as unknown as Summary;
  const r = evaluateGate(gate('ttfa p95 +10%'), compareSummaries(a, none));
  assert.equal(r.crossed, true);
  assert.match(r.reason, /not measured/);
});

function runFolder(s: Summary): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-cmp-'));
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(s));
  return dir;
}

test('llmload compare prints the table and exits 1 when a gate is crossed, 0 when all hold, 2 on bad input', async () => {
  const a = runFolder(summary(1));
  const b = runFolder(summary(1.5));
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
  };
  const x = io();
  assert.equal(await runCompare([a, b, '--fail-if', 'ttft p95 +10%', '--fail-if', 'token rate -5%'], x.io), 1);
  const text = x.out.join('\n');
  assert.match(text, /ttft p95\s+95\.\dms\s+14\dms\s+\+4\d\.\dms\s+\+50\.\d%\s+worse/);
  assert.match(text, /FAIL\s+ttft p95 \+10%/);
  assert.match(text, /PASS\s+token rate -5%/);
  assert.match(x.err.join('\n'), /1 gate\(s\) crossed: ttft p95 \+10%/);
  const y = io();
  assert.equal(await runCompare([a, b, '--fail-if', 'ttft p95 +60%'], y.io), 0);
  const j = io();
  assert.equal(await runCompare([a, b, '--json'], j.io), 0);
  assert.equal(JSON.parse(j.out.join('\n')).rows.length > 10, true);
  const bad = io();
  assert.equal(await runCompare([a, b, '--fail-if', 'ttft p95 lots'], bad.io), 2);
  assert.match(bad.err[0]!, /cannot read the gate/);
  const one = io();
  assert.equal(await runCompare([a], one.io), 2);
  const missing = io();
  assert.equal(await runCompare([a, path.join(b, 'nope')], missing.io), 2);
  assert.match(missing.err[0]!, /no such run folder/);
  const running = io();
  const half = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-cmp-'));
  fs.writeFileSync(path.join(half, 'plan.json'), '{}');
  assert.equal(await runCompare([a, half], running.io), 2);
  assert.match(running.err[0]!, /no summary\.json/);
});
