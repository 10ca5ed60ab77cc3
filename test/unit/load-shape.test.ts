import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivals, scheduleFor, usersAt, type ClosedLoopSchedule, type OpenLoopSchedule } from '../../src/core/load/shape';
import { createRng } from '../../src/core/sim/random';

test('step: the quickstart shape adds 2 users every second up to 16, then holds 10 s', () => {
  const s = scheduleFor({ kind: 'step', start: 2, add: 2, every_ms: 1000, max: 16, hold_ms: 10_000 }) as ClosedLoopSchedule;
  assert.equal(s.kind, 'closed');
  assert.deepEqual(
    s.steps.map((x) => [x.at_ms, x.users]),
    [[0, 2], [1000, 4], [2000, 6], [3000, 8], [4000, 10], [5000, 12], [6000, 14], [7000, 16]],
  );
  assert.equal(s.end_ms, 17_000);
  const at = (t: number): number => usersAt(s, t);
  assert.deepEqual([at(0), at(999), at(1000), at(2500), at(6999), at(7000), at(16_999), at(17_000)], [2, 2, 4, 6, 14, 16, 16, 0]);
});

test('step: a last add that would overshoot stops at max', () => {
  const s = scheduleFor({ kind: 'step', start: 1, add: 3, every_ms: 500, max: 5, hold_ms: 1000 }) as ClosedLoopSchedule;
  assert.deepEqual(s.steps.map((x) => x.users), [1, 4, 5]);
  assert.equal(s.end_ms, 2000);
});

test('step: never more than `add` users join at one instant', () => {
  const s = scheduleFor({ kind: 'step', start: 2, add: 2, every_ms: 1000, max: 40, hold_ms: 0 }) as ClosedLoopSchedule;
  for (let i = 1; i < s.steps.length; i++) {
    assert.ok(s.steps[i]!.users - s.steps[i - 1]!.users <= 2);
    assert.equal(s.steps[i]!.at_ms - s.steps[i - 1]!.at_ms, 1000);
  }
});

test('users: constant concurrency for the duration', () => {
  const s = scheduleFor({ kind: 'users', users: 8, duration_ms: 30_000 }) as ClosedLoopSchedule;
  assert.equal(usersAt(s, 0), 8);
  assert.equal(usersAt(s, 29_999), 8);
  assert.equal(usersAt(s, 30_000), 0);
});

test('stages: user ramps change one user at a time, evenly, then hold and ramp down', () => {
  const s = scheduleFor({
    kind: 'stages',
    stages: [
      { kind: 'ramp_users', to: 4, over_ms: 4000 },
      { kind: 'hold', for_ms: 2000 },
      { kind: 'ramp_users', to: 2, over_ms: 1000 },
    ],
  }) as ClosedLoopSchedule;
  assert.deepEqual(
    s.steps.map((x) => [x.at_ms, x.users]),
    [[0, 0], [1000, 1], [2000, 2], [3000, 3], [4000, 4], [6500, 3], [7000, 2]],
  );
  assert.equal(s.end_ms, 7000);
});

test('rate, uniform: arrivals every 1/rate, none at or past the end', () => {
  const s = scheduleFor({ kind: 'rate', per_s: 4, duration_ms: 2000, arrival: 'uniform' }) as OpenLoopSchedule;
  const times = [...arrivals(s, Math.random)];
  assert.deepEqual(times, [0, 250, 500, 750, 1000, 1250, 1500, 1750]);
});

test('rate, poisson: count and inter-arrival statistics match the rate (seeded)', () => {
  const s = scheduleFor({ kind: 'rate', per_s: 100, duration_ms: 200_000, arrival: 'poisson' }) as OpenLoopSchedule;
  const rng = createRng(42);
  const times = [...arrivals(s, rng.next)];
  const n = times.length;
  // Expected 20,000 arrivals; a Poisson count's sd is ~141, so 5 sd is 707.
  assert.ok(Math.abs(n - 20_000) < 707, `count ${n}`);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const variance = gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length;
  // Exponential gaps: mean 10 ms and coefficient of variation 1.
  assert.ok(Math.abs(mean - 10) < 0.3, `mean gap ${mean}`);
  assert.ok(Math.abs(Math.sqrt(variance) / mean - 1) < 0.05, `cv ${Math.sqrt(variance) / mean}`);
  assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]!));
  assert.deepEqual([...arrivals(s, createRng(42).next)].slice(0, 50), times.slice(0, 50));
});

test('stages by rate: a linear ramp yields the integral of the rate', () => {
  const s = scheduleFor({
    kind: 'stages',
    stages: [
      { kind: 'ramp_rate', to_per_s: 10, over_ms: 10_000 },
      { kind: 'hold', for_ms: 5000 },
    ],
  }) as OpenLoopSchedule;
  const times = [...arrivals(s, Math.random)];
  // ramp: integral 0..10 s of t/s = 50 arrivals; hold: 10/s for 5 s = 50.
  assert.equal(times.filter((t) => t < 10_000).length, 50);
  assert.equal(times.length, 100);
  // arrivals thicken along the ramp
  assert.ok(times.filter((t) => t < 5000).length < times.filter((t) => t >= 5000 && t < 10_000).length);
});
