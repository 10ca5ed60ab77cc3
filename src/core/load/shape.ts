/**
 * Load shapes as pure functions of virtual time: how many closed-loop users should be active at
 * each instant, or when each open-loop arrival is due. No clocks here, so the schedules are tested
 * exactly, and the engine only has to follow them.
 */
import type { LoadPlan, PromptPlan, Stage } from '../scenario/plan';

/** From at_ms on, `users` users should be active. */
export interface UserStep {
  at_ms: number;
  users: number;
}

export interface ClosedLoopSchedule {
  kind: 'closed';
  steps: UserStep[];
  /** No request is sent at or after this instant; those in flight finish. */
  end_ms: number;
}

/** A piece of the open-loop arrival rate: per second, linear from `from` to `to` over [start, end). */
export interface RateSegment {
  start_ms: number;
  end_ms: number;
  from_per_s: number;
  to_per_s: number;
}

export interface OpenLoopSchedule {
  kind: 'open';
  segments: RateSegment[];
  arrival: 'poisson' | 'uniform';
  end_ms: number;
}

/** One line of a replay log: when (relative to the log's start) and what to send. */
export interface ReplayEntry {
  offset_ms: number;
  prompt: PromptPlan;
  /** The conversation the request belongs to (captured logs): its turns are sent in order. */
  conversation?: string;
}

/** A replayed log: send `entries[sends[i].entry]` at `sends[i].at_ms`, in order of time. */
export interface ReplaySchedule {
  kind: 'replay';
  sends: Array<{ at_ms: number; entry: number; group?: number }>;
  /** The last send instant; nothing is sent after it. */
  end_ms: number;
}

export type Schedule = ClosedLoopSchedule | OpenLoopSchedule | ReplaySchedule;

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

/**
 * Replay times: each entry's offset divided by the speed factor, sorted by time; entries with equal
 * offsets keep their order in the file.
 */
export function replaySchedule(entries: readonly ReplayEntry[], speed: number): ReplaySchedule {
  if (!(speed > 0)) throw new Error(`replay speed must be above 0, got ${speed}`);
  const sends = entries.map((e, entry) => ({ at_ms: e.offset_ms / speed, entry }));
  sends.sort((a, b) => a.at_ms - b.at_ms || a.entry - b.entry);
  // A conversation's sends share a group (numbered in order of first send): one thread sends them, in order.
  const groups = new Map<string, number>();
  for (const s of sends) {
    const c = entries[s.entry]!.conversation;
    if (c === undefined) continue;
    let g = groups.get(c);
    if (g === undefined) groups.set(c, (g = groups.size));
    (s as { group?: number }).group = g;
  }
  return { kind: 'replay', sends, end_ms: sends.length > 0 ? sends[sends.length - 1]!.at_ms : 0 };
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

/** The schedule of a load plan; a replay plan needs its log's entries (see replay.ts). */
export function scheduleFor(load: LoadPlan, replay?: readonly ReplayEntry[]): Schedule {
  switch (load.kind) {
    case 'users':
      return { kind: 'closed', steps: [{ at_ms: 0, users: load.users }], end_ms: load.duration_ms };
    case 'step':
      return stepSchedule(load);
    case 'stages':
      return stagesSchedule(load.stages);
    case 'rate':
      return {
        kind: 'open',
        arrival: load.arrival,
        end_ms: load.duration_ms,
        segments: [{ start_ms: 0, end_ms: load.duration_ms, from_per_s: load.per_s, to_per_s: load.per_s }],
      };
    case 'replay':
      if (!replay) throw new Error('a replay schedule needs the entries of its log (loadReplay)');
      return replaySchedule(replay, load.speed);
  }
}

function stepSchedule(s: Extract<LoadPlan, { kind: 'step' }>): ClosedLoopSchedule {
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
 * Arrival instants of an open-loop schedule. Uniform arrivals land where the cumulative expected
 * count crosses each integer; Poisson ones where it crosses a sum of Exp(1) draws (a time-varying
 * Poisson process by inversion). `random` gives uniform numbers in [0, 1).
 */
export function* arrivals(schedule: OpenLoopSchedule, random: () => number): Generator<number> {
  let target = schedule.arrival === 'uniform' ? 0 : -Math.log(1 - random());
  let acc = 0; // cumulative expected arrivals at the start of the current segment
  for (const seg of schedule.segments) {
    const len = seg.end_ms - seg.start_ms;
    if (len <= 0) continue;
    const a = seg.from_per_s / 1000; // per ms at the segment's start
    const b = (seg.to_per_s - seg.from_per_s) / 1000 / len; // per ms^2
    const total = a * len + (b * len * len) / 2;
    while (target < acc + total) {
      const need = target - acc;
      const dt = Math.abs(b) < 1e-15 ? need / a : (-a + Math.sqrt(Math.max(0, a * a + 2 * b * need))) / b;
      yield seg.start_ms + dt;
      target += schedule.arrival === 'uniform' ? 1 : -Math.log(1 - random());
    }
    acc += total;
  }
}
