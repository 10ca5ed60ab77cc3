/**
 * For the mirror's benches: the harness's own processes (the client that times the requests, the
 * simulator standing in for the primary) put every thread but their main one under SCHED_IDLE,
 * with the mechanism `llmload mirror` uses for its own (src/core/mirror/thread-priority.ts). On 2
 * cores shared by client, server and proxy, `perf sched` showed V8's collector helpers of the
 * simulator and of the client holding a core for a millisecond while the proxy's or the client's
 * main thread, just woken, waited for it (docs/mirror.md, 7 December): interference between the
 * harness's processes that a deployment, with the client and the GPU server on other machines,
 * does not have, and that falls on the proxied path more often because it wakes one more process.
 * The simulator standing in for the shadow goes under SCHED_IDLE whole (idleWholeProcess): in use the
 * shadow is another machine, so its work must not take these cores from the client, the primary
 * or the proxy (with every conversation copied, both simulators' first tokens fall within a
 * millisecond of each other). Its own timing, which the mirror's worker takes and these benches do
 * not measure, is what pays.
 * The benches print what was done; LLMLOAD_BENCH_HARNESS_IDLE=0 leaves the harness's threads alone.
 */
import { chrtCalls, threadId } from '../src/core/load/thread-priority';
import { BackgroundThreads } from '../src/core/mirror/thread-priority';

export const harnessIdle = process.env.LLMLOAD_BENCH_HARNESS_IDLE !== '0';

/** Every thread of this process but the main one under SCHED_IDLE (nice 10 where it cannot be set), once; what was done. */
export function idleHelperThreads(): string {
  const threads = new BackgroundThreads({ mode: 'idle', mainTid: process.pid, ownTid: threadId(), allThreads: true });
  threads.start();
  threads.stop();
  const r = threads.report();
  if (r.policy === 'normal') return 'left alone (no thread ids here)';
  return r.error === undefined ? `${r.threads} helper threads under SCHED_IDLE` : `${r.threads} helper threads at nice 10 (${r.error})`;
}

/**
 * Every thread of another process under SCHED_IDLE (`chrt --all-tasks`; threads it starts later
 * inherit the policy); what was done, or why not.
 */
export function idleWholeProcess(pid: number | undefined): string {
  if (pid === undefined) return 'left alone (no pid)';
  try {
    chrtCalls.chrt(['--idle', '--all-tasks', '--pid', '0', String(pid)]);
    return 'under SCHED_IDLE, all threads';
  } catch (e) {
    return `left alone (chrt: ${(e as Error).message.split('\n')[0]})`;
  }
}
