/**
 * Better, worse or no significant change, from the per-request samples of both runs: each row with
 * samples gets a confidence interval on B − A (bootstrap.ts), and is called better or worse only
 * when the interval excludes zero and the change is at least the minimum effect. The table's
 * confidence is shared over its rows (Bonferroni): at 95%, two runs of the same set-up show a whole
 * table of "no significant change" at least 95% of the time, however many rows it has.
 * Rows without samples (server figures, accuracy, token buckets, runs without requests.jsonl) keep
 * the noise band (noise.ts).
 */
import {
  designEffect,
  meanDiffInterval,
  momentsOf,
  percentileDiffInterval,
  percentileSorted,
  proportionDiffInterval,
  rateDiffInterval,
  ratioDiffInterval,
  seedOf,
  type DiffInterval,
} from './bootstrap';
import type { CompareRow } from './row';
import { goodputTest } from './goodput-rows';
import { turnTest } from './turn-rows';
import { SAMPLED_TIMINGS, type RunSamples, type SampledTiming } from './samples';

/** A change smaller than this (5% of run A's figure) is "no significant change" even when it is real. */
export const DEFAULT_MIN_EFFECT = 0.05;
/** The confidence of the whole table. */
export const DEFAULT_CONFIDENCE = 0.95;
/** A percentile gets an interval only when each run has this many requests beyond it (p99: 1,000 requests). */
export const MIN_TAIL = 10;
/** Fewer samples than this in either run: no interval. */
export const MIN_SAMPLES = 10;

export interface SignificanceOptions {
  /** Smallest relative change called better or worse, 0.05 = 5%. */
  minEffect?: number;
  /** Confidence of the table as a whole, 0.95 = 95%. */
  confidence?: number;
  /** Seed of the resampling (same seed, same intervals). */
  seed?: number;
}

export type OverallVerdict = 'better' | 'worse' | 'mixed' | 'same';

export interface ComparisonStats {
  /** `interval`: verdicts from the samples; `noise`: the noise band only (a run has no requests.jsonl). */
  judged_by: 'interval' | 'noise';
  confidence: number;
  min_effect: number;
  /** Rows sharing the confidence. */
  family: number;
  /** Each row's interval level: 1 − (1 − confidence) / family. */
  row_level: number;
  /** Over the rows with an interval: worse when some are worse and none better, mixed when both. */
  overall: OverallVerdict;
  counts: { better: number; worse: number; same: number };
  /** The method in words, for the views. */
  note: string;
}

const QUANTILES: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

type RowTest = { run(level: number): DiffInterval; base: number } | { untested: string } | null;

function isSampled(m: string): m is SampledTiming {
  return (SAMPLED_TIMINGS as readonly string[]).includes(m);
}

/** How a row is tested with these samples; null: no samples for it (keeps the noise band). */
function testFor(r: CompareRow, a: RunSamples, b: RunSamples, seed: number): RowTest {
  // Per-turn TTFT rows: the same test on that turn's requests alone.
  if (r.turn !== undefined) return turnTest(r, a, b, seed, testFor);
  const s = seedOf(`${r.metric} ${r.stat}`, seed);
  const m = r.metric;
  if (isSampled(m)) {
    const xa = a.timings[m];
    const xb = b.timings[m];
    if (Math.min(xa.length, xb.length) < MIN_SAMPLES) return { untested: `fewer than ${MIN_SAMPLES} requests with this figure in a run` };
    if (r.stat === 'max') return { untested: 'a maximum is one request: no interval holds for it (read p99)' };
    const ma = momentsOf(xa);
    if (r.stat === 'mean') return { run: (level) => meanDiffInterval(ma, momentsOf(xb), level, designEffect(a.sent[m]), designEffect(b.sent[m])), base: ma.sum / ma.n };
    const q = QUANTILES[r.stat];
    if (q === undefined) return null;
    const need = Math.ceil(MIN_TAIL / (1 - q));
    if (Math.min(xa.length, xb.length) < need) return { untested: `too few requests for an interval on ${r.stat}: needs ${need.toLocaleString('en-US')} in each run` };
    const ta = percentileSorted(xa, q);
    const tb = percentileSorted(xb, q);
    // A percentile moves with the share of requests below it: the design effect of that indicator.
    const below = (xs: Float64Array, t: number) => xs.map((x) => (x <= t ? 1 : 0));
    return { run: (level) => percentileDiffInterval(xa, xb, q, level, s, designEffect(below(a.sent[m], ta)), designEffect(below(b.sent[m], tb))), base: ta };
  }
  if (r.metric === 'itl_ms') {
    if (r.stat !== 'mean') return { untested: 'requests.jsonl keeps no per-token gaps: only the ITL mean has an interval' };
    if (Math.min(a.gaps.length, b.gaps.length) < MIN_SAMPLES) return { untested: `fewer than ${MIN_SAMPLES} requests with a token rate in a run` };
    const sum = (xs: Float64Array) => xs.reduce((t, x) => t + x, 0);
    return { run: (level) => ratioDiffInterval({ x: a.decode_ms, y: a.gaps }, { x: b.decode_ms, y: b.gaps }, level), base: sum(a.decode_ms) / sum(a.gaps) };
  }
  const count = (n: number) => ({ n, sum: n, sumSq: n });
  switch (r.metric) {
    case 'qpm':
    case 'rps': {
      const scale = r.metric === 'qpm' ? 60 : 1;
      return { run: (level) => rateDiffInterval(count(a.ok), a.duration_s, count(b.ok), b.duration_s, level, scale), base: (a.ok / a.duration_s) * scale };
    }
    case 'output_tokens_per_s': {
      const ma = momentsOf(a.output_tokens);
      return { run: (level) => rateDiffInterval(ma, a.duration_s, momentsOf(b.output_tokens), b.duration_s, level), base: ma.sum / a.duration_s };
    }
    case 'success_rate': {
      const na = a.ok + a.failed;
      const nb = b.ok + b.failed;
      if (na === 0 || nb === 0) return { untested: 'a run has no finished request' };
      return { run: (level) => proportionDiffInterval(a.ok, na, b.ok, nb, level, designEffect(a.outcomes), designEffect(b.outcomes)), base: a.ok / na };
    }
    case 'goodput_rps':
    case 'goodput_share':
      return goodputTest(r, a, b);
    default:
      return null;
  }
}

