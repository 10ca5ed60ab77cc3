/**
 * A closed-loop schedule whose user count is set from outside the scenario (a Locust master, see
 * ../locust): it has no planned steps and no end. Each change becomes a step at the instant it
 * arrives, so `usersAt` and the engine's user loops follow it exactly as they follow a planned
 * step load: users above the count finish their request and stop, new ones start at once. The
 * master's spawn rate is the step load: it sends a new count each time it adds users.
 */
import type { ClosedLoopSchedule } from './shape';

/** A schedule with no users until `setExternalUsers` sets some, and no end. */
export function externalSchedule(): ClosedLoopSchedule {
  return { kind: 'closed', steps: [{ at_ms: 0, users: 0 }], end_ms: Infinity };
}

/**
 * From `at_ms` on, `users` users (a whole number >= 0). A change never goes back in time: one that
 * comes at or before the last step replaces that step's count.
 */
export function setExternalUsers(s: ClosedLoopSchedule, at_ms: number, users: number): void {
  if (!Number.isInteger(users) || users < 0) throw new Error(`a user count must be a whole number >= 0, got ${users}`);
  const last = s.steps[s.steps.length - 1]!;
  if (at_ms <= last.at_ms) last.users = users;
  else s.steps.push({ at_ms, users });
}
