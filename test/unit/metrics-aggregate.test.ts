import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunAggregator } from '../../src/core/metrics/aggregate';
import { Hist } from '../../src/core/metrics/histogram';
import { evaluateExpectations } from '../../src/core/metrics/expectations';
import type { RequestRecord } from '../../src/core/metrics/record';
import { createRng } from '../../src/core/sim/random';
import { okRecord } from '../helpers/records';

const rec = okRecord;

test('histograms of several threads merged through their encoding equal one histogram fed every sample', () => {
  const rng = createRng(7);
  const all = new Hist();
  const parts = [new Hist(), new Hist(), new Hist()];
  for (let i = 0; i < 30_000; i++) {
    const v = 1 + rng.next() * 5000;
    all.record(v);
    parts[i % 3]!.record(v);
  }
  const merged = new Hist();
  for (const p of parts) merged.add(Hist.decode(p.encode()));
  assert.equal(merged.count, all.count);
  for (const s of ['p50', 'p90', 'p99', 'p99.9', 'max', 'mean']) assert.equal(merged.stat(s), all.stat(s), s);
});

test('histogram percentiles keep three significant digits', () => {
  const h = new Hist();
  for (let i = 1; i <= 1000; i++) h.record(i);
  assert.ok(Math.abs(h.stat('p50')! - 500) <= 0.5);
  assert.ok(Math.abs(h.stat('p99')! - 990) <= 1);
  assert.ok(Math.abs(h.stat('max')! - 1000) <= 1);
});

test('aggregates count ok, failed and error kinds; cancelled and warmup requests stay out of the figures', () => {
  const a = new RunAggregator();
  a.add(rec({ ttft_ms: 100 }));
  a.add(rec({ ttft_ms: 300, offset_ms: 1200 }));
  a.add(rec({ status: 'error', error: { kind: 'http_5xx', message: 'HTTP 500' }, ttft_ms: null, http_status: 500 }));
  a.add(rec({ status: 'error', error: { kind: 'cancelled', message: 'stopped' }, ttft_ms: null }));
  a.add(rec({ warmup: true, ttft_ms: 99_999 }));
  assert.deepEqual(
    { total: a.totals.total, ok: a.totals.ok, failed: a.totals.failed, cancelled: a.totals.cancelled, warmup: a.totals.warmup },
    { total: 4, ok: 2, failed: 1, cancelled: 1, warmup: 1 },
  );
  assert.deepEqual(a.errors, { http_5xx: 1 });
  assert.equal(a.successRate(), 2 / 3);
  assert.ok(a.percentiles('ttft_ms').max! < 301);
  assert.equal(a.totals.output_tokens, 40);
});

test('the per-second series puts completions in the second they ended and fills gaps', () => {
  const a = new RunAggregator();
  a.add(rec({ offset_ms: 0, e2e_ms: 500 }));
  a.add(rec({ offset_ms: 100, e2e_ms: 2600, ttft_ms: 700 }));
  a.sample(2500, 4, 3);
  const s = a.series();
  assert.deepEqual(s.map((r) => r.t), [0, 1, 2]);
  assert.deepEqual(s.map((r) => r.completed), [1, 0, 1]);
  assert.deepEqual(s.map((r) => r.sent), [2, 0, 0]);
  assert.equal(s[2]!.qpm, 60);
  assert.equal(s[2]!.active_users, 4);
  assert.ok(Math.abs(s[2]!.ttft_p50! - 700) < 1);
  assert.equal(s[1]!.ttft_p50, null);
});

test('the series stays complete when old seconds are finalized', () => {
  const a = new RunAggregator();
  for (let t = 0; t < 100; t++) a.add(rec({ offset_ms: t * 1000, e2e_ms: 10 }));
  // a long request that started at 5 s ends at 99.5 s, after second 5 was finalized
  a.add(rec({ offset_ms: 5000, e2e_ms: 94_500 }));
  const s = a.series();
  assert.equal(s.length, 100);
  assert.equal(s[5]!.sent, 2);
  assert.equal(s[99]!.completed, 2);
  assert.equal(s.reduce((n, r) => n + r.completed, 0), 101);
});

test('expectations compare the right figure in base units', () => {
  const pct = { p50: 100, p90: 200, p95: 2500, p99: 4000, max: 5000, mean: 300 };
  const r = evaluateExpectations(
    [
      { text: 'ttft p95 < 3s', metric: 'ttft', stat: 'p95', op: '<', value: 3000, line: 1 },
      { text: 'ttft p99 < 3s', metric: 'ttft', stat: 'p99', op: '<', value: 3000, line: 2 },
      { text: 'success >= 99%', metric: 'success', op: '>=', value: 0.99, line: 3 },
      { text: 'itl p50 < 50ms', metric: 'itl', stat: 'p50', op: '<', value: 50, line: 4 },
    ],
    { ttft_ms: pct, ttfa_ms: pct, e2e_ms: pct, token_rate: pct, qpm: 10, rps: 1, success_rate: 0.995 },
  );
  assert.deepEqual(r.map((x) => x.pass), [true, false, true, false]);
  assert.equal(r[0]!.actual_text, '2.50s');
  assert.equal(r[3]!.actual_text, 'not measured');
});

test('no percentile is reported above the exact maximum', () => {
  const h = new Hist();
  for (const v of [100, 200, 267.2]) h.record(v);
  for (const s of ['p50', 'p90', 'p95', 'p99', 'p99.9']) assert.ok(h.stat(s)! <= h.stat('max')!, s);
  assert.equal(h.stat('max'), 267.2);
});
