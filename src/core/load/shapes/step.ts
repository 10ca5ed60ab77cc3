/** `load step`: start users, add more every interval up to a maximum, then hold. */
import type { ClosedLoopSchedule, LoadOf, LoadShape, UserStep } from './types';

export const stepShape: LoadShape<'step'> = {
  kind: 'step',
  schedule: (load) => stepSchedule(load),
};

function stepSchedule(s: LoadOf<'step'>): ClosedLoopSchedule {
  const steps: UserStep[] = [{ at_ms: 0, users: Math.min(s.start, s.max) }];
  let users = steps[0]!.users;
  let t = 0;
  while (users < s.max && s.add > 0) {
    t += s.every_ms;
    users = Math.min(s.max, users + s.add);
    steps.push({ at_ms: t, users });
  }
  return { kind: 'closed', steps, end_ms: t + s.hold_ms };
}
