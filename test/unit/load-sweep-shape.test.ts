// The `load sweep` shape: its levels and schedule in virtual time, and the exact diagnostics of its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveLoadLine as resolve } from '../helpers/scenario-diags';
import { scheduleFor } from '../../src/core/load/shape';
import { sweepLevels, sweepSteps } from '../../src/core/load/shapes/sweep';
import type { SweepLoad } from '../../src/core/scenario/plan';

test('a users sweep doubles from 2 to 64: six closed-loop steps of 30s, settle a fifth of each', () => {
  const { load, diags } = resolve('load sweep users 2..64 step x2 each 30s');
  assert.deepEqual(diags, []);
  assert.deepEqual(load, { kind: 'sweep', over: 'users', from: 2, to: 64, step: { by: 'times', value: 2 }, each_ms: 30_000, settle_ms: 6000, arrival: 'poisson' });
  const s = scheduleFor(load as SweepLoad);
  assert.deepEqual(s, {
    kind: 'closed',
    end_ms: 180_000,
    steps: [2, 4, 8, 16, 32, 64].map((users, k) => ({ at_ms: k * 30_000, users })),
  });
  assert.deepEqual(sweepSteps(load as SweepLoad)[1], { index: 1, level: 4, start_ms: 30_000, end_ms: 60_000, measure_from_ms: 36_000 });
});

test('a rate sweep adds 2/s from 1/s and ends on 20/s: constant-rate open-loop segments, uniform arrivals, settle 2s', () => {
  const { load, diags } = resolve('load sweep rate 1/s..20/s step +2/s each 20s settle 2s uniform');
  assert.deepEqual(diags, []);
  const l = load as SweepLoad;
  assert.equal(l.settle_ms, 2000);
  assert.deepEqual(sweepLevels(l), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 20]);
  const s = scheduleFor(l);
  assert.equal(s.kind, 'open');
  if (s.kind !== 'open') return;
  assert.equal(s.arrival, 'uniform');
  assert.equal(s.end_ms, 11 * 20_000);
  assert.deepEqual(s.segments[2], { start_ms: 40_000, end_ms: 60_000, from_per_s: 5, to_per_s: 5 });
});

test('levels: a bare lower rate takes the upper unit (qpm), a factor on users rounds up and always adds one', () => {
  const q = resolve('load sweep rate 60..240qpm step x2 each 10s').load as SweepLoad;
  assert.deepEqual(sweepLevels(q), [1, 2, 4]);
  assert.deepEqual(sweepLevels({ over: 'users', from: 1, to: 5, step: { by: 'times', value: 1.2 } }), [1, 2, 3, 4, 5]);
  assert.deepEqual(sweepLevels({ over: 'users', from: 4, to: 30, step: { by: 'plus', value: 8 } }), [4, 12, 20, 28, 30]);
});

const MISTAKES: Array<[string, string]> = [
  ['load sweep', '2:1-2:11 error: load sweep needs what to sweep, users or rate; write load sweep users FROM..TO step xF|+N each DURATION, e.g. load sweep users 2..64 step x2 each 30s, or load sweep rate 1/s..20/s step +2/s each 20s'],
  ['load sweep user 2..8 step x2 each 1s', '2:12-2:16 error: unknown sweep over "user"; did you mean "users"?'],
  ['load sweep users 2-8 step x2 each 1s', '2:18-2:21 error: expected the levels as FROM..TO in one word, e.g. 2..64, got "2-8"'],
  ['load sweep users 8..2 step x2 each 1s', '2:18-2:22 error: the levels 8..2 do not rise; write the lowest level first, e.g. 2..64'],
  ['load sweep users 0..8 step x2 each 1s', '2:18-2:19 error: the lowest level must be above 0, got 0'],
  ['load sweep rate 1/s..20/s step +2 each 1s', ''],
  ['load sweep users 2..8 step 2 each 1s', '2:28-2:29 error: expected a factor like x2 or an increment like +4 after "step", got "2"'],
  ['load sweep users 2..8 step x1 each 1s', '2:28-2:30 error: the factor must be above 1, got x1; write e.g. step x2'],
  ['load sweep users 2..8 step x2 for 1s', '2:31-2:37 error: unexpected "for"; write load sweep users FROM..TO step xF|+N each DURATION, e.g. load sweep users 2..64 step x2 each 30s, or load sweep rate 1/s..20/s step +2/s each 20s'],
  ['load sweep users 2..8 step x2 each 10s settle 6s', '2:47-2:49 error: the settle time 6s leaves less than half of each 10s step measured; write at most settle 5s'],
  ['load sweep users 1..1000 step +1 each 1s', '2:18-2:33 error: this sweep has over 99 steps; take bigger steps (e.g. step x2) or a narrower range'],
  ['load sweep rate 1/s..20/x step x2 each 1s', '2:22-2:26 error: unknown rate unit "/x" in "20/x"; use rps, qpm or /s'],
];

test('each mistake on a sweep line is reported where it is, with what to write', () => {
  const got = MISTAKES.map(([line]) => [line, resolve(line).diags.join(' | ')]);
  assert.deepEqual(got, MISTAKES.map(([line, d]) => [line, d]));
});
