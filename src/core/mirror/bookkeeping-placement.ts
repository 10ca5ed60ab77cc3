/**
 * Where the mirror's bookkeeping runs: on a worker thread of its own, or on the proxy's thread.
 * The worker keeps the shadow's work (its answer, decoding, records) off the loop that forwards
 * the primary's bytes, which pays when the worker has a core to itself. On two cores or fewer it
 * has none: the worker, its messages and the proxy take turns on the same cores, and the client
 * waits for them. Measured on 2 vCPUs with the simulators and the client on the same machine
 * (bench/mirror-floor.ts, 7 rounds of 600 requests each way, docs/mirror.md): p99 added to TTFT
 * +0.97 ms median per round on one thread against +1.76 ms with the worker.
 *
 * `LLMLOAD_MIRROR_ONE_THREAD=1` or `=0` overrides the rule, to compare the two with one build.
 */

/** Machines with more cores than this get the worker. */
export const ONE_THREAD_MAX_CORES = 2;

export interface BookkeepingPlacement {
  oneThread: boolean;
  /** Why, in words, for the start-up line. */
  reason: string;
}

export function placeBookkeeping(cores: number, override: string | undefined): BookkeepingPlacement {
  if (override === '1') return { oneThread: true, reason: 'bookkeeping on the proxy thread (LLMLOAD_MIRROR_ONE_THREAD=1)' };
  if (override === '0') return { oneThread: false, reason: 'bookkeeping on a worker thread (LLMLOAD_MIRROR_ONE_THREAD=0)' };
  if (cores <= ONE_THREAD_MAX_CORES) {
    return { oneThread: true, reason: `bookkeeping on the proxy thread: ${cores} core${cores === 1 ? '' : 's'}, so a worker would take turns with the proxy for them` };
  }
  return { oneThread: false, reason: `bookkeeping on a worker thread (${cores} cores)` };
}
