/**
 * What a load shape is: the schedule types the engine follows, and the interface each shape in this
 * folder implements (one file per shape, registered in ./index.ts). A schedule is a pure function
 * of the plan in virtual time, so it is tested exactly and the engine only has to follow it.
 */
import type { LoadPlan, PromptPlan } from '../../scenario/plan';

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
  /** The arrival process (./index.ts ARRIVALS) that places arrivals under the rate. */
  arrival: 'poisson' | 'uniform' | 'gamma' | 'burst';
  /** `gamma`: the shape of the gamma-distributed gaps (vLLM's burstiness; 1 is Poisson, below 1 burstier). */
  burstiness?: number;
  /** `burst`: how many arrivals are released together at each instant. */
  burst_size?: number;
  end_ms: number;
}

/** The settings of an arrival process, read from its schedule. */
export type ArrivalOptions = Pick<OpenLoopSchedule, 'burstiness' | 'burst_size'>;

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

/** The load plan of one shape, e.g. `LoadOf<'rate'>`. */
export type LoadOf<K extends LoadPlan['kind']> = Extract<LoadPlan, { kind: K }>;

/** What a shape may need beyond its plan. */
export interface ShapeContext {
  /** The entries of a replay log (see ../replay.ts); only replay shapes read them. */
  replay?: readonly ReplayEntry[];
}

/**
 * One load shape: the `load` kind it implements and the schedule it makes. A closed-loop schedule
 * gives user counts over time, an open-loop one rate segments and an arrival process, a replay one
 * its send instants. Everything the engine and the runner need follows from the schedule: its end
 * (`end_ms`), its peak users and rate (`peakUsers`, `peakRate` in ../shape.ts), the thread count.
 */
export interface LoadShape<K extends LoadPlan['kind'] = LoadPlan['kind']> {
  kind: K;
  schedule(load: LoadOf<K>, ctx: ShapeContext): Schedule;
}

/**
 * An open-loop arrival process, in units of expected arrivals: the n-th arrival lands where the
 * rate's cumulative expected count reaches the sum of `first` and n-1 `next` draws. A renewal
 * process with mean gap 1 keeps the schedule's mean rate; `random` gives uniform numbers in [0, 1).
 * A process with `size` releases that many arrivals together at each target (its gaps then have
 * mean `size`). Settings such as gamma's shape come in `o`, from the schedule (`arrivals` always
 * passes it).
 */
export interface ArrivalProcess {
  first(random: () => number, o?: ArrivalOptions): number;
  next(random: () => number, o?: ArrivalOptions): number;
  size?(o?: ArrivalOptions): number;
}
