// Done-when of issue 18 (sweeps): against a simulator with a known capacity (4 serving slots, each
// request 30 tokens at 100 tokens/s, so ~300 ms per request and ~13 requests/s at most), a sweep
// finds the capacity within one step and stops early: on a broken SLO, and on saturation (users
// and rate). Steps are 1.5 s; the scenarios go through the parser, so the whole path is exercised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacitySentence } from '../../src/core/metrics/capacity-text';
import { sweepRun as sweep } from '../helpers/sweep-run';

test('users +1 with TTFT p95 < 100ms: the SLO breaks at 5 users (requests wait for a slot), capacity 4, 5 of 16 steps run', async () => {
  const { summary, records } = await sweep('load sweep users 1..16 step +1 each 1500ms', ['ttft p95 < 100ms']);
  const s = summary.sweep!;
  assert.equal(s.planned_steps, 16);
  assert.equal(s.stopped_by, 'slo');
  assert.equal(summary.ended_by, 'slo');
  assert.ok(s.steps.length < 16, `ran ${s.steps.length} steps`);
  assert.ok(s.capacity && Math.abs(s.capacity.level - 4) <= 1, `capacity ${JSON.stringify(s.capacity)}`);
  const last = s.steps[s.steps.length - 1]!;
  assert.equal(last.slo_met, false);
  assert.ok(last.ttft_ms.p95! >= 100);
  // Per-step counts agree with requests.jsonl: the requests sent in each measured window.
  for (const st of s.steps) {
    const n = records.filter((r) => !r.warmup && r.error?.kind !== 'cancelled' && r.offset_ms >= st.measured_from_s * 1000 && r.offset_ms < st.end_s * 1000).length;
    assert.equal(st.requests, n, `step at ${st.level}`);
  }
  assert.match(capacitySentence(s), /^capacity: [345] users \(TTFT p95 [0-9.]+ms < 100ms\); stopped at [456] users: ttft p95 < 100ms broke/);
});

test('users x2 without SLOs: throughput stops rising at 8 users while TTFT climbs: saturated, capacity 4, 4 of 6 steps run', async () => {
  const { summary } = await sweep('load sweep users 1..32 step x2 each 2s', []);
  const s = summary.sweep!;
  assert.equal(s.planned_steps, 6);
  const seen = JSON.stringify(s.steps.map((x) => [x.level, +x.throughput_rps.toFixed(2), x.ttft_ms.p95]));
  assert.equal(s.stopped_by, 'saturated', seen);
  assert.deepEqual(s.steps.map((x) => x.level), [1, 2, 4, 8], seen);
  assert.equal(s.saturated_at?.level, 8);
  assert.equal(s.capacity?.level, 4);
  // Throughput near 3.3 requests/s per user up to the 4 slots, then flat: the 4 slots end their
  // requests together, so a window holds one batch more or less (seen: 15/s against 13.3/s).
  assert.ok(s.steps[2]!.throughput_rps > 1.4 * s.steps[1]!.throughput_rps, seen);
  assert.ok(s.steps[3]!.throughput_rps < 1.25 * s.steps[2]!.throughput_rps, seen);
  assert.ok(s.knee && Math.abs(Math.log2(s.knee.level / 4)) <= 1, `knee ${JSON.stringify(s.knee)}`);
});

test('rate x2 from 5/s: the slots serve ~13/s, so at 20/s throughput stays flat while TTFT climbs: capacity 10/s (the step below the truth), 3 of 5 steps run', async () => {
  const { summary } = await sweep('load sweep rate 5/s..80/s step x2 each 1500ms uniform', []);
  const s = summary.sweep!;
  assert.equal(s.planned_steps, 5);
  assert.equal(s.stopped_by, 'saturated');
  assert.deepEqual(s.steps.map((x) => x.level), [5, 10, 20]);
  assert.equal(s.saturated_at?.level, 20);
  assert.equal(s.capacity?.level, 10);
  // The saturated step's throughput is the slots' ceiling, 4 / 0.3 s.
  assert.ok(Math.abs(s.steps[2]!.throughput_rps - 13.3) < 2.5, `throughput ${s.steps[2]!.throughput_rps}`);
});
