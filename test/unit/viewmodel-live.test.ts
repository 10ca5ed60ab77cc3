import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveDelta, Progress, RequestRow } from '../../src/core/messages';
import type { SeriesRow } from '../../src/core/metrics/aggregate';
import { DeltaBatcher, mergeSeries } from '../../src/core/viewmodel/live';
import { errorLines, linePoints, liveCharts } from '../../src/core/viewmodel/series';

function row(t: number, over: Partial<SeriesRow> = {}): SeriesRow {
  return { t, active_users: 0, in_flight: 0, sent: 0, completed: 0, ok: 0, failed: 0, qpm: 0, ttft_p50: null, ttft_p95: null, ttft_p99: null, ttfa_p50: null, ttfa_p95: null, token_rate_p50: null, output_tokens_per_s: 0, errors: {}, ...over };
}
function progress(elapsed: number): Progress {
  return { elapsed_s: elapsed, planned_s: 10, active_users: 1, target_users: 1, in_flight: 1, sent: 1, ok: 0, failed: 0, qpm: 0, ttft_p95_ms: null, token_rate_p50: null };
}
function req(id: number): RequestRow {
  return { id, prompt: 'p', status: 'ok', offset_ms: id, ttft_ms: 1, ttfa_ms: 1, e2e_ms: 2, token_rate: 1, input_tokens: 1, output_tokens: 1 };
}
function delta(elapsed: number, series: SeriesRow[], ids: number[]): LiveDelta {
  return { progress: progress(elapsed), series, requests: ids.map(req) };
}

test('mergeSeries replaces rows by t, inserts new seconds in order, and leaves its input alone', () => {
  const base = [row(0, { ok: 1 }), row(1, { ok: 2 }), row(3, { ok: 4 })];
  const merged = mergeSeries(base, [row(1, { ok: 20 }), row(2, { ok: 3 }), row(5, { ok: 6 })]);
  assert.deepEqual(
    merged.map((r) => [r.t, r.ok]),
    [
      [0, 1],
      [1, 20],
      [2, 3],
      [3, 4],
      [5, 6],
    ],
  );
  assert.equal(base[1]!.ok, 2);
  assert.equal(base.length, 3);
});

test('DeltaBatcher folds deltas into one message per interval: latest progress, newest row per second, every request once', () => {
  const b = new DeltaBatcher(200);
  assert.equal(b.take(0), null, 'nothing pending');
  b.push(delta(0.2, [row(0, { ok: 1 })], [1, 2]));
  const first = b.take(1000);
  assert.ok(first);
  assert.deepEqual(first.requests.map((r) => r.id), [1, 2]);
  // Three deltas inside one interval: nothing goes out until 200 ms have passed.
  b.push(delta(0.4, [row(0, { ok: 2 })], [3]));
  assert.equal(b.take(1100), null);
  b.push(delta(0.6, [row(0, { ok: 3 }), row(1, { ok: 1 })], [4, 5]));
  b.push(delta(0.8, [row(1, { ok: 2 })], []));
  assert.equal(b.take(1199), null);
  const second = b.take(1200);
  assert.ok(second);
  assert.equal(second.progress.elapsed_s, 0.8);
  assert.deepEqual(second.series.map((r) => [r.t, r.ok]), [
    [0, 3],
    [1, 2],
  ]);
  assert.deepEqual(second.requests.map((r) => r.id), [3, 4, 5]);
  assert.equal(b.take(5000), null, 'drained');
  b.push(delta(1, [], [6]));
  assert.ok(b.take(5001, true), 'force ignores the interval');
});

test('chart input: points sorted by second with missing values left out, as decimation needs', () => {
  const rows = [row(2, { ttft_p95: 30 }), row(0, { ttft_p95: 10 }), row(1, { ttft_p95: null }), row(3, { ttft_p95: Number.NaN }), row(4, { ttft_p95: 50 })];
  const pts = linePoints(rows, (r) => r.ttft_p95);
  assert.deepEqual(pts, [
    { x: 0, y: 10 },
    { x: 2, y: 30 },
    { x: 4, y: 50 },
  ]);
  for (let i = 1; i < pts.length; i++) assert.ok(pts[i]!.x > pts[i - 1]!.x);
});

test('the live charts cover latency, token rate, throughput, load and one error line per kind seen', () => {
  const rows = [row(0, { errors: { http_5xx: 2 }, failed: 2 }), row(1, { errors: { timeout_ttft: 1, http_5xx: 1 }, failed: 2 })];
  const charts = liveCharts(rows);
  assert.deepEqual(
    charts.map((c) => c.id),
    ['latency', 'rate', 'throughput', 'load', 'errors'],
  );
  const labels = charts[0]!.lines.map((l) => l.label);
  for (const l of ['TTFT p50', 'TTFT p95', 'TTFT p99', 'TTFA p50', 'TTFA p95']) assert.ok(labels.includes(l), l);
  const errs = errorLines(rows);
  assert.deepEqual(
    errs.map((l) => l.label),
    ['http_5xx', 'timeout_ttft'],
  );
  assert.deepEqual(linePoints(rows, errs[1]!.value), [
    { x: 0, y: 0 },
    { x: 1, y: 1 },
  ]);
  for (const c of charts) for (const l of c.lines) assert.match(l.color, /^--vscode-/);
  assert.deepEqual(
    errorLines([row(0)]).map((l) => l.label),
    ['errors'],
  );
});
