/**
 * When a sweep stops early: after each step, compared with the step before it. Saturation is
 * throughput that no longer rises with the load while latency climbs, or an error rate that jumps;
 * a broken SLO also ends the sweep (higher levels would only break it more). Pure functions of the
 * steps' figures (src/core/metrics/capacity.ts), tested on synthetic steps.
 */
import type { SweepStepFigures } from '../metrics/capacity';

/** The saturation rule's thresholds (docs/metrics.md "Sweeps"). */
export const SATURATION = {
  /**
   * Throughput gained, as a share of the load added, below which throughput "stopped rising": under a
   * quarter of the added load turned into throughput. Not lower: a step's throughput counts the
   * requests that ended in its window, and a server that finishes its batch in step (continuous
   * batching with equal answer lengths, the simulator's slots) puts one batch more or less in a short
   * window, +/-15-25% at 1-2 s steps; a tenth let that noise read as "still rising".
   */
  min_gain_share: 0.25,
  /** The rise of TTFT p95 (or e2e p50 without TTFT) that counts as latency climbing: +20%. */
  latency_rise: 0.2,
  /** An error rate this many points above the previous step's (and at least this high) is saturation. */
  error_rise: 0.05,
  /** Rate sweeps: a step whose ok requests end at under this share of the offered rate is saturated (its queue only grows). */
  min_served_share: 0.9,
} as const;

export type SweepDecision = { stop: false } | { stop: true; by: 'saturated' | 'slo'; why: string };

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${Math.round(x * 100)}%`;
const ms = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);

/**
 * Why `cur` is saturated next to `prev`, or undefined when it is not. `over` rate: the level is the
 * offered rate, so a step that serves too little of it is saturated whatever its latency says
 * (requests still queued when the step is judged have no latency yet).
 */
export function saturation(prev: SweepStepFigures, cur: SweepStepFigures, over: 'users' | 'rate' = 'users'): string | undefined {
  const prevErr = prev.error_rate ?? 0;
  const curErr = cur.error_rate ?? 0;
  if (curErr >= SATURATION.error_rise && curErr - prevErr >= SATURATION.error_rise) {
    return `error rate rose from ${(prevErr * 100).toFixed(1)}% to ${(curErr * 100).toFixed(1)}%`;
  }
  if (over === 'rate' && cur.level > 0 && cur.throughput_rps < SATURATION.min_served_share * cur.level) {
    return `served ${cur.throughput_rps.toFixed(2)}/s of ${+cur.level.toFixed(3)}/s offered (${Math.round((cur.throughput_rps / cur.level) * 100)}%)`;
  }
  if (prev.throughput_rps <= 0 || cur.level <= prev.level) return undefined;
  const gain = cur.throughput_rps / prev.throughput_rps - 1;
  const loadGain = cur.level / prev.level - 1;
  if (gain >= SATURATION.min_gain_share * loadGain) return undefined;
  const latency = (s: SweepStepFigures): { v: number | null; name: string } => (s.ttft_ms.p95 !== null ? { v: s.ttft_ms.p95, name: 'TTFT p95' } : { v: s.e2e_ms.p50, name: 'e2e p50' });
  const a = latency(prev);
  const b = latency(cur);
  if (a.v === null || b.v === null || a.name !== b.name || b.v < a.v * (1 + SATURATION.latency_rise)) return undefined;
  return `throughput ${pct(gain)} for ${pct(loadGain)} load while ${a.name} rose from ${ms(a.v)} to ${ms(b.v)}`;
}

/** After the last step of `steps` ended: stop (an SLO broke, or the server is saturated) or go on. */
export function decideAfterStep(steps: readonly SweepStepFigures[], over: 'users' | 'rate' = 'users'): SweepDecision {
  const cur = steps[steps.length - 1];
  // Nothing finished yet (requests longer than the step): nothing to judge.
  if (!cur || cur.requests === 0) return { stop: false };
  if (!cur.slo_met) {
    const broken = cur.slos.filter((s) => !s.pass).map((s) => `${s.text} (was ${s.actual_text})`);
    return { stop: true, by: 'slo', why: `at ${cur.level}: ${broken.join(', ')}` };
  }
  const prev = steps[steps.length - 2];
  const why = prev ? saturation(prev, cur, over) : over === 'rate' ? saturation(cur, cur, over) : undefined;
  return why ? { stop: true, by: 'saturated', why: `at ${cur.level}: ${why}` } : { stop: false };
}

/** The first step (index) saturated next to the one before it, with why. */
export function firstSaturated(steps: readonly SweepStepFigures[], over: 'users' | 'rate' = 'users'): { step: number; why: string } | undefined {
  for (let i = 0; i < steps.length; i++) {
    const why = i === 0 ? (over === 'rate' ? saturation(steps[0]!, steps[0]!, over) : undefined) : saturation(steps[i - 1]!, steps[i]!, over);
    if (why) return { step: i, why };
  }
  return undefined;
}
