// The sweep's pure rules on synthetic steps: per-step figures from records and step boundaries (the
// settle window skipped), the per-step SLOs, the saturation rule, the stop decision, capacity, knee
// and the one-sentence answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacityOf, kneeOf, stepFigures, type StepSample, type SweepStepFigures, type SweepSummary } from '../../src/core/metrics/capacity';
import { decideAfterStep, firstSaturated, saturation } from '../../src/core/load/sweep-control';
import { capacitySentence } from '../../src/core/metrics/capacity-text';
import type { Expectation } from '../../src/core/scenario/plan';
import type { SweepStep } from '../../src/core/load/shapes/sweep';

const TTFT_2S: Expectation = { text: 'ttft p95 < 2s', metric: 'ttft', stat: 'p95', op: '<', value: 2000, line: 5 };
const ACCURACY: Expectation = { text: 'accuracy >= 90%', metric: 'accuracy', op: '>=', value: 0.9, line: 6 };

function sample(offset_ms: number, e2e_ms: number, ttft_ms: number, ok = true): StepSample {
  return { offset_ms, e2e_ms, ok, ttft_ms: ok ? ttft_ms : null, ttfa_ms: ok ? ttft_ms : null, token_rate: ok ? 50 : null, output_tokens: ok ? 10 : 0 };
}

test('step figures: requests sent in the settle window or after the step are left out; throughput counts ok ends inside the window', () => {
  const step: SweepStep = { index: 1, level: 4, start_ms: 10_000, end_ms: 20_000, measure_from_ms: 12_000 };
  const samples = [
    sample(11_000, 1500, 100), // sent while settling: not measured, but its end (12.5 s) is served in the window
    sample(12_000, 1000, 200),
    sample(15_000, 1000, 300),
    sample(19_500, 1000, 2500), // sent in the window, ends after it: latency counted, throughput not
    sample(16_000, 50, 0, false), // a failure
    sample(20_000, 100, 50), // the next step's
  ];
  const f = stepFigures(step, samples, [TTFT_2S, ACCURACY]);
  assert.equal(f.requests, 4);
  assert.equal(f.ok, 3);
  assert.equal(f.failed, 1);
  assert.equal(f.error_rate, 0.25);
  assert.equal(f.duration_s, 8);
  assert.equal(f.throughput_rps, 3 / 8); // ends at 12.5, 13, 16 s
  assert.equal(f.qpm, (3 / 8) * 60);
  assert.equal(f.output_tokens_per_s, 30 / 8);
  assert.deepEqual([f.ttft_ms.p50, f.ttft_ms.p95, f.ttft_ms.max], [300, 2500, 2500]);
  assert.equal(f.tpot_ms.p50, 20);
  // accuracy is not a per-step figure: only the TTFT SLO is judged here, and it broke (2.5 s).
  assert.deepEqual(f.slos.map((s) => [s.text, s.pass, s.actual]), [['ttft p95 < 2s', false, 2500]]);
  assert.equal(f.slo_met, false);
});

function fig(level: number, rps: number, ttftP95: number, over: Partial<SweepStepFigures> = {}): SweepStepFigures {
  const p = (v: number) => ({ p50: v / 2, p90: v, p95: v, p99: v, max: v, mean: v / 2 });
  return {
    level, start_s: 0, measured_from_s: 0, end_s: 0, duration_s: 10, requests: 100, ok: 100, failed: 0, error_rate: 0,
    throughput_rps: rps, qpm: rps * 60, output_tokens_per_s: rps * 10,
    ttft_ms: p(ttftP95), ttfa_ms: p(ttftP95), e2e_ms: p(ttftP95 + 1000), token_rate: p(50), tpot_ms: p(20),
    slos: [{ text: 'ttft p95 < 2s', pass: ttftP95 < 2000, actual: ttftP95, actual_text: `${ttftP95}ms` }], slo_met: ttftP95 < 2000,
    ...over,
  };
}

