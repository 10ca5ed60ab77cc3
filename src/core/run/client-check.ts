/**
 * The self-checking clock's verdict: from the load threads' event-loop lag, the schedule lag and
 * the process's CPU use, decide whether the client itself limited the run, and say so in words —
 * with the likely cause of a lag, from what the run knows: the process had no CPU left, a load
 * thread was busy nearly all the time (too few threads), more threads than cores, the target on
 * the same machine, other processes keeping the machine busy, garbage collection pauses, a burst
 * of new connections (a fast ramp of users, or a server that closes every connection).
 */
import type { Percentiles } from '../metrics/histogram';
import type { ClientCheck } from '../metrics/summary';
import type { LagCause, ThreadChoice, ThreadPriority } from '../types/client-threads';
import { THREAD_BUSY_TARGET } from './thread-sizing';
import type { ConnectBursts } from '../load/connect-bursts';

/** Above this event-loop lag p99 the load threads timestamped packets late: the figures carry that error. */
export const LOOP_LAG_P99_LIMIT_MS = 10;
/** Above this schedule lag p99, open-loop requests left late: the offered load was not the planned one. */
export const SCHEDULE_LAG_LIMIT_MS = 5;
/** Above this share of every core, the client had no CPU to spare. */
export const CPU_SHARE_LIMIT = 0.9;
/** A load thread busy (event-loop utilization) above this share of the run had no time to spare: packets waited for it. */
export const THREAD_BUSY_LIMIT = 0.85;
/** A load thread busy below this share that still lagged was not run by the OS when packets came (waiting for a core). */
export const THREAD_IDLE_SHARE = 0.6;
/**
 * Above this share of a load thread's time in GC pauses, more than 1 packet in 100 arrives during
 * one and is stamped when it ends: the p99 of the timings lies inside the pauses, whatever the
 * lag probe's p99 (which counts each pause once, however long) says.
 */
export const GC_SHARE_LIMIT = 0.01;

export type { LagCause } from '../types/client-threads';

export interface ClientCheckInput {
  workers: number;
  cores: number;
  event_loop_lag_ms: Percentiles;
  schedule_lag_ms: Percentiles | null;
  cpu_percent: number;
  /** How the thread count was chosen (thread-sizing.ts). */
  threads?: ThreadChoice;
  /** Each load thread's event-loop utilization over the run, 0..1 (busy share of its wall time). */
  thread_busy?: readonly number[];
  /** The machine's 1-minute load average at the end of the run (os.loadavg). */
  load_average?: number;
  /** Garbage collection pauses of the load threads over the run, when they were read (perf_hooks 'gc' entries). */
  gc_pause_ms?: { max: number; total: number; count?: number };
  /** Wall time of the run, ms: with gc_pause_ms, the share of each load thread's time GC paused it. */
  wall_ms?: number;
  /** The load threads' lag while they opened connections, against the rest of the run (load/connect-bursts.ts). */
  connect_bursts?: ConnectBursts;
  /** Every request opened a connection of its own (server closes after each response, or keep_alive off). */
  connects_per_request?: boolean;
  /** `thread_priority high` as the threads applied it; absent: the normal priority was asked for. */
  thread_priority?: ThreadPriority;
}

/**
 * Advice for a lag from other processes on the cores (a server on this machine, a busy machine):
 * the load threads' priority, unless every one of them already ran raised.
 */
