/**
 * `load stages`: ramps and holds. User ramps make a closed loop (one user at a time, evenly spaced);
 * rate ramps an open loop with uniform arrivals. One stages block never mixes the two.
 */
import type { Stage } from '../../scenario/plan';
import type { LoadShape, RateSegment, Schedule, UserStep } from './types';

export const stagesShape: LoadShape<'stages'> = {
  kind: 'stages',
  schedule: (load) => stagesSchedule(load.stages),
};

function stagesSchedule(stages: Stage[]): Schedule {
  const byRate = stages.some((s) => s.kind === 'ramp_rate');
  if (byRate) {
    if (stages.some((s) => s.kind === 'ramp_users')) throw new Error('stages mix user ramps and rate ramps');
    const segments: RateSegment[] = [];
    let t = 0;
    let rate = 0;
    for (const s of stages) {
      if (s.kind === 'ramp_rate') {
        segments.push({ start_ms: t, end_ms: t + s.over_ms, from_per_s: rate, to_per_s: s.to_per_s });
        rate = s.to_per_s;
        t += s.over_ms;
      } else if (s.kind === 'hold') {
        segments.push({ start_ms: t, end_ms: t + s.for_ms, from_per_s: rate, to_per_s: rate });
        t += s.for_ms;
      }
    }
    return { kind: 'open', arrival: 'uniform', segments, end_ms: t };
  }
  const steps: UserStep[] = [{ at_ms: 0, users: 0 }];
  let t = 0;
  let users = 0;
  for (const s of stages) {
    if (s.kind === 'hold') {
      t += s.for_ms;
      continue;
    }
    if (s.kind !== 'ramp_users') continue;
    const delta = s.to - users;
    if (delta === 0 || s.over_ms === 0) {
      users = s.to;
      steps.push({ at_ms: t + s.over_ms, users });
    } else {
      // One user at a time, evenly spaced: the k-th change of the ramp lands at k/|delta| of it.
      const n = Math.abs(delta);
      for (let k = 1; k <= n; k++) {
        steps.push({ at_ms: t + Math.round((s.over_ms * k) / n), users: users + Math.sign(delta) * k });
      }
      users = s.to;
    }
    t += s.over_ms;
  }
  return { kind: 'closed', steps: compact(steps), end_ms: t };
}

/** Keeps the last of several steps at the same instant. */
function compact(steps: UserStep[]): UserStep[] {
  const out: UserStep[] = [];
  for (const s of steps) {
    if (out.length > 0 && out[out.length - 1]!.at_ms === s.at_ms) out[out.length - 1] = s;
    else out.push(s);
  }
  return out;
}