test('saturation: throughput gained under a quarter of the load added while TTFT p95 rose 20%, or errors up 5 points; rate sweeps also when under 90% of the offered rate is served', () => {
  assert.match(saturation(fig(8, 20, 300), fig(16, 21, 900))!, /throughput \+5% for \+100% load while TTFT p95 rose from 300 ms to 900 ms/);
  assert.equal(saturation(fig(8, 20, 300), fig(16, 21, 330)), undefined, 'flat throughput, latency flat too: not saturated');
  assert.equal(saturation(fig(8, 20, 300), fig(16, 36, 900)), undefined, 'throughput still rising');
  assert.ok(saturation(fig(8, 20, 300), fig(16, 24, 900)), '+20% throughput for +100% load is under a quarter: saturated');
  // +1 user of 10 is +10% load; +0.5% throughput is under a quarter of it, +7.5% is not.
  assert.ok(saturation(fig(10, 20, 300), fig(11, 20.1, 400)));
  assert.equal(saturation(fig(10, 20, 300), fig(11, 21.5, 400)), undefined);
  assert.match(saturation(fig(8, 20, 300), fig(16, 30, 300, { error_rate: 0.08 }))!, /error rate rose from 0.0% to 8.0%/);
  assert.equal(saturation(fig(8, 20, 300, { error_rate: 0.04 }), fig(16, 30, 300, { error_rate: 0.08 })), undefined);
  assert.match(saturation(fig(10, 10, 300), fig(20, 16, 350), 'rate')!, /served 16.00\/s of 20\/s offered \(80%\)/);
  assert.equal(saturation(fig(10, 10, 300), fig(20, 19, 350), 'rate'), undefined);
});

test('the decision after each step: a broken SLO stops first, then saturation; a step with no finished request is not judged', () => {
  assert.deepEqual(decideAfterStep([fig(1, 5, 100), fig(2, 10, 110)]), { stop: false });
  assert.deepEqual(decideAfterStep([fig(1, 5, 100), fig(2, 10, 2400)]), { stop: true, by: 'slo', why: 'at 2: ttft p95 < 2s (was 2400ms)' });
  assert.equal((decideAfterStep([fig(4, 20, 100), fig(8, 20, 1500)]) as { by: string }).by, 'saturated');
  assert.deepEqual(decideAfterStep([fig(1, 5, 100), fig(2, 0, 0, { requests: 0, slo_met: false })]), { stop: false });
  assert.deepEqual(firstSaturated([fig(1, 5, 100), fig(2, 10, 100), fig(4, 10.2, 900), fig(8, 10, 1900)]), { step: 2, why: 'throughput +2% for +100% load while TTFT p95 rose from 100 ms to 900 ms' });
});

test('capacity: the highest level that met every SLO below saturation; knee: the highest throughput per median latency', () => {
  const steps = [fig(1, 5, 100), fig(2, 10, 120), fig(4, 19, 300), fig(8, 20, 1500), fig(16, 20, 2600)];
  assert.deepEqual(capacityOf(steps), { level: 8, step: 3 });
  assert.deepEqual(capacityOf(steps, 3), { level: 4, step: 2 });
  assert.equal(capacityOf([fig(1, 5, 2500)]), null);
  // power = rps / e2e p50 ((ttft + 1000) / 2): 5/550, 10/560, 19/650, 20/1250, 20/1800 -> 4 users
  assert.deepEqual(kneeOf(steps), { level: 4, step: 2 });
  assert.equal(kneeOf([fig(1, 5, 100)]), null);
});

test('the one-sentence answer names the capacity with its SLO values and why the sweep stopped', () => {
  const steps = [fig(1, 5, 100), fig(2, 10, 1400), fig(4, 11, 2600)];
  const s: SweepSummary = {
    over: 'users', planned_steps: 6, steps, capacity: capacityOf(steps), knee: kneeOf(steps), saturated_at: null,
    stopped_by: 'slo', settle_s: 1, slo_not_per_step: [],
  };
  assert.equal(capacitySentence(s), 'capacity: 2 users (TTFT p95 1400ms < 2s); stopped at 4 users: ttft p95 < 2s broke (2600ms); knee at 1 user');
  // (power 5/550 at 1 user beats 10/1200 at 2 users: the latency doubled for the throughput's doubling)
  const r: SweepSummary = { ...s, over: 'rate', stopped_by: 'saturated', saturated_at: { level: 4, step: 2, why: 'served 3/s of 4/s offered (75%)' }, capacity: { level: 2, step: 1 }, knee: null };
  assert.equal(capacitySentence(r), 'capacity: 2/s (TTFT p95 1400ms < 2s); saturated at 4/s (served 3/s of 4/s offered (75%))');
  assert.equal(capacitySentence({ ...s, capacity: null, knee: null, steps: [fig(1, 5, 2500)] }), 'capacity: none of the 1 measured levels met every SLO; stopped at 1 user: ttft p95 < 2s broke (2500ms)');
});

