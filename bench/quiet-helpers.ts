/**
 * For the mirror's benches: the harness's own processes (the client that times the requests, the
 * simulator standing in for the primary) put every thread but their main one under SCHED_IDLE,
 * as `llmload mirror` does with its own (src/core/mirror/thread-priority.ts). On 2 cores shared by
 * client, server and proxy, `perf sched` showed V8's collector helpers of the simulator and of the
 * client holding a core for a millisecond while the proxy's or the client's main thread, just
 * woken, waited for it (docs/mirror.md, 7 December): interference between the harness's processes
 * that a deployment, with the client and the GPU server on other machines, does not have, and that
 * falls on the proxied path more often because it wakes one more process. The benches print
 * whether it was done; LLMLOAD_BENCH_HARNESS_IDLE=0 leaves the harness's threads alone.
 */
import fs from 'node:fs';
import { setThreadPolicy } from '../src/core/load/thread-priority';

export const harnessIdle = process.env.LLMLOAD_BENCH_HARNESS_IDLE !== '0';

/** Every thread of this process but the main one under SCHED_IDLE, once; what was done. */
export function idleHelperThreads(): string {
  let tids: number[];
  try {
    tids = fs.readdirSync('/proc/self/task').map(Number);
  } catch {
    return 'not on Linux: harness threads left alone';
  }
  let set = 0;
  for (const tid of tids) {
    if (tid === process.pid) continue;
    const r = setThreadPolicy(tid, 'idle');
    if ('error' in r) return `harness threads left alone: ${r.error}`;
    set++;
  }
  return `${set} helper threads under SCHED_IDLE`;
}
