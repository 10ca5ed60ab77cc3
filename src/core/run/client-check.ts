/**
 * The self-checking clock's verdict: from the load threads' event-loop lag, the schedule lag and
 * the process's CPU use, decide whether the client itself limited the run, and say so in words.
 */
import type { Percentiles } from '../metrics/histogram';
import type { ClientCheck } from '../metrics/summary';

/** Above this event-loop lag p99 the load threads timestamped packets late: the figures carry that error. */
export const LOOP_LAG_P99_LIMIT_MS = 10;
/** Above this schedule lag p99, open-loop requests left late: the offered load was not the planned one. */
export const SCHEDULE_LAG_LIMIT_MS = 5;
/** Above this share of every core, the client had no CPU to spare. */
export const CPU_SHARE_LIMIT = 0.9;

export interface ClientCheckInput {
  workers: number;
  cores: number;
  event_loop_lag_ms: Percentiles;
  schedule_lag_ms: Percentiles | null;
  cpu_percent: number;
}

export function clientCheck(i: ClientCheckInput): ClientCheck {
  const reasons: string[] = [];
  const lag = i.event_loop_lag_ms.p99;
  if (lag !== null && lag > LOOP_LAG_P99_LIMIT_MS) {
    reasons.push(`the load threads' event loop lagged ${lag.toFixed(1)} ms at p99 (limit ${LOOP_LAG_P99_LIMIT_MS} ms): timings may be late by as much`);
  }
  const sched = i.schedule_lag_ms?.p99 ?? null;
  if (sched !== null && sched > SCHEDULE_LAG_LIMIT_MS) {
    reasons.push(`requests were sent late: schedule lag p99 ${sched.toFixed(1)} ms, max ${(i.schedule_lag_ms?.max ?? 0).toFixed(1)} ms (limit ${SCHEDULE_LAG_LIMIT_MS} ms)`);
  }
  if (i.cpu_percent > CPU_SHARE_LIMIT * 100 * i.cores) {
    reasons.push(`the client used ${i.cpu_percent.toFixed(0)}% CPU of ${i.cores * 100}% (${i.cores} cores)`);
  }
  const out: ClientCheck = {
    workers: i.workers,
    cores: i.cores,
    event_loop_lag_ms: i.event_loop_lag_ms,
    cpu_percent: Math.round(i.cpu_percent * 10) / 10,
    bottleneck: reasons.length > 0,
  };
  if (reasons.length > 0) out.warning = `the client may have been the bottleneck: ${reasons.join('; ')}`;
  return out;
}
