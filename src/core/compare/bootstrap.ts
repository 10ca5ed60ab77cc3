/**
 * Confidence intervals on the change between two runs' figures, from their per-request samples:
 *
 * - Percentiles: the percentile bootstrap, resampling each run independently with replacement.
 *   A resample's k-th smallest value is drawn exactly without building the resample: resampled
 *   indices are floor(n·U) for n uniforms U, so the k-th smallest of them is floor(n·U₍k₎), and the
 *   k-th order statistic of n uniforms is Beta(k, n − k + 1). One Beta draw per resample makes the
 *   cost O(resamples), whatever the run's size (100k requests cost one sort).
 * - Means: Welch's normal interval (the central limit theorem; the bootstrap of a mean converges to it).
 * - A ratio of sums (ITL mean = decode time / token gaps): the delta method over requests.
 * - Rates over the run's duration (qpm, tokens/s): a compound Poisson count, var = Σ x² / d².
 * - Proportions (success rate): Agresti–Caffo (one success and one failure added to each run).
 *
 * Requests of one run are not independent: a server (or machine) that is slow for a while makes
 * neighbouring requests slow together. Each run's spread is therefore widened by its design effect
 * (batch means over consecutive blocks of requests in send order, `designEffect`): the ratio of the
 * variance between blocks to what independent requests would give, at least 1.
 *
 * Every draw comes from a seeded generator, so the same two runs give the same interval.
 */
import { gammaSample } from '../sim/gamma-sampler';
import { createRng, hashString } from '../sim/random';
import type { IntervalMethod } from './row';

export interface DiffInterval {
  /** B − A. */
  point: number;
  lo: number;
  hi: number;
  method: IntervalMethod;
}

/** The seeded generator the simulator uses (mulberry32), as a function giving floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  return createRng(seed).next;
}

/** A seed from a text, so each figure's resampling is fixed and independent of the others'. */
export function seedOf(text: string, base = 0): number {
  return hashString(`${base}|${text}`);
}

/** Gamma(shape, 1) by Marsaglia and Tsang (../sim/gamma-sampler.ts, shared with gamma arrivals). */
export const gammaDraw: (shape: number, rand: () => number) => number = gammaSample;

export function betaDraw(a: number, b: number, rand: () => number): number {
  const x = gammaDraw(a, rand);
  const y = gammaDraw(b, rand);
  return x / (x + y);
}

/** The nearest-rank percentile (q in 0..1) of an ascending array: the ceil(q·n)-th smallest value. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const k = Math.min(n, Math.max(1, Math.ceil(q * n)));
  return sorted[k - 1]!;
}

/** One bootstrap replicate of the nearest-rank q-percentile of an ascending array, drawn exactly (see the file comment). */
export function resampledPercentile(sorted: ArrayLike<number>, q: number, rand: () => number): number {
  const n = sorted.length;
  const k = Math.min(n, Math.max(1, Math.ceil(q * n)));
  const u = betaDraw(k, n - k + 1, rand);
  return sorted[Math.min(n - 1, Math.floor(n * u))]!;
}

/** The (level) quantile of the draws, sorting them in place. */
function quantiles(draws: Float64Array, alpha: number): [number, number] {
  draws.sort();
  const R = draws.length;
  const at = (p: number) => draws[Math.min(R - 1, Math.max(0, Math.floor(p * R)))]!;
  return [at(alpha / 2), at(1 - alpha / 2)];
}

/** How many resamples a two-sided interval of this level needs: at least 25 draws in each tail, at least 2,000, at most 100,000. */
export function resamplesFor(level: number): number {
  const tail = (1 - level) / 2;
  return Math.min(100_000, Math.max(2000, Math.ceil(25 / tail)));
}

/**
 * Percentile-bootstrap interval on percentile_q(B) − percentile_q(A), both arrays ascending. Each
 * run's resampled deviation from its own percentile is scaled by the square root of its design
 * effect (`deffA`, `deffB`; 1 = independent requests).
 */
export function percentileDiffInterval(a: ArrayLike<number>, b: ArrayLike<number>, q: number, level: number, seed: number, deffA = 1, deffB = 1, resamples = resamplesFor(level)): DiffInterval {
  const rand = seededRandom(seed);
  const ta = percentileSorted(a, q);
  const tb = percentileSorted(b, q);
  const sa = Math.sqrt(Math.max(1, deffA));
  const sb = Math.sqrt(Math.max(1, deffB));
  const draws = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) draws[i] = tb + sb * (resampledPercentile(b, q, rand) - tb) - ta - sa * (resampledPercentile(a, q, rand) - ta);
  const [lo, hi] = quantiles(draws, 1 - level);
  return { point: tb - ta, lo, hi, method: 'bootstrap' };
}

