/**
 * Compares two runs: each figure of run B against run A, with absolute and relative deltas and a
 * verdict (better, worse, same) that knows which direction is good for each figure. Percentiles are
 * taken from the runs' lossless HDR histograms when summary.json has them. The same table is built
 * for each token bucket both runs have.
 */
import { Hist, type Percentiles } from '../metrics/histogram';
import type { Summary } from '../metrics/summary';
import { readBuckets, type BucketFigures } from '../viewmodel/buckets';
import { serverCompareRows } from '../server-metrics/compare-rows';
import { goodputCompareRows } from './goodput-rows';
import { turnCompareRows } from './turn-rows';
import { applyNoise, figureName, noiseBand, type NoiseBand } from './noise';
import type { PlanDifference } from './differences';
import type { CompareRow, Verdict } from './row';
import type { ComparisonStats } from './significance';

export type { CompareRow, Verdict } from './row';

export interface RunRef {
  dir: string;
  name: string;
  scenario: string;
  started_at: string;
  requests: number;
}

export interface BucketComparison {
  bucket: string;
  rows: CompareRow[];
}

export interface Comparison {
  a: RunRef;
  b: RunRef;
  rows: CompareRow[];
  buckets: BucketComparison[];
  /** How big a change must be to be called better or worse (noise.ts); shown above the table. */
  noise?: NoiseBand;
  /** What differs between the two runs' set-ups (load, target, model, prompts, ...), when their plans were read. */
  differences?: PlanDifference[];
  /** How the verdicts were reached (intervals from requests.jsonl, or the noise band) and the overall verdict; set by compareRunFolders. */
  stats?: ComparisonStats;
}

/** A relative change smaller than this is `same`. */
export const SAME_BAND = 0.01;

export const TIMING_FIGURES = [
  { metric: 'ttft_ms', name: 'ttft', unit: 'ms', better: 'lower' },
  { metric: 'ttfa_ms', name: 'ttfa', unit: 'ms', better: 'lower' },
  { metric: 'e2e_ms', name: 'e2e', unit: 'ms', better: 'lower' },
  { metric: 'thinking_ms', name: 'thinking', unit: 'ms', better: 'lower' },
  { metric: 'token_rate', name: 'token_rate', unit: 'tokens/s', better: 'higher' },
  { metric: 'itl_ms', name: 'itl', unit: 'ms', better: 'lower' },
] as const;

export const PLAIN_FIGURES = [
  { metric: 'qpm', name: 'qpm', unit: 'per minute', better: 'higher' },
  { metric: 'rps', name: 'rps', unit: 'per second', better: 'higher' },
  { metric: 'output_tokens_per_s', name: 'output_tokens_per_s', unit: 'tokens/s', better: 'higher' },
  { metric: 'success_rate', name: 'success_rate', unit: 'fraction', better: 'higher' },
] as const;

export const STATS = ['p50', 'p90', 'p95', 'p99', 'max', 'mean'] as const;
export type Stat = (typeof STATS)[number];

export function compareValues(a: number | null, b: number | null, better: 'lower' | 'higher'): Pick<CompareRow, 'abs' | 'rel' | 'verdict'> {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) return { abs: null, rel: null, verdict: 'n/a' };
  const abs = b - a;
  const rel = a !== 0 ? abs / Math.abs(a) : abs === 0 ? 0 : null;
  let verdict: Verdict;
  if (abs === 0 || (rel !== null && Math.abs(rel) < SAME_BAND)) verdict = 'same';
  else verdict = (abs < 0) === (better === 'lower') ? 'better' : 'worse';
  return { abs, rel, verdict };
}

/** A run's percentiles of one timing figure: from its histogram when it decodes, else as summary.json states them. */
export function percentilesOf(s: Summary, metric: (typeof TIMING_FIGURES)[number]['metric']): Percentiles | null {
  const enc = (s.histograms as Record<string, string> | undefined)?.[metric];
  if (typeof enc === 'string' && enc.includes(':')) {
    try {
      const h = Hist.decode(enc);
      if (h.count > 0) return h.percentiles();
      return { p50: null, p90: null, p95: null, p99: null, max: null, mean: null };
    } catch {
      // fall through to the stated figures
    }
  }
  const p = (s as unknown as Record<string, unknown>)[metric];
  return isPercentiles(p) ? p : null;
}

