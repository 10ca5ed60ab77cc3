// Gamma and burst arrivals at the schedule level, from fixed seeds: gamma gaps keep the rate and
// have the CV the burstiness sets (CV^2 = 1/burstiness); bursts land exactly at 0, D, 2D, ...
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivals, owns, scheduleFor, type OpenLoopSchedule } from '../../src/core/load/shape';
import { createRng } from '../../src/core/sim/random';

function gapStats(times: number[]): { mean: number; cv: number } {
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const variance = gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / (gaps.length - 1);
  return { mean, cv: Math.sqrt(variance) / mean };
}

for (const burstiness of [0.25, 1, 4]) {
  test(`rate, gamma ${burstiness}: 100/s keeps its count and mean gap, and the gaps' CV is 1/sqrt(${burstiness})`, () => {
    const s = scheduleFor({ kind: 'rate', per_s: 100, duration_ms: 200_000, arrival: 'gamma', burstiness }) as OpenLoopSchedule;
    assert.equal(s.arrival, 'gamma');
    assert.equal(s.burstiness, burstiness);
    const times = [...arrivals(s, createRng(42).next)];
    // 20,000 expected; a renewal count's sd is about sqrt(n) * CV (282 at CV 2): allow 1,000.
    assert.ok(Math.abs(times.length - 20_000) < 1000, `count ${times.length}`);
    assert.ok(times.every((t, i) => t >= 0 && t < 200_000 && (i === 0 || t >= times[i - 1]!)));
    const { mean, cv } = gapStats(times);
    assert.ok(Math.abs(mean - 10) < 0.5, `mean gap ${mean} ms`);
    const want = 1 / Math.sqrt(burstiness);
    assert.ok(Math.abs(cv / want - 1) < 0.05, `CV ${cv}, expected ${want}`);
    assert.deepEqual([...arrivals(s, createRng(42).next)].slice(0, 100), times.slice(0, 100), 'same seed, same instants');
  });
}

test('gamma 0.25 is burstier than Poisson: more of its 1 s windows are far from the mean count', () => {
  const window = (s: OpenLoopSchedule): number[] => {
    const counts = new Array<number>(200).fill(0);
    for (const t of arrivals(s, createRng(5).next)) counts[Math.floor(t / 1000)]!++;
    return counts;
  };
  const sd = (xs: number[]): number => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
  };
  const poisson = sd(window(scheduleFor({ kind: 'rate', per_s: 20, duration_ms: 200_000, arrival: 'poisson' }) as OpenLoopSchedule));
  const bursty = sd(window(scheduleFor({ kind: 'rate', per_s: 20, duration_ms: 200_000, arrival: 'gamma', burstiness: 0.25 }) as OpenLoopSchedule));
  const even = sd(window(scheduleFor({ kind: 'rate', per_s: 20, duration_ms: 200_000, arrival: 'gamma', burstiness: 16 }) as OpenLoopSchedule));
  // Counts per window: sd about sqrt(20 / burstiness), i.e. 4.5 (Poisson), 8.9 (0.25), 1.1 (16).
  assert.ok(bursty > 1.5 * poisson && poisson > 2 * even, `window sd: gamma 0.25 ${bursty}, poisson ${poisson}, gamma 16 ${even}`);
});

test('burst 20 every 10s for 1m: 20 arrivals at each of 0, 10, ..., 50 s, exactly, none at the end', () => {
  const s = scheduleFor({ kind: 'burst', size: 20, every_ms: 10_000, duration_ms: 60_000 }) as OpenLoopSchedule;
  assert.deepEqual(s, { kind: 'open', arrival: 'burst', burst_size: 20, end_ms: 60_000, segments: [{ start_ms: 0, end_ms: 60_000, from_per_s: 2, to_per_s: 2 }] });
  const times = [...arrivals(s, Math.random)];
  assert.deepEqual(times, [0, 10_000, 20_000, 30_000, 40_000, 50_000].flatMap((t) => new Array<number>(20).fill(t)));
});

test('burst instants are exact for periods that are no round fraction of a second, and the end is exclusive', () => {
  for (const [size, every_ms, duration_ms] of [[3, 7000, 21_000], [7, 333, 3330], [13, 1500, 9000], [1, 90_000, 270_000], [50, 700, 7001]] as const) {
    const s = scheduleFor({ kind: 'burst', size, every_ms, duration_ms }) as OpenLoopSchedule;
    const bursts = Math.ceil(duration_ms / every_ms);
    const want = Array.from({ length: bursts }, (_, k) => new Array<number>(size).fill(k * every_ms)).flat();
    assert.deepEqual([...arrivals(s, Math.random)], want, `burst ${size} every ${every_ms}ms for ${duration_ms}ms`);
  }
});

test('a burst load ended only by a stop rule runs on: its first bursts are on the grid', () => {
  const s = scheduleFor({ kind: 'burst', size: 4, every_ms: 250, duration_ms: Infinity }) as OpenLoopSchedule;
  const first = [];
  for (const t of arrivals(s, Math.random)) {
    first.push(t);
    if (first.length === 40) break;
  }
  assert.deepEqual(first, Array.from({ length: 10 }, (_, k) => [k * 250, k * 250, k * 250, k * 250]).flat());
});

test('the threads of a burst split each burst between them and together send all of it', () => {
  const s = scheduleFor({ kind: 'burst', size: 10, every_ms: 1000, duration_ms: 3000 }) as OpenLoopSchedule;
  const whole = [...arrivals(s, Math.random)];
  const byShard = [0, 1, 2].map((index) => whole.filter((_, j) => owns({ index, count: 3 }, j)));
  assert.deepEqual(byShard.map((x) => x.length), [10, 10, 10]);
  assert.deepEqual(byShard.flat().sort((a, b) => a - b), whole);
  // Each burst is spread over all three threads.
  for (const x of byShard) assert.deepEqual([...new Set(x)], [0, 1000, 2000]);
});

test('a rate with no end (stop after N requests) still has arrivals: a constant segment of infinite length', () => {
  const s = scheduleFor({ kind: 'rate', per_s: 4, duration_ms: Infinity, arrival: 'uniform' }) as OpenLoopSchedule;
  const first = [];
  for (const t of arrivals(s, Math.random)) {
    first.push(t);
    if (first.length === 5) break;
  }
  assert.deepEqual(first, [0, 250, 500, 750, 1000]);
});