const pct = (x: number) => `${+(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`;

/** Judges `rows` from both runs' samples, in place; returns the method and the overall verdict. */
export function applySignificance(rows: CompareRow[], a: RunSamples, b: RunSamples, opts: SignificanceOptions = {}): ComparisonStats {
  const minEffect = opts.minEffect ?? DEFAULT_MIN_EFFECT;
  const confidence = opts.confidence ?? DEFAULT_CONFIDENCE;
  const seed = opts.seed ?? 1;
  const tests = rows.map((r) => (r.a === null || r.b === null ? null : testFor(r, a, b, seed)));
  const family = tests.filter((t) => t && 'run' in t).length;
  const level = 1 - (1 - confidence) / Math.max(1, family);
  const counts = { better: 0, worse: 0, same: 0 };
  rows.forEach((r, i) => {
    const t = tests[i];
    if (!t) {
      if (r.verdict !== 'n/a') r.judged_by = 'noise';
      return;
    }
    if ('untested' in t) {
      r.judged_by = 'untested';
      r.verdict = 'n/a';
      r.note = t.untested;
      delete r.noise;
      return;
    }
    const d = t.run(level);
    const rel = (x: number) => (t.base !== 0 ? x / Math.abs(t.base) : null);
    r.interval = { level, point: d.point, lo: d.lo, hi: d.hi, rel_point: rel(d.point), rel_lo: rel(d.lo), rel_hi: rel(d.hi), method: d.method };
    r.significant = d.lo > 0 || d.hi < 0;
    const effect = t.base !== 0 ? Math.abs(d.point / t.base) : d.point !== 0 ? Infinity : 0;
    r.judged_by = 'interval';
    delete r.noise;
    if (r.significant && effect >= minEffect) r.verdict = d.point < 0 === (r.better === 'lower') ? 'better' : 'worse';
    else {
      r.verdict = 'same';
      if (r.significant) r.note = `a real change, smaller than the minimum effect of ${pct(minEffect)}`;
    }
    counts[r.verdict]++;
  });
  const overall: OverallVerdict = counts.worse && counts.better ? 'mixed' : counts.worse ? 'worse' : counts.better ? 'better' : 'same';
  return {
    judged_by: 'interval',
    confidence,
    min_effect: minEffect,
    family,
    row_level: level,
    overall,
    counts,
    note: `each change has a confidence interval from the requests of both runs (${pct(confidence)} for the ${family} intervals together, ${pct(level)} each); it is called better or worse only when its interval excludes zero and it is at least ${pct(minEffect)}`,
  };
}

/** The stats of a comparison made without samples: today's noise-band rule, and why. */
export function noiseOnlyStats(rows: CompareRow[], why: string, opts: SignificanceOptions = {}): ComparisonStats {
  const counts = { better: 0, worse: 0, same: 0 };
  for (const r of rows) {
    if (r.verdict === 'n/a') continue;
    r.judged_by = 'noise';
    counts[r.verdict]++;
  }
  const overall: OverallVerdict = counts.worse && counts.better ? 'mixed' : counts.worse ? 'worse' : counts.better ? 'better' : 'same';
  return {
    judged_by: 'noise',
    confidence: opts.confidence ?? DEFAULT_CONFIDENCE,
    min_effect: opts.minEffect ?? DEFAULT_MIN_EFFECT,
    family: 0,
    row_level: 0,
    overall,
    counts,
    note: `${why}: no intervals; verdicts use the noise band only (changes inside it are "within noise")`,
  };
}