function isPercentiles(p: unknown): p is Percentiles {
  return typeof p === 'object' && p !== null && ('p50' in p || 'p95' in p);
}

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function timingRows(pa: (m: string) => Percentiles | null, pb: (m: string) => Percentiles | null, stats: readonly Stat[] = STATS): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const f of TIMING_FIGURES) {
    const a = pa(f.metric);
    const b = pb(f.metric);
    if (!a && !b) continue;
    for (const stat of stats) {
      const va = num(a?.[stat]);
      const vb = num(b?.[stat]);
      rows.push({ metric: f.metric, label: `${f.name} ${stat}`, stat, unit: f.unit, better: f.better, a: va, b: vb, ...compareValues(va, vb, f.better) });
    }
  }
  return rows;
}

function plainRows(a: Record<string, unknown>, b: Record<string, unknown>): CompareRow[] {
  return PLAIN_FIGURES.filter((f) => f.metric in a || f.metric in b).map((f) => {
    const va = num(a[f.metric]);
    const vb = num(b[f.metric]);
    return { metric: f.metric, label: f.name, stat: '', unit: f.unit, better: f.better, a: va, b: vb, ...compareValues(va, vb, f.better) };
  });
}

export function refOf(s: Summary, dir = '', name = ''): RunRef {
  return { dir, name: name || s.started_at, scenario: s.scenario, started_at: s.started_at, requests: s.requests?.total ?? 0 };
}

/** Graded runs: accuracy (0..1) as one more plain figure (docs/accuracy.md). */
function accuracyRows(a: Summary, b: Summary): CompareRow[] {
  if (!a.accuracy && !b.accuracy) return [];
  const va = num(a.accuracy?.value);
  const vb = num(b.accuracy?.value);
  return [{ metric: 'accuracy', label: 'accuracy', stat: '', unit: 'fraction', better: 'higher', a: va, b: vb, ...compareValues(va, vb, 'higher') }];
}

export function compareSummaries(a: Summary, b: Summary, refs?: { a?: RunRef; b?: RunRef }): Comparison {
  const rows = [
    ...plainRows(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>),
    ...accuracyRows(a, b),
    ...goodputCompareRows(a, b, compareValues),
    ...timingRows(
      (m) => percentilesOf(a, m as never),
      (m) => percentilesOf(b, m as never),
    ),
    ...serverCompareRows(a, b, compareValues),
  ];
  // Changes smaller than the runs' sampling noise are `same`, never better or worse.
  const noise = noiseBand(a.requests?.ok ?? a.requests?.total ?? 0, b.requests?.ok ?? b.requests?.total ?? 0);
  applyNoise(rows, noise);
  for (const r of rows) r.name = figureName(r.metric, r.stat);
  // Multi-turn sessions: TTFT per turn (turn 1 vs turn 1, ...), named and noise-banded per turn.
  rows.push(...turnCompareRows(a, b, compareValues));
  const ba = readBuckets(a);
  const bb = readBuckets(b);
  const buckets: BucketComparison[] = [];
  for (const x of ba) {
    const y = bb.find((z) => z.label === x.label);
    if (!y) continue;
    const bucketRows = [...plainRows(x.figures, y.figures), ...timingRows((m) => bucketPercentiles(x, m), (m) => bucketPercentiles(y, m), ['p50', 'p95', 'p99'])];
    applyNoise(bucketRows, noiseBand(bucketCount(x), bucketCount(y)));
    for (const r of bucketRows) r.name = figureName(r.metric, r.stat);
    buckets.push({ bucket: x.label, rows: bucketRows });
  }
  return { a: refs?.a ?? refOf(a), b: refs?.b ?? refOf(b), rows, buckets, noise };
}

function bucketCount(b: BucketFigures): number {
  const f = b.figures as Record<string, unknown>;
  const n = f.requests ?? f.count ?? f.ok;
  return typeof n === 'number' ? n : 0;
}

function bucketPercentiles(b: BucketFigures, metric: string): Percentiles | null {
  const hist = (b.figures.histograms as Record<string, unknown> | undefined)?.[metric];
  if (typeof hist === 'string' && hist.includes(':')) {
    try {
      const h = Hist.decode(hist);
      if (h.count > 0) return h.percentiles();
    } catch {
      // use the stated figures
    }
  }
  const p = b.figures[metric];
  return isPercentiles(p) ? p : null;
}
