/**
 * `load sweep users|rate FROM..TO step xF|+N each D`: load that rises in steps, each held for the
 * same time, so one run measures the server at every level (its figures per step are in
 * ../../metrics/capacity.ts, the early stop in ../sweep-control.ts). Users make a closed loop; a
 * rate an open loop whose rate is constant within each step.
 */
import type { SweepLoad } from '../../scenario/plan';
import type { LoadShape, Schedule } from './types';

/** The most steps a sweep may have: a sweep is a handful of levels, not a ramp. */
export const MAX_SWEEP_STEPS = 100;

/** One step of a sweep: the level (users, or requests per second) from start_ms to end_ms. */
export interface SweepStep {
  index: number;
  level: number;
  start_ms: number;
  end_ms: number;
  /** Requests sent before this instant settle the server into the level and are not measured. */
  measure_from_ms: number;
}

/**
 * The levels from `from` to `to`: each the previous times the factor (users rounded up, and always
 * at least one more) or plus the increment; the last level is `to` even when the steps overshoot it.
 */
export function sweepLevels(s: Pick<SweepLoad, 'over' | 'from' | 'to' | 'step'>): number[] {
  const levels: number[] = [];
  let level = s.from;
  while (level < s.to - 1e-9 && levels.length < MAX_SWEEP_STEPS) {
    levels.push(level);
    let next = s.step.by === 'times' ? level * s.step.value : level + s.step.value;
    if (s.over === 'users') next = Math.max(level + 1, Math.ceil(next - 1e-9));
    else next = Math.round(next * 1e6) / 1e6;
    if (!(next > level)) break;
    level = next;
  }
  if (levels.length < MAX_SWEEP_STEPS) levels.push(s.to);
  return levels;
}

/** The steps of a sweep in the run's time. */
export function sweepSteps(s: SweepLoad): SweepStep[] {
  return sweepLevels(s).map((level, index) => ({
    index,
    level,
    start_ms: index * s.each_ms,
    end_ms: (index + 1) * s.each_ms,
    measure_from_ms: index * s.each_ms + Math.min(s.settle_ms, s.each_ms / 2),
  }));
}

/** A rate search's resolution when the scenario gives none: the lowest level, or 1/64 of the range if that is wider. */
export function defaultRateResolution(from: number, to: number): number {
  return Math.max(from, Math.round(((to - from) / 64) * 1e3) / 1e3);
}

/** The settle window when the scenario gives none: a fifth of each step, at most 10 s. */
export function defaultSettleMs(each_ms: number): number {
  return Math.min(10_000, Math.round(each_ms / 5));
}

/**
 * The most probes a search (`load sweep ... search`, ../sweep-search.ts) can take: the doublings up
 * to the highest level, then the halvings of the last doubling's interval down to the resolution.
 */
export function maxProbes(s: Pick<SweepLoad, 'over' | 'from' | 'to'> & { search: { resolution: number } }): number {
  let ups = 1;
  for (let level = s.from; level < s.to && ups < MAX_SWEEP_STEPS; ups++) level = Math.min(s.to, s.over === 'users' ? Math.max(level + 1, Math.ceil(level * 2 - 1e-9)) : level * 2);
  const halvings = Math.max(0, Math.ceil(Math.log2(Math.max(1, (s.to - s.from) / 2 / s.search.resolution))));
  return Math.min(MAX_SWEEP_STEPS, ups + halvings);
}

function sweepSchedule(s: SweepLoad): Schedule {
  const steps = sweepSteps(s);
  // A search is steered by the runner (../../run/sweep-search-run.ts); this schedule only sizes the run: its peak and, at most, its probes.
  const end_ms = s.search ? maxProbes({ ...s, search: s.search }) * s.each_ms : steps.length * s.each_ms;
  if (s.over === 'users') return { kind: 'closed', steps: steps.map((x) => ({ at_ms: x.start_ms, users: x.level })), end_ms };
  return {
    kind: 'open',
    arrival: s.arrival,
    end_ms,
    segments: steps.map((x) => ({ start_ms: x.start_ms, end_ms: x.end_ms, from_per_s: x.level, to_per_s: x.level })),
  };
}

export const sweepShape: LoadShape<'sweep'> = {
  kind: 'sweep',
  schedule: (load) => sweepSchedule(load),
};

/** A sweep in words, e.g. `sweep of 2..64 users (x2 each 30s, 6 steps)`, for hovers and plans. */
export function describeSweep(s: SweepLoad): string {
  const rate = (v: number): string => `${+v.toFixed(3)}/s`;
  const lv = (v: number): string => (s.over === 'rate' ? rate(v) : String(v));
  if (s.search) {
    const what = s.over === 'rate' ? `${lv(s.from)}..${lv(s.to)}` : `${s.from}..${s.to} users`;
    return `binary search of ${what} (each probe ${s.each_ms / 1000}s, resolution ${s.over === 'rate' ? rate(s.search.resolution) : `${s.search.resolution} user${s.search.resolution === 1 ? '' : 's'}`}, at most ${maxProbes({ ...s, search: s.search })} probes; doubles from the lowest level until one fails, then halves the interval)`;
  }
  const by = s.step.by === 'times' ? `x${s.step.value}` : `+${lv(s.step.value)}`;
  const what = s.over === 'rate' ? `${lv(s.from)}..${lv(s.to)}` : `${s.from}..${s.to} users`;
  return `sweep of ${what} (${by} each ${s.each_ms / 1000}s, ${sweepLevels(s).length} steps; stops when saturated or an SLO breaks)`;
}
