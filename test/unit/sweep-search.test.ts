// `load sweep ... search`: the line's plan and mistakes, the search rule on made-up outcomes (it
// finds every capacity exactly, in at most maxProbes probes), the steered rate's arrival instants,
// and runs against a simulator with 4 slots (capacity 4 users, ~13.3 requests/s): users and rate
// searches find the capacity within one step of the truth in fewer probes than a linear sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveLoadLine as resolve } from '../helpers/scenario-diags';
import { maxProbes, nextProbe, type ProbeOutcome, type SearchPlan } from '../../src/core/load/sweep-search';
import { sweepLevels } from '../../src/core/load/shapes/sweep';
import { SteeredRate } from '../../src/core/load/steered-rate';
import { capacitySentence } from '../../src/core/metrics/capacity-text';
import { runVerdict } from '../../src/core/metrics/expectations';
import type { SweepLoad } from '../../src/core/scenario/plan';
import { sweepRun } from '../helpers/sweep-run';

test('the search line: users with resolution 1, a rate with its resolution in the range unit; each mistake where it is', () => {
  assert.deepEqual(resolve('load sweep users 1..64 search each 30s'), {
    load: { kind: 'sweep', over: 'users', from: 1, to: 64, step: { by: 'times', value: 2 }, each_ms: 30_000, settle_ms: 6000, arrival: 'poisson', search: { resolution: 1 } },
    diags: [],
  });
  assert.deepEqual(resolve('load sweep rate 60..3840qpm search each 20s resolution 30 settle 2s uniform').load, {
    kind: 'sweep', over: 'rate', from: 1, to: 64, step: { by: 'times', value: 2 }, each_ms: 20_000, settle_ms: 2000, arrival: 'uniform', search: { resolution: 0.5 },
  });
  assert.deepEqual((resolve('load sweep rate 2/s..64/s search each 20s').load as SweepLoad).search, { resolution: 2 });
  const mistakes: Array<[string, string]> = [
    ['load sweep users 1..64 search for 30s', '2:31-2:38 error: unexpected "for"; write load sweep users FROM..TO search each DURATION [resolution N], e.g. load sweep users 1..64 search each 30s, or load sweep rate 1/s..64/s search each 20s resolution 0.5/s'],
    ['load sweep users 1..64 search', '2:1-2:30 error: load sweep ... search needs how long each probe lasts; write load sweep users FROM..TO search each DURATION [resolution N], e.g. load sweep users 1..64 search each 30s, or load sweep rate 1/s..64/s search each 20s resolution 0.5/s'],
    ['load sweep users 1..64 search each 30s resolution 0', '2:51-2:52 error: the resolution must be above 0 and below the range (63 users), got 0; write e.g. resolution 2'],
    ['load sweep users 1..64 search each 30s resolution 1.5', '2:51-2:54 error: expected a whole number for the resolution in users, got "1.5"'],
    ['load sweep rate 1/s..8/s search each 30s resolution 9/s', '2:53-2:56 error: the resolution must be above 0 and below the range (7/s), got 9/s; write e.g. resolution 0.5/s'],
    ['load sweep users 1..64 search each 30s resolution', '2:1-2:50 error: resolution needs how narrow the search ends, e.g. resolution 2'],
    ['load sweep users 1..64 stepp x2 each 30s', '2:24-2:29 error: unexpected "stepp"; did you mean "step"?'],
  ];
  assert.deepEqual(
    mistakes.map(([l]) => [l, resolve(l).diags.join(' | ')]),
    mistakes,
  );
});

/** Runs the search against a server whose capacity is `truth`: a level passes when it is at most the truth. */
function simulate(plan: SearchPlan, truth: number): { probes: number[]; capacity: number | null } {
  const outcomes: ProbeOutcome[] = [];
  for (let level = nextProbe(plan, outcomes); level !== undefined; level = nextProbe(plan, outcomes)) outcomes.push({ level, passed: level <= truth + 1e-9 });
  const passed = outcomes.filter((o) => o.passed).map((o) => o.level);
  return { probes: outcomes.map((o) => o.level), capacity: passed.length ? Math.max(...passed) : null };
}

test('the search rule: lowest level first, doubling until a level fails, then halving to the resolution; every capacity found, never more than maxProbes', () => {
  const users: SearchPlan = { over: 'users', from: 1, to: 64, step: { by: 'times', value: 2 }, search: { resolution: 1 } };
  assert.deepEqual(simulate(users, 4), { probes: [1, 2, 4, 8, 6, 5], capacity: 4 });
  assert.deepEqual(simulate(users, 0), { probes: [1], capacity: null });
  assert.deepEqual(simulate(users, 64), { probes: [1, 2, 4, 8, 16, 32, 64], capacity: 64 });
  assert.deepEqual(simulate(users, 40), { probes: [1, 2, 4, 8, 16, 32, 64, 48, 40, 44, 42, 41], capacity: 40 });
  assert.equal(maxProbes(users), 12);
  const linear = sweepLevels({ over: 'users', from: 1, to: 64, step: { by: 'plus', value: 1 } }).length;
  let total = 0;
  for (let truth = 1; truth <= 64; truth++) {
    const r = simulate(users, truth);
    assert.equal(r.capacity, truth);
    assert.ok(r.probes.length <= maxProbes(users), `truth ${truth}: ${r.probes.length} probes`);
    total += r.probes.length;
  }
  // A linear +1 sweep stops one level above the truth: truth + 1 steps on average 33.5; the search about 10.
  assert.ok(total / 64 < 11 && linear === 64, `mean ${total / 64} probes`);
  const rate: SearchPlan = { over: 'rate', from: 8, to: 64, step: { by: 'times', value: 2 }, search: { resolution: 1 } };
  const r = simulate(rate, 13.3);
  assert.deepEqual(r, { probes: [8, 16, 12, 14, 13], capacity: 13 });
});

