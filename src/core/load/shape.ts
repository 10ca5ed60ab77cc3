/**
 * Following load shapes in virtual time: how many closed-loop users should be active at each
 * instant, when each open-loop arrival is due, and which part of the load each thread drives. The
 * shapes themselves (one file each, making the schedule of a `load` kind) are in ./shapes. No clocks
 * here, so the schedules are tested exactly, and the engine only has to follow them.
 */
import type { LoadPlan } from '../scenario/plan';
import { ARRIVALS, shapeSchedule } from './shapes';
import type { ClosedLoopSchedule, OpenLoopSchedule, ReplayEntry, Schedule } from './shapes/types';

// The schedule types and the replay schedule live with the shapes (./shapes); re-exported for the engine, runner and tests.
export type { ClosedLoopSchedule, OpenLoopSchedule, RateSegment, ReplayEntry, ReplaySchedule, Schedule, UserStep } from './shapes/types';
export { replaySchedule } from './shapes/replay';

/** Which part of the load one worker thread drives: users or arrivals whose index % count === index. */
export interface Shard {
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

/** True when the shard drives the user or arrival with this global index. */
export function owns(shard: Shard, globalIndex: number): boolean {
  return globalIndex % shard.count === shard.index;
}

/** This shard's part of a global request budget (e.g. `stop after N requests`); the parts sum to `total`. */
export function shareOf(shard: Shard, total: number): number {
  return Math.floor((total + shard.count - 1 - shard.index) / shard.count);
}

/** The peak number of users (closed loop), or undefined for open-loop and replay schedules. */
export function peakUsers(s: Schedule): number | undefined {
  if (s.kind !== 'closed') return undefined;
  return Math.max(0, ...s.steps.map((x) => x.users));
}

/** The peak arrival rate per second of an open-loop schedule. */
export function peakRate(s: OpenLoopSchedule): number {
  return Math.max(0, ...s.segments.map((x) => Math.max(x.from_per_s, x.to_per_s)));
}

/** The schedule of a load plan, made by its shape (./shapes); a replay plan needs its log's entries (see replay.ts). */
export function scheduleFor(load: LoadPlan, replay?: readonly ReplayEntry[]): Schedule {
  return shapeSchedule(load, { replay });
}

/** The number of users a closed-loop schedule wants at t_ms. */
export function usersAt(schedule: ClosedLoopSchedule, t_ms: number): number {
  if (t_ms >= schedule.end_ms) return 0;
  let users = 0;
  for (const s of schedule.steps) {
    if (s.at_ms > t_ms) break;
    users = s.users;
  }
  return users;
}

/**
 * Arrival instants of an open-loop schedule: each lands where the rate's cumulative expected count
 * crosses the next target of the schedule's arrival process (./shapes ARRIVALS). Uniform arrivals
 * cross each integer; Poisson ones a sum of Exp(1) draws (a time-varying Poisson process by
 * inversion); gamma ones a sum of Gamma(k, 1/k) draws; bursts release `burst_size` arrivals at each
 * multiple of it. Instants are rounded to the microsecond, so periodic ones (bursts every D) are
 * exact, and none is at or after the schedule's end. `random` gives uniform numbers in [0, 1).
 */
export function* arrivals(schedule: OpenLoopSchedule, random: () => number): Generator<number> {
  const process = ARRIVALS[schedule.arrival];
  const size = process.size?.(schedule) ?? 1;
  let target = process.first(random, schedule);
  let acc = 0; // cumulative expected arrivals at the start of the current segment
  for (const seg of schedule.segments) {
    const len = seg.end_ms - seg.start_ms;
    if (len <= 0) continue;
    const a = seg.from_per_s / 1000; // per ms at the segment's start
    // A constant segment is kept apart: one with no end (stop after N requests) would give 0 * Infinity = NaN.
    const b = seg.to_per_s === seg.from_per_s ? 0 : (seg.to_per_s - seg.from_per_s) / 1000 / len; // per ms^2
    const total = b === 0 ? a * len : a * len + (b * len * len) / 2;
    while (target < acc + total) {
      const need = target - acc;
      const dt = Math.abs(b) < 1e-15 ? need / a : (-a + Math.sqrt(Math.max(0, a * a + 2 * b * need))) / b;
      const at = Math.round((seg.start_ms + dt) * 1000) / 1000;
      if (at >= schedule.end_ms) return;
      for (let k = 0; k < size; k++) yield at;
      target += process.next(random, schedule);
    }
    acc += total;
  }
}