/**
 * The design effect of a run's values in send order: the variance between consecutive blocks of
 * requests (about √n blocks, 5 to 50) over the variance independent requests would give (the
 * batch-means estimate); at least 1, and 1 for fewer than 20 values or no spread.
 */
export function designEffect(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 20) return 1;
  const k = Math.min(50, Math.max(5, Math.round(Math.sqrt(n))));
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const v = ss / (n - 1);
  if (!(v > 0)) return 1;
  let between = 0;
  for (let j = 0; j < k; j++) {
    const from = Math.floor((j * n) / k);
    const to = Math.floor(((j + 1) * n) / k);
    let s = 0;
    for (let i = from; i < to; i++) s += values[i]!;
    between += (to - from) * (s / (to - from) - mean) ** 2;
  }
  return Math.max(1, between / (k - 1) / v);
}

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

function normalInterval(point: number, se: number, level: number, method: IntervalMethod): DiffInterval {
  const z = normalQuantile(1 - (1 - level) / 2);
  return { point, lo: point - z * se, hi: point + z * se, method };
}

/** Running sums of one sample: count, Σx, Σx². */
export interface Moments {
  n: number;
  sum: number;
  sumSq: number;
}

export function momentsOf(xs: ArrayLike<number>): Moments {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < xs.length; i++) {
    sum += xs[i]!;
    sumSq += xs[i]! * xs[i]!;
  }
  return { n: xs.length, sum, sumSq };
}

/** Welch's interval on mean(B) − mean(A), each run's variance times its design effect. */
export function meanDiffInterval(a: Moments, b: Moments, level: number, deffA = 1, deffB = 1): DiffInterval {
  const v = (m: Moments) => (m.n > 1 ? Math.max(0, (m.sumSq - (m.sum * m.sum) / m.n) / (m.n - 1)) / m.n : 0);
  return normalInterval(b.sum / b.n - a.sum / a.n, Math.sqrt(v(a) * Math.max(1, deffA) + v(b) * Math.max(1, deffB)), level, 'welch');
}

/** Interval on rate(B) − rate(A), rate = Σx / duration · scale, the count taken as compound Poisson (var Σx²). */
export function rateDiffInterval(a: Moments, durA: number, b: Moments, durB: number, level: number, scale = 1): DiffInterval {
  const point = (b.sum / durB - a.sum / durA) * scale;
  const se = Math.sqrt(a.sumSq / (durA * durA) + b.sumSq / (durB * durB)) * scale;
  return normalInterval(point, se, level, 'poisson');
}

/** Agresti–Caffo interval on p(B) − p(A) for `ok` successes out of `n`; the point is the plain difference. */
export function proportionDiffInterval(okA: number, nA: number, okB: number, nB: number, level: number, deffA = 1, deffB = 1): DiffInterval {
  const pa = (okA + 1) / (nA + 2);
  const pb = (okB + 1) / (nB + 2);
  const se = Math.sqrt(((pa * (1 - pa)) / (nA + 2)) * Math.max(1, deffA) + ((pb * (1 - pb)) / (nB + 2)) * Math.max(1, deffB));
  const z = normalQuantile(1 - (1 - level) / 2);
  const point = okB / nB - okA / nA;
  // A difference of two shares lies in −1..1: the normal bounds are cut there (all good against none good reached −115%).
  return { point, lo: Math.max(-1, pb - pa - z * se), hi: Math.min(1, pb - pa + z * se), method: 'proportion' };
}

/** Per-request pairs (x, y) for a ratio of sums Σx / Σy (e.g. decode ms over token gaps). */
export interface RatioSample {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

function ratioAndVariance(s: RatioSample): [number, number] {
  const [r, v] = ratioVariance(s);
  const n = s.x.length;
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) residuals[i] = s.x[i]! - r * s.y[i]!;
  return [r, v * designEffect(residuals)];
}

function ratioVariance(s: RatioSample): [number, number] {
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < s.x.length; i++) {
    sx += s.x[i]!;
    sy += s.y[i]!;
  }
  const r = sx / sy;
  let ss = 0;
  for (let i = 0; i < s.x.length; i++) ss += (s.x[i]! - r * s.y[i]!) ** 2;
  // Delta method: var(Σx/Σy) ≈ Σ (x − r·y)² / (Σy)² (with n/(n−1) for the sample).
  const n = s.x.length;
  return [r, n > 1 ? ((ss / (sy * sy)) * n) / (n - 1) : 0];
}

/** Interval on (Σx/Σy)(B) − (Σx/Σy)(A), by the delta method (pairs in send order, for the design effect). */
export function ratioDiffInterval(a: RatioSample, b: RatioSample, level: number): DiffInterval {
  const [ra, va] = ratioAndVariance(a);
  const [rb, vb] = ratioAndVariance(b);
  return normalInterval(rb - ra, Math.sqrt(va + vb), level, 'ratio');
}
