/**
 * One row of a comparison: a figure of run A beside run B, the change, and the verdict. Its own
 * file so that everything that builds rows (compare.ts, noise.ts, significance.ts,
 * server-metrics/compare-rows.ts) imports it from below, and none imports another for the type.
 */

/** `same` is shown as "no significant change" (or "within noise" under the noise-band rule). */
export type Verdict = 'better' | 'worse' | 'same' | 'n/a';

export type RowUnit = 'ms' | 'tokens/s' | 'per minute' | 'per second' | 'fraction' | 'count';

/** How a row's interval was made (see docs/metrics.md, "Comparing two runs"). */
export type IntervalMethod = 'bootstrap' | 'welch' | 'ratio' | 'poisson' | 'proportion';

/** A confidence interval on the change B − A, from the per-request samples of requests.jsonl. */
export interface RowInterval {
  /** Confidence level of this one interval (the table's level split over its rows, see `ComparisonStats`). */
  level: number;
  /** B − A from the samples, in the figure's unit. */
  point: number;
  lo: number;
  hi: number;
  /** The same as a fraction of run A's figure (null when A's figure is 0). */
  rel_point: number | null;
  rel_lo: number | null;
  rel_hi: number | null;
  method: IntervalMethod;
}

export interface CompareRow {
  /** Figure id: `ttft_ms`, `token_rate`, `qpm`, ... */
  metric: string;
  /** `ttft p95`, `qpm`, ... */
  label: string;
  /** `p95`, or '' for a plain figure. */
  stat: string;
  /** Per-turn rows of multi-turn sessions (turn-rows.ts): the turn number, from 1. */
  turn?: number;
  /** The figure in words: `Time to first token, p95`. */
  name?: string;
  /** The relative change below which this row is `same` (noise), e.g. 0.1 = ±10%; rows judged by an interval have none. */
  noise?: number;
  unit: RowUnit;
  better: 'lower' | 'higher';
  a: number | null;
  b: number | null;
  abs: number | null;
  rel: number | null;
  verdict: Verdict;
  /** What decided the verdict: a confidence interval, the noise band (no samples), or nothing (`untested`, see `note`). */
  judged_by?: 'interval' | 'noise' | 'untested';
  /** The interval on B − A, when both runs' requests.jsonl gave samples. */
  interval?: RowInterval;
  /** The interval excludes zero (the change is real), whether or not it reaches the minimum effect. */
  significant?: boolean;
  /** Why a row has no interval, or why a real change is still `same` (below the minimum effect). */
  note?: string;
}