test('the CLI summary of a sweep: a row per step with the capacity and the saturation marked, then the sentence', async () => {
  const { sweepLines } = await import('../../src/cli/sweep-text');
  const steps = [fig(1, 5, 100), fig(2, 10, 120), fig(4, 10.1, 900)];
  const lines = sweepLines({ over: 'users', planned_steps: 6, steps, capacity: { level: 2, step: 1 }, knee: { level: 2, step: 1 }, saturated_at: { level: 4, step: 2, why: 'throughput +1% for +100% load while TTFT p95 rose from 120 ms to 900 ms' }, stopped_by: 'saturated', settle_s: 1, slo_not_per_step: ['accuracy >= 90%'] });
  assert.match(lines[0]!, /^  sweep \(3 of 6 steps, first 1s of each not measured\)/);
  assert.match(lines[2]!, /^    2 users .* 10\.00 .*120\.0ms.* met <- capacity$/);
  assert.match(lines[3]!, /^    4 users .*900\.0ms.* met <- saturated$/);
  assert.equal(lines[4], '  note: judged over the whole run only, not per step: accuracy >= 90%');
  assert.equal(lines[5], 'capacity: 2 users (TTFT p95 120ms < 2s); saturated at 4 users (throughput +1% for +100% load while TTFT p95 rose from 120 ms to 900 ms); knee at 2 users');
});

test('the capacity chart: latency and throughput per level, the latency SLO as a flat line, the capacity as a vertical line', async () => {
  const { capacityChartData, sloThresholdMs } = await import('../../src/core/viewmodel/capacity-chart');
  assert.equal(capacityChartData(undefined), null);
  const steps = [fig(1, 5, 100), fig(2, 10, 1400), fig(4, 11, 2600)];
  const d = capacityChartData({ over: 'users', planned_steps: 6, steps, capacity: { level: 2, step: 1 }, knee: null, saturated_at: null, stopped_by: 'slo', settle_s: 1, slo_not_per_step: [] })!;
  assert.equal(d.title, 'Capacity sweep: capacity 2 users');
  assert.equal(d.xTitle, 'users');
  assert.deepEqual(d.ttftP95, [{ x: 1, y: 100 }, { x: 2, y: 1400 }, { x: 4, y: 2600 }]);
  assert.deepEqual(d.throughput.map((p) => p.y), [5, 10, 11]);
  assert.deepEqual(d.slos, [{ label: 'SLO ttft p95 < 2s', points: [{ x: 1, y: 2000 }, { x: 4, y: 2000 }] }]);
  // up to the highest latency drawn: e2e p95 at 4 users is 2600 + 1000
  assert.deepEqual(d.capacity, [{ x: 2, y: 0 }, { x: 2, y: 3600 }]);
  assert.deepEqual([sloThresholdMs('e2e p50 <= 800ms'), sloThresholdMs('ttft p95 < 1.5s'), sloThresholdMs('token_rate p50 >= 20/s')], [800, 1500, null]);
});

test('the sentence when the final figures no longer show what stopped the sweep: it says what was judged', () => {
  const steps = [fig(1, 5, 100), fig(2, 10, 1400)];
  const base: SweepSummary = { over: 'users', planned_steps: 6, steps, capacity: { level: 2, step: 1 }, knee: null, saturated_at: null, stopped_by: 'slo', stop_reason: 'at 2: ttft p95 < 2s (was 2100ms)', settle_s: 1, slo_not_per_step: [] };
  assert.equal(capacitySentence(base), 'capacity: 2 users (TTFT p95 1400ms < 2s); stopped at 2 users: ttft p95 < 2s (was 2100ms) when judged');
  assert.equal(
    capacitySentence({ ...base, stopped_by: 'saturated', stop_reason: 'at 2: throughput +5% for +100% load while TTFT p95 rose from 100 ms to 1.40 s' }),
    'capacity: 2 users (TTFT p95 1400ms < 2s); stopped at 2 users: saturated when judged (throughput +5% for +100% load while TTFT p95 rose from 100 ms to 1.40 s)',
  );
});
