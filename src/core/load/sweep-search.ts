/**
 * `load sweep ... search`: which level to probe next, from the probes so far. The lowest level
 * first; if it fails there is no capacity and the search stops. Then the load doubles (x2, users
 * rounded up) from the highest passing level until a probe fails or the highest level passes; then
 * the interval between the highest passing and the lowest failing level is halved until it is no
 * wider than the resolution (1 user by default). A probe fails when it breaks an SLO or is saturated
 * next to the highest passing level below it (the rule of ./sweep-control.ts). Pure: tested on
 * made-up outcomes; the run follows it in src/core/run/sweep-search-run.ts.
 */
import type { SweepLoad } from '../scenario/plan';
import { MAX_SWEEP_STEPS } from './shapes/sweep';
export { maxProbes } from './shapes/sweep';

export interface ProbeOutcome {
  level: number;
  passed: boolean;
}

export type SearchPlan = Pick<SweepLoad, 'over' | 'from' | 'to' | 'step'> & { search: { resolution: number } };

/** The highest passing and the lowest failing level probed (null when none). */
export function searchInterval(probes: readonly ProbeOutcome[]): { passed: number | null; failed: number | null } {
  let passed: number | null = null;
  let failed: number | null = null;
  for (const p of probes) {
    if (p.passed && (passed === null || p.level > passed)) passed = p.level;
    if (!p.passed && (failed === null || p.level < failed)) failed = p.level;
  }
  return { passed, failed };
}

const round = (over: SweepLoad['over'], v: number): number => (over === 'users' ? v : Math.round(v * 1e6) / 1e6);

/** The next level to probe, or undefined when the search is over. */
export function nextProbe(s: SearchPlan, probes: readonly ProbeOutcome[]): number | undefined {
  if (probes.length === 0) return s.from;
  if (probes.length >= MAX_SWEEP_STEPS) return undefined;
  const { passed, failed } = searchInterval(probes);
  if (passed === null) return undefined; // the lowest level failed: no capacity
  if (failed === null) {
    if (passed >= s.to) return undefined; // the highest level passed
    const up = s.step.by === 'times' ? passed * s.step.value : passed + s.step.value;
    const next = s.over === 'users' ? Math.max(passed + 1, Math.ceil(up - 1e-9)) : round('rate', up);
    return Math.min(s.to, next);
  }
  if (failed - passed <= s.search.resolution + 1e-9) return undefined;
  const mid = s.over === 'users' ? Math.floor((passed + failed) / 2) : round('rate', (passed + failed) / 2);
  return mid > passed && mid < failed ? mid : undefined;
}
