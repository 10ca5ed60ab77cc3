// The statistics behind Compare's verdicts (src/core/compare/bootstrap.ts, significance.ts), on
// synthetic samples with known answers: the exact order-statistic draw against brute-force
// resampling, interval coverage over many seeded repeats, the design effect of clumped samples,
// and how the verdict follows the interval and the minimum effect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  designEffect,
  meanDiffInterval,
  momentsOf,
  normalQuantile,
  percentileDiffInterval,
  percentileSorted,
  proportionDiffInterval,
  rateDiffInterval,
  ratioDiffInterval,
  resampledPercentile,
  seededRandom,
} from '../../src/core/compare/bootstrap';
import { applySignificance } from '../../src/core/compare/significance';
import { samplesOf } from '../../src/core/compare/samples';
import { verdictWords } from '../../src/core/compare/verdict-words';
import type { CompareRow } from '../../src/core/compare/row';
import type { RequestRecord } from '../../src/core/metrics/record';

const sortedOf = (xs: number[]) => Float64Array.from(xs).sort();
const expSample = (n: number, rand: () => number, scale = 1) => Array.from({ length: n }, () => -Math.log(1 - rand()) * scale);

test('nearest-rank percentiles and the normal quantile', () => {
  const xs = sortedOf([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
  assert.equal(percentileSorted(xs, 0.5), 5);
  assert.equal(percentileSorted(xs, 0.9), 9);
  assert.equal(percentileSorted(xs, 0.95), 10);
  assert.equal(percentileSorted(xs, 0.01), 1);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
  assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-5);
});

test('a resample percentile drawn from Beta(k, n-k+1) has the exact bootstrap distribution of brute-force resampling', () => {
  const n = 20;
  const q = 0.5;
  const k = Math.ceil(q * n);
  const xs = sortedOf(Array.from({ length: n }, (_, i) => i));
  // Exact: P(resample's k-th smallest <= x_j) = P(Binomial(n, (j+1)/n) >= k).
  const binomTail = (p: number) => {
    let s = 0;
    for (let i = k; i <= n; i++) s += binom(n, i) * p ** i * (1 - p) ** (n - i);
    return s;
  };
  const R = 40_000;
  const rand = seededRandom(7);
  const beta = new Array(n).fill(0);
  const brute = new Array(n).fill(0);
  for (let r = 0; r < R; r++) {
    beta[resampledPercentile(xs, q, rand)]++;
    const resample = Array.from({ length: n }, () => xs[Math.floor(rand() * n)]!).sort((a, b) => a - b);
    brute[percentileSorted(resample, q)]++;
  }
  let cb = 0;
  let cr = 0;
  for (let j = 0; j < n; j++) {
    cb += beta[j] / R;
    cr += brute[j] / R;
    const exact = binomTail((j + 1) / n);
    assert.ok(Math.abs(cb - exact) < 0.012, `Beta draw CDF at ${j}: ${cb} vs exact ${exact}`);
    assert.ok(Math.abs(cr - exact) < 0.012, `brute-force CDF at ${j}: ${cr} vs exact ${exact}`);
  }
});

function binom(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

test('percentile intervals cover the true difference about 95% of the time, and find a 1.5x slowdown', () => {
  const rand = seededRandom(42);
  let sameCovers = 0;
  let shiftCovers = 0;
  let shiftFound = 0;
  const reps = 120;
  const trueShift = 0.5 * Math.LN2; // median of Exp(1.5) minus median of Exp(1)
  for (let i = 0; i < reps; i++) {
    const a = sortedOf(expSample(400, rand));
    const b = sortedOf(expSample(400, rand));
    const c = sortedOf(expSample(400, rand, 1.5));
    const same = percentileDiffInterval(a, b, 0.5, 0.95, i, 1, 1, 2000);
    if (same.lo <= 0 && same.hi >= 0) sameCovers++;
    const shift = percentileDiffInterval(a, c, 0.5, 0.95, i, 1, 1, 2000);
    if (shift.lo <= trueShift && shift.hi >= trueShift) shiftCovers++;
    if (shift.lo > 0) shiftFound++;
  }
  // Binomial(120, 0.95): 95% of repeats fall within about 109..118.
  assert.ok(sameCovers >= 106, `same distribution: zero covered in ${sameCovers}/${reps}`);
  assert.ok(shiftCovers >= 106, `slower: the true shift covered in ${shiftCovers}/${reps}`);
  assert.ok(shiftFound >= 110, `slower: found in ${shiftFound}/${reps}`);
  // Seeded: the same inputs give the same interval.
  const a = sortedOf(expSample(100, seededRandom(1)));
  const b = sortedOf(expSample(100, seededRandom(2)));
  assert.deepEqual(percentileDiffInterval(a, b, 0.95, 0.95, 3), percentileDiffInterval(a, b, 0.95, 0.95, 3));
});

test('Welch, ratio, rate and proportion intervals on known answers', () => {
  const rand = seededRandom(9);
  let covers = 0;
  for (let i = 0; i < 200; i++) {
    const a = momentsOf(expSample(200, rand, 100));
    const b = momentsOf(expSample(200, rand, 120));
    const d = meanDiffInterval(a, b, 0.95);
    if (d.lo <= 20 && d.hi >= 20) covers++;
  }
  assert.ok(covers >= 180 && covers <= 199, `Welch covers the true +20 in ${covers}/200`);
  // A design effect of 4 doubles the half-width.
  const a = momentsOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const one = meanDiffInterval(a, a, 0.95);
  const four = meanDiffInterval(a, a, 0.95, 4, 4);
  assert.ok(Math.abs((four.hi - four.lo) / (one.hi - one.lo) - 2) < 1e-9);
  // Ratio of sums: 10 ms per gap in A, 20 ms in B, no spread: exactly +10.
  const r = ratioDiffInterval({ x: [100, 200, 300], y: [10, 20, 30] }, { x: [200, 400, 600], y: [10, 20, 30] }, 0.95);
  assert.equal(r.point, 10);
  assert.equal(r.lo, 10);
  // Rates: 1,000 requests in 10 s against 1,000 in 10 s holds zero; against 700 it does not (sd about 14 per run).
  const c = (n: number) => ({ n, sum: n, sumSq: n });
  const same = rateDiffInterval(c(1000), 10, c(1000), 10, 0.95, 60);
  assert.ok(same.lo < 0 && same.hi > 0);
  const less = rateDiffInterval(c(1000), 10, c(700), 10, 0.95, 60);
  assert.equal(less.point, -1800);
  assert.ok(less.hi < 0);
  // Success: 100/100 against 100/100 holds zero; against 80/100 it does not.
  const ok = proportionDiffInterval(100, 100, 100, 100, 0.95);
  assert.ok(ok.lo < 0 && ok.hi > 0 && ok.point === 0);
  const drop = proportionDiffInterval(100, 100, 80, 100, 0.95);
  assert.ok(drop.hi < 0 && Math.abs(drop.point + 0.2) < 1e-12);
});

test('the design effect: about 1 for independent values, large when values come in clumps', () => {
  const rand = seededRandom(5);
  const iid = Array.from({ length: 900 }, () => rand());
  assert.ok(designEffect(iid) < 1.8, String(designEffect(iid)));
  assert.equal(designEffect([1, 2, 3]), 1, 'too few values');
  // 900 values in 30 runs of 30 equal values each: every block is one level.
  const clumped = Array.from({ length: 900 }, (_, i) => Math.floor(i / 30) % 2);
  assert.ok(designEffect(clumped) > 10, String(designEffect(clumped)));
});

function rec(id: number, ttft: number, over: Partial<RequestRecord> = {}): RequestRecord {
  return { id, prompt: 'p', user: 0, start_ms: 0, offset_ms: id * 10, status: 'ok', http_status: 200, ttft_ms: ttft, ttfa_ms: ttft, thinking_ms: null, e2e_ms: ttft + 500, input_tokens: 10, output_tokens: 50, output_tokens_source: 'server', thinking_tokens: 0, thinking_tokens_source: 'server', token_rate: 50, finish_reason: 'stop', packets: {}, ...over };
}

function rows(a: number, b: number, stat: string): CompareRow[] {
  return [{ metric: 'ttft_ms', label: `ttft ${stat}`, stat, unit: 'ms', better: 'lower', a, b, abs: b - a, rel: (b - a) / a, verdict: 'worse', noise: 0.1 }];
}

test('verdicts: an interval that excludes zero and a change at least the minimum effect; max and thin tails are not tested', () => {
  const rand = seededRandom(11);
  const base = Array.from({ length: 2000 }, () => 100 + 20 * rand());
  const recs = (scale: number) => base.map((t, i) => rec(i, t * scale));
  const a = samplesOf(recs(1), 10);
  // +2% on 2,000 requests: real, but below the default 5%.
  const small = rows(110, 112.2, 'p50');
  const stats = applySignificance(small, a, samplesOf(recs(1.02), 10));
  assert.equal(small[0]!.significant, true);
  assert.equal(small[0]!.verdict, 'same');
  assert.match(small[0]!.note!, /smaller than the minimum effect of 5%/);
  assert.equal(verdictWords(small[0]!), 'no significant change');
  assert.equal(small[0]!.noise, undefined, 'no noise band on a row with an interval');
  assert.equal(stats.overall, 'same');
  assert.equal(stats.family, 1);
  // The same change with --min-effect 1%: worse, its interval above zero.
  const strict = rows(110, 112.2, 'p50');
  assert.equal(applySignificance(strict, a, samplesOf(recs(1.02), 10), { minEffect: 0.01 }).overall, 'worse');
  assert.equal(strict[0]!.verdict, 'worse');
  assert.ok(strict[0]!.interval!.lo > 0 && strict[0]!.interval!.rel_lo! > 0.005 && strict[0]!.interval!.rel_hi! < 0.04, JSON.stringify(strict[0]!.interval));
  // Faster by 20%: better.
  const faster = rows(110, 88, 'p95');
  applySignificance(faster, a, samplesOf(recs(0.8), 10));
  assert.equal(faster[0]!.verdict, 'better');
  // A maximum is never tested; p99 needs 1,000 requests per run.
  const max = rows(120, 240, 'max');
  applySignificance(max, a, samplesOf(recs(2), 10));
  assert.equal(max[0]!.verdict, 'n/a');
  assert.equal(verdictWords(max[0]!), 'not tested');
  const few = samplesOf(base.slice(0, 500).map((t, i) => rec(i, t)), 10);
  const p99 = rows(119, 238, 'p99');
  applySignificance(p99, few, samplesOf(base.slice(0, 500).map((t, i) => rec(i, t * 2)), 10));
  assert.match(p99[0]!.note!, /needs 1,000 in each run/);
  // The table's confidence is shared: two tested rows each get 97.5%.
  const two = [...rows(110, 110, 'p50'), ...rows(110, 110, 'mean')];
  const s2 = applySignificance(two, a, a);
  assert.equal(s2.family, 2);
  assert.ok(Math.abs(s2.row_level - 0.975) < 1e-12);
  assert.deepEqual(two.map((r) => r.verdict), ['same', 'same']);
});

test('samples follow the summary rules: warmup and cancelled left out, failures count against success only', () => {
  const s = samplesOf(
    [
      rec(3, 30),
      rec(1, 10),
      rec(2, 20, { warmup: true }),
      rec(4, 0, { status: 'error', ttft_ms: null, ttfa_ms: null, token_rate: null, error: { kind: 'http_5xx', message: 'x' } }),
      rec(5, 0, { status: 'error', ttft_ms: null, error: { kind: 'cancelled', message: 'stopped' } }),
    ],
    2,
  );
  assert.deepEqual([...s.timings.ttft_ms], [10, 30]);
  assert.deepEqual([...s.sent.ttft_ms], [10, 30], 'in send order');
  assert.deepEqual([...s.outcomes], [1, 1, 0]);
  assert.equal(s.ok, 2);
  assert.equal(s.failed, 1);
  assert.equal(s.gaps.length, 2);
  assert.equal(s.decode_ms[0], 980, '49 gaps at 50 tokens/s');
});

test('a share that falls from almost all to none: the interval stops at −100 points instead of going past it', () => {
  // 85 of 94 good against 0 of 94, at one row's level of a 15-row table (99.7%): the normal bounds reached −1.15.
  const d = proportionDiffInterval(85, 94, 0, 94, 0.9967, 1.8, 1);
  assert.equal(d.lo, -1);
  assert.ok(d.hi < -0.5 && d.hi > -0.9, JSON.stringify(d));
  assert.ok(Math.abs(d.point + 85 / 94) < 1e-12);
  const up = proportionDiffInterval(0, 94, 85, 94, 0.9967, 1, 1.8);
  assert.equal(up.hi, 1);
});