function priorityAdvice(p: ThreadPriority | undefined): string {
  if (p === undefined) return '; or write thread_priority high (needs root or CAP_SYS_NICE) so the load threads go first when they share a core';
  if (p.raised < p.threads) return `; thread_priority high was asked for but ${p.raised} of ${p.threads} load threads were raised${p.error ? ` (${p.error})` : ''}`;
  return '';
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;

/**
 * The causes of a lag the run can tell, each with its words, most likely first. A load average
 * above the cores (plus one for a server on this machine) means other processes wanted the cores.
 */
export function lagCauses(i: ClientCheckInput, lagMs: number): Array<{ cause: LagCause; text: string }> {
  const out: Array<{ cause: LagCause; text: string }> = [];
  const busiest = i.thread_busy && i.thread_busy.length > 0 ? Math.max(...i.thread_busy) : undefined;
  const cpuFull = i.cpu_percent > CPU_SHARE_LIMIT * 100 * i.cores;
  const local = i.threads?.local_target === true;
  // the threads had time to spare but were run late: the server on this machine had the cores
  const sameMachine = local && (busiest === undefined || busiest < THREAD_IDLE_SHARE);
  if (cpuFull) {
    out.push({ cause: 'cpu_saturated', text: `CPU saturated: the client process used ${i.cpu_percent.toFixed(0)}% CPU of ${i.cores * 100}% (${i.cores} cores), so its threads waited for a core; run the client on a larger machine or spread the load over workers` });
  }
  if (busiest !== undefined && busiest > THREAD_BUSY_LIMIT) {
    const more = i.workers < i.cores ? `too few load threads: write threads ${Math.min(i.cores, i.workers + 1)} (or more, up to the ${i.cores} cores)` : `the load needs more CPU than ${i.cores} cores give`;
    out.push({ cause: 'threads_busy', text: `the busiest load thread was busy ${pct(busiest)} of the run: packets waited for it; ${more}` });
  }
  if (i.workers > i.cores) {
    out.push({ cause: 'more_threads_than_cores', text: `too many load threads: ${i.workers} threads on ${i.cores} cores take turns, and a packet that comes while its thread waits is stamped late; write threads ${i.cores} or threads auto` });
  }
  if (i.load_average !== undefined && i.load_average > i.cores + (local ? 1 : 0) && !cpuFull) {
    out.push({ cause: 'machine_busy', text: `the machine was busy: load average ${i.load_average.toFixed(1)} on ${i.cores} cores, while this client kept ${(i.cpu_percent / 100).toFixed(1)} of them busy; other processes took the cores${sameMachine ? '' : priorityAdvice(i.thread_priority)}` });
  }
  if (sameMachine) {
    // fewer threads only when the work the threads did fits in one thread less, each half busy
    const work = i.thread_busy ? i.thread_busy.reduce((a, b) => a + b, 0) : Infinity;
    const fewer = i.workers >= i.cores && i.cores > 1 && work <= (i.cores - 1) * THREAD_BUSY_TARGET ? `; fewer load threads (threads ${i.cores - 1}) leave it a core` : '';
    out.push({ cause: 'server_same_machine', text: `the target runs on this machine and competes with the load threads for the ${i.cores} cores${busiest !== undefined ? ` (the threads were busy only ${pct(busiest)} but were run late)` : ''}: put the server on another machine for exact timings${fewer}${priorityAdvice(i.thread_priority)}` });
  }
  const b = i.connect_bursts;
  // most of the late probe ticks came while the threads opened connections, and the worst of them
  if (b && b.late_ticks > 0 && b.late_ticks_connecting * 2 >= b.late_ticks && b.lag_max_connecting >= b.lag_max_other) {
    const advice = i.connects_per_request
      ? 'every request opened a connection of its own (the server closes after each response, or keep_alive is off): on such a server the lag grows with the request rate, so spread the load over more threads or machines'
      : `users joined faster than the threads could connect them: ramp the users in over a longer time (here up to ${b.peak_per_s} connections a second), or leave the ramp out of the figures with warmup`;
    // first: it is read from the late ticks themselves, the other causes from the run as a whole
    out.unshift({
      cause: 'connection_burst',
      text: `opening connections stalled the load threads: ${b.late_ticks_connecting} of the ${b.late_ticks} lag probes over ${LOOP_LAG_P99_LIMIT_MS} ms came while they opened new connections (${b.opened} in all, up to ${b.peak_per_s} a second), up to ${b.lag_max_connecting.toFixed(1)} ms late against ${b.lag_max_other.toFixed(1)} ms at other times; ${advice}`,
    });
  }
  if (i.gc_pause_ms && i.gc_pause_ms.max >= lagMs / 2) {
    const gc = gcShare(i);
    const share = gc !== undefined ? `, ${(gc * 100).toFixed(1)}% of each load thread's time` : '';
    out.push({ cause: 'gc_pauses', text: `garbage collection paused the load threads up to ${i.gc_pause_ms.max.toFixed(1)} ms (${i.gc_pause_ms.total.toFixed(0)} ms in all${share})` });
  }
  return out;
}

/** The share of each load thread's wall time spent in GC pauses (the threads' total over threads × wall), when known. */
function gcShare(i: ClientCheckInput): number | undefined {
  return i.gc_pause_ms && i.wall_ms ? i.gc_pause_ms.total / (i.wall_ms * Math.max(1, i.workers)) : undefined;
}

export function clientCheck(i: ClientCheckInput): ClientCheck {
  const reasons: string[] = [];
  let causes: LagCause[] = [];
  const lag = i.event_loop_lag_ms.p99;
  if (lag !== null && lag > LOOP_LAG_P99_LIMIT_MS) {
    const found = lagCauses(i, lag);
    causes = found.map((c) => c.cause);
    const why = found.length > 0 ? `; likely cause: ${found.map((c) => c.text).join('; and ')}` : '';
    reasons.push(`the load threads' event loop lagged ${lag.toFixed(1)} ms at p99 (limit ${LOOP_LAG_P99_LIMIT_MS} ms): timings may be late by as much${why}`);
  }
  // GC pauses long and frequent enough to hold the p99 of the timings, even with the lag under its limit
  const gc = gcShare(i);
  if (gc !== undefined && gc >= GC_SHARE_LIMIT && i.gc_pause_ms!.max > LOOP_LAG_P99_LIMIT_MS && !causes.includes('gc_pauses')) {
    const max = i.gc_pause_ms!.max.toFixed(1);
    reasons.push(
      `garbage collection paused each load thread ${(gc * 100).toFixed(1)}% of the run, up to ${max} ms: a packet that arrives during a pause is stamped when it ends, and with more than ${GC_SHARE_LIMIT * 100}% of the time paused the p99 of the timings (TTFT, ITL) lies inside the pauses and may be late by up to ${max} ms; spread the open streams over more load threads or machines`,
    );
  }
  const sched = i.schedule_lag_ms?.p99 ?? null;
  if (sched !== null && sched > SCHEDULE_LAG_LIMIT_MS) {
    reasons.push(`requests were sent late: schedule lag p99 ${sched.toFixed(1)} ms, max ${(i.schedule_lag_ms?.max ?? 0).toFixed(1)} ms (limit ${SCHEDULE_LAG_LIMIT_MS} ms)`);
  }
  if (i.cpu_percent > CPU_SHARE_LIMIT * 100 * i.cores && !causes.includes('cpu_saturated')) {
    reasons.push(`the client used ${i.cpu_percent.toFixed(0)}% CPU of ${i.cores * 100}% (${i.cores} cores)`);
  }
  const out: ClientCheck = {
    workers: i.workers,
    cores: i.cores,
    event_loop_lag_ms: i.event_loop_lag_ms,
    cpu_percent: Math.round(i.cpu_percent * 10) / 10,
    bottleneck: reasons.length > 0,
  };
  if (i.threads) out.threads = i.threads;
  if (i.thread_priority) out.thread_priority = i.thread_priority;
  if (i.thread_busy && i.thread_busy.length > 0) out.thread_busy_percent = i.thread_busy.map((b) => Math.round(b * 1000) / 10);
  if (i.load_average !== undefined) out.load_average = Math.round(i.load_average * 100) / 100;
  if (causes.length > 0) out.causes = causes;
  if (i.connect_bursts && i.connect_bursts.opened > 0) out.connect_bursts = i.connect_bursts;
  if (i.gc_pause_ms) out.gc_pause_ms = { count: i.gc_pause_ms.count ?? 0, total: Math.round(i.gc_pause_ms.total * 100) / 100, max: Math.round(i.gc_pause_ms.max * 100) / 100 };
  if (reasons.length > 0) out.warning = `the client may have been the bottleneck: ${reasons.join('; ')}`;
  return out;
}
