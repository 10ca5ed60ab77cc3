// The Marsaglia-Tsang gamma sampler: over many draws from a fixed seed, the mean is the shape and
// the coefficient of variation squared is 1/shape, for shapes below, at and above 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gammaSample, normalSample } from '../../src/core/sim/gamma-sampler';
import { createRng } from '../../src/core/sim/random';

function stats(xs: number[]): { mean: number; cv2: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, cv2: variance / (mean * mean) };
}

const N = 200_000;

for (const shape of [0.25, 0.5, 1, 2, 4, 20]) {
  test(`gamma(${shape}): mean ${shape} and CV^2 1/${shape} over ${N} seeded draws`, () => {
    const rng = createRng(1234);
    const xs = Array.from({ length: N }, () => gammaSample(shape, rng.next));
    assert.ok(xs.every((x) => x >= 0 && Number.isFinite(x)));
    const { mean, cv2 } = stats(xs);
    // Standard error of the mean is sqrt(shape/N): under 0.3% of the mean for shape >= 0.25; allow 2%.
    assert.ok(Math.abs(mean / shape - 1) < 0.02, `mean ${mean} for shape ${shape}`);
    // The sample variance of a gamma has relative sd sqrt((2 + 6/shape)/N): 1.2% at shape 0.25; allow 6%.
    assert.ok(Math.abs(cv2 * shape - 1) < 0.06, `CV^2 ${cv2}, expected ${1 / shape}`);
  });
}

test('gamma draws repeat with the seed, and differ with another', () => {
  const a = createRng(7);
  const b = createRng(7);
  const c = createRng(8);
  const xa = Array.from({ length: 100 }, () => gammaSample(0.5, a.next));
  assert.deepEqual(Array.from({ length: 100 }, () => gammaSample(0.5, b.next)), xa);
  assert.notDeepEqual(Array.from({ length: 100 }, () => gammaSample(0.5, c.next)), xa);
});

test('the normal draws under the sampler have mean 0 and variance 1', () => {
  const rng = createRng(99);
  const xs = Array.from({ length: N }, () => normalSample(rng.next));
  const mean = xs.reduce((a, b) => a + b, 0) / N;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1);
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
});

test('a shape of 0 or below, or not finite, is refused', () => {
  for (const bad of [0, -1, NaN, Infinity]) assert.throws(() => gammaSample(bad, Math.random), /gamma shape must be a finite number above 0/);
});