test('a steered rate: arrivals where the cumulative expected count crosses each target; zero rate places none; a change moves what is not sent', () => {
  const s = new SteeredRate();
  assert.equal(s.instantOf(1), Infinity);
  s.set(1000, 10); // 10/s from 1 s
  assert.deepEqual([1, 2, 10].map((t) => s.instantOf(t)), [1100, 1200, 2000]);
  s.set(2000, 0); // idle from 2 s: the 11th arrival never comes
  assert.equal(s.instantOf(11), Infinity);
  s.set(3000, 20); // 20/s from 3 s: the 11th lands 50 ms after
  assert.deepEqual([s.instantOf(10), s.instantOf(11), s.instantOf(12)], [2000, 3050, 3100]);
  s.set(2500, 5); // a change at or before a later piece replaces it
  assert.equal(s.instantOf(11), 2700);
  assert.equal(s.version, 4);
});

test('users search 1..64 against 4 slots with TTFT p95 < 100ms: capacity 4 within one, in at most 8 probes, each probe its own requests; PASS with capacity >= 3 users', async () => {
  const { summary, records } = await sweepRun('load sweep users 1..64 search each 1500ms', ['ttft p95 < 100ms', 'capacity >= 3 users']);
  const s = summary.sweep!;
  const seen = JSON.stringify(s.steps.map((x) => [x.level, x.probe, x.ttft_ms.p95]));
  assert.ok(s.search, seen);
  assert.ok(s.capacity && Math.abs(s.capacity.level - 4) <= 1, seen);
  assert.ok(s.search!.probes <= 8 && s.search!.probes === s.steps.length, seen);
  assert.equal(s.search!.passed, s.capacity!.level);
  assert.ok(s.search!.failed !== null && s.search!.failed - s.search!.passed! <= 1, seen);
  // In order of level, the probes numbered by when they ran; the first probe was the lowest level.
  assert.deepEqual(s.steps.map((x) => x.level), [...s.steps.map((x) => x.level)].sort((a, b) => a - b));
  assert.equal(s.steps.find((x) => x.probe!.order === 1)!.level, 1);
  for (const st of s.steps) {
    const n = records.filter((r) => !r.warmup && r.error?.kind !== 'cancelled' && r.offset_ms >= st.measured_from_s * 1000 && r.offset_ms < st.end_s * 1000).length;
    assert.equal(st.requests, n, `probe at ${st.level}`);
    assert.ok(st.requests > 0);
  }
  // Nothing is sent between probes (beyond the command to drop to zero, every 100 ms): the load stays at zero until the previous probe's requests are back.
  const windows = s.steps.map((x) => [x.start_s * 1000, x.end_s * 1000] as const);
  const outside = records.filter((r) => !windows.some(([a, b]) => r.offset_ms >= a - 5 && r.offset_ms < b + 500));
  assert.deepEqual(outside.map((r) => r.offset_ms), []);
  assert.equal(summary.ended_by, 'completed');
  assert.equal(runVerdict(summary).label, 'PASS');
  assert.match(capacitySentence(s), /^capacity: [345] users \(TTFT p95 [0-9.]+ms < 100ms\); binary search: \d probes, [456] users failed \(ttft p95 < 100ms broke \([0-9.]+m?s\)\), resolution 1 user/);
});

test('rate search 8/s..64/s (resolution 1/s) against 4 slots: saturation fails a probe; capacity within 1/s of what the served-share rule allows over the ~13.3/s ceiling, in fewer probes than a +1/s sweep', async () => {
  const { summary } = await sweepRun('load sweep rate 8/s..64/s search each 2s resolution 1/s uniform', []);
  const s = summary.sweep!;
  const seen = JSON.stringify(s.steps.map((x) => [x.level, x.probe, +x.throughput_rps.toFixed(2)]));
  // The slots' ceiling, ~4 / 0.3 s, is what the saturated probes served. A rate passes while it is served to 90%
  // (the saturation rule), so the capacity lies between the ceiling and the ceiling / 0.9, to the resolution.
  const ceiling = Math.max(...s.steps.map((x) => x.throughput_rps));
  assert.ok(Math.abs(ceiling - 13.3) < 2.5, seen);
  assert.ok(s.capacity && s.capacity.level >= ceiling - 1 && s.capacity.level <= ceiling / 0.9 + 1, seen);
  assert.ok(s.search!.failed! - s.search!.passed! <= 1 + 1e-9, seen);
  assert.ok(s.search!.probes <= 7, seen);
  assert.ok(s.saturated_at && s.saturated_at.level > s.capacity.level, seen);
  assert.match(s.saturated_at!.why, /served [0-9.]+\/s of [0-9.]+\/s offered|throughput/);
  assert.equal(summary.ended_by, 'completed');
});

test('a search whose lowest level fails stops after one probe with no capacity: FAIL', async () => {
  const { summary } = await sweepRun('load sweep users 2..64 search each 1500ms', ['ttft p95 < 1ms']);
  const s = summary.sweep!;
  assert.equal(s.steps.length, 1);
  assert.equal(s.capacity, null);
  assert.equal(s.stopped_by, 'slo');
  assert.equal(summary.ended_by, 'slo');
  assert.match(summary.expectations[0]!.actual_text, /^no level met the SLOs: at 2 users TTFT p95 was/);
  assert.equal(runVerdict(summary).label, 'FAIL');
});
