/**
 * The client's load threads as a run records them (summary.json `client`): how many were chosen
 * and why (src/core/run/thread-sizing.ts), and the causes the self-check can name for a lag
 * (src/core/run/client-check.ts), and their CPU priority (src/core/load/thread-priority.ts). Shapes only, shared by the run layer and the summary.
 */

/** The load a plan is expected to make, from its plan alone (before any request). */
export interface LoadEstimate {
  /** Streams open at the peak. */
  streams: number;
  /** Requests started per second at the peak. */
  requests_per_s: number;
  /** SSE packets per second at the peak. */
  packets_per_s: number;
  /** Socket reads per second at the peak: one per packet for streams slower than SINGLE_READ_MAX_PACKETS_PER_S (run/thread-sizing.ts). */
  reads_per_s: number;
}

/** How the count was chosen: `auto` from the estimate, `scenario` by a `threads N` line, `caller` by the program that started the run (e.g. the bench). */
export type ThreadsChosenBy = 'auto' | 'scenario' | 'caller';

/** The choice, as recorded in summary.json (`client.threads`) and printed when the run starts. */
export interface ThreadChoice {
  threads: number;
  chosen_by: ThreadsChosenBy;
  /** Why, in words. */
  reason: string;
  /** The target runs on this machine (loopback address or the built-in simulator). */
  local_target: boolean;
  cores: number;
  /** The load the auto rule sized for; absent for external load (users unknown in advance). */
  estimate?: LoadEstimate;
}

/** Why the load threads lagged, most likely first (`ClientCheck.causes`). */
export type LagCause = 'cpu_saturated' | 'threads_busy' | 'more_threads_than_cores' | 'server_same_machine' | 'machine_busy' | 'gc_pauses' | 'connection_burst';


/** `thread_priority high` as the load threads applied it (summary.json `client.thread_priority`). */
export interface ThreadPriority {
  asked: 'high';
  /** Load threads that run at the raised priority. */
  raised: number;
  /** Load threads in all. */
  threads: number;
  /** Their nice value, read back after it was set (-10). */
  nice?: number;
  /** Why a thread was not raised (not permitted, not Linux): it ran at the normal priority. */
  error?: string;
}
