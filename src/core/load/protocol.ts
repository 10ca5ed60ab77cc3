/**
 * Messages between the run orchestrator and its N load worker threads. A superset of the
 * worker <-> runner messages in ../messages.ts: every thread gets a shard of the load, waits for a
 * common start instant, and hands back its own histograms (encoded, added losslessly by the runner).
 */
import type { TracedRequest, WorkerInit } from '../messages';
import type { RequestRecord } from '../metrics/record';
import type { ReplayEntry, Shard } from './shape';

export interface LoadWorkerInit extends WorkerInit {
  shard: Shard;
  /** The entries of a replay log (replay plans only), the same for every shard. */
  replay?: ReplayEntry[];
  /** Connection pool size of this thread. */
  connections: number;
}

/** The per-thread histograms, by name, each `Hist.encode()`d (values in ms, scale 1000). */
export type EncodedHistograms = Record<ThreadHistName, string>;

export const THREAD_HISTS = ['itl_thinking', 'itl_answer', 'itl_packet_thinking', 'itl_packet_answer', 'schedule_lag', 'event_loop_lag'] as const;
export type ThreadHistName = (typeof THREAD_HISTS)[number];

export type LoadWorkerToRunner =
  /** The thread has built its client and waits for `go`. */
  | { type: 'ready' }
  | { type: 'records'; records: RequestRecord[]; traces: TracedRequest[] }
  | { type: 'tick'; t_ms: number; active_users: number; target_users: number; in_flight: number; sent: number }
  /** A stop condition fired on this thread that ends the whole run (the runner tells the others). */
  | { type: 'stopping'; reason: string }
  | { type: 'done'; ended_by: string; duration_ms: number; histograms: EncodedHistograms }
  | { type: 'fatal'; message: string };

export type RunnerToLoadWorker =
  /** Start the schedule at this wall-clock instant (epoch ms), common to every thread. */
  | { type: 'go'; start_epoch_ms: number; /** the same instant on process.hrtime, ms: one clock for every thread */ start_hr_ms: number }
  /** `abort` ends open streams at once; otherwise no new request is sent and those in flight finish. */
  | { type: 'stop'; reason: string; abort?: boolean };
