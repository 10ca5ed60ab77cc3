/**
 * How large a change between two runs must be before Compare calls it better or worse. Two runs of
 * the same set-up never give the same percentiles: with n requests, a percentile moves by roughly
 * 1/sqrt(n) of itself from run to run, and a tail (p99, max) by about twice that. Changes inside
 * the band are `same` (shown as "within noise"); the band is shown above the table. This is a
 * visible threshold, not a significance test.
 */
import type { CompareRow } from './row';

export interface NoiseBand {
  /** Relative band for medians, means, rates and plain figures (0.1 = ±10%). */
  band: number;
  /** Relative band for tail figures (p99, max). */
  tail_band: number;
  /** The smaller of the two runs' request counts the band was taken from. */
  requests: number;
  /** The band in words, for the view. */
  note: string;
}

/** Never below 2%, never above 50%. */
const FLOOR = 0.02;
const CEILING = 0.5;
const TAIL = new Set(['p99', 'max']);

export function noiseBand(requestsA: number, requestsB: number): NoiseBand {
  const n = Math.max(0, Math.min(requestsA, requestsB));
  const band = n > 0 ? Math.min(CEILING, Math.max(FLOOR, 1 / Math.sqrt(n))) : CEILING;
  const tail = Math.min(CEILING, band * 2);
  const pct = (x: number) => `±${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
  return {
    band,
    tail_band: tail,
    requests: n,
    note: `changes within ${pct(band)} (${pct(tail)} for p99 and max) are within run-to-run noise for ${n.toLocaleString('en-US')} requests and are not called better or worse`,
  };
}

/** Rows whose relative change is inside the band become `same`; each row carries its band. */
export function applyNoise(rows: CompareRow[], noise: NoiseBand): void {
  for (const r of rows) {
    const band = TAIL.has(r.stat) ? noise.tail_band : noise.band;
    r.noise = band;
    if ((r.verdict === 'better' || r.verdict === 'worse') && r.rel !== null && Math.abs(r.rel) < band) r.verdict = 'same';
  }
}

const NAMES: Record<string, string> = {
  ttft_ms: 'Time to first token',
  ttfa_ms: 'Time to first answer token',
  e2e_ms: 'End-to-end latency',
  thinking_ms: 'Thinking time',
  token_rate: 'Token rate per request',
  itl_ms: 'Inter-token latency',
  qpm: 'Requests per minute',
  rps: 'Requests per second',
  output_tokens_per_s: 'Output tokens per second',
  success_rate: 'Success rate',
  goodput_rps: 'Goodput, requests per second',
  goodput_share: 'Goodput, share of requests',
};

/** `Time to first token, p95`; unknown figures keep their id. */
export function figureName(metric: string, stat: string): string {
  const base = NAMES[metric] ?? metric;
  return stat ? `${base}, ${stat}` : base;
}
