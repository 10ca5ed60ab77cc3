/**
 * One thread's CPU priority. On Linux every thread has its own nice value, set with
 * setpriority(PRIO_PROCESS, tid); `/proc/thread-self` names the calling thread's id. Lowering a
 * thread's priority (a higher nice) needs no privilege; raising it (a nice below 0) needs root or
 * CAP_SYS_NICE, and otherwise fails with EACCES. Elsewhere (no /proc, another OS) nothing changes.
 *
 * Used by the load threads (`thread_priority high`: a packet is stamped when it comes, not when a
 * server on the same cores yields the core) and by the mirror's bookkeeping worker (lowered, so the
 * proxy thread goes first).
 */
import fs from 'node:fs';
import os from 'node:os';
import type { ThreadPriority } from '../types/client-threads';

/** The load threads' nice value with `thread_priority high`: CFS then gives them about 9 times a nice-0 thread's share of a contended core. */
export const HIGH_PRIORITY_NICE = -10;

/** This thread's id from /proc/thread-self ("PID/task/TID"), or undefined where there is none. */
export function threadId(): number | undefined {
  try {
    const m = /\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** What setting a thread's nice did: the thread and its nice value after, or why it could not be set. */
export type NiceResult = { tid: number; nice: number } | { error: string };

/** The calls setThisThreadNice makes (os.setPriority / os.getPriority), replaceable in tests. */
export interface PriorityCalls {
  set(tid: number, nice: number): void;
  get(tid: number): number;
}

const osCalls: PriorityCalls = { set: (tid, nice) => os.setPriority(tid, nice), get: (tid) => os.getPriority(tid) };

/** Sets the calling thread's nice value; the nice it has after (read back), or the reason it could not. */
export function setThisThreadNice(nice: number, calls: PriorityCalls = osCalls, thisThread: () => number | undefined = threadId): NiceResult {
  const tid = thisThread();
  if (tid === undefined) return { error: `thread priorities are set on Linux only (no /proc/thread-self on ${process.platform})` };
  try {
    calls.set(tid, nice);
    return { tid, nice: calls.get(tid) };
  } catch (e) {
    const code = (e as { code?: string; info?: { code?: string } }).info?.code ?? (e as { code?: string }).code;
    if (nice < 0 && (code === 'EACCES' || code === 'EPERM')) {
      return { error: `not permitted: a nice below 0 needs root or CAP_SYS_NICE (${code})` };
    }
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** The run's record of `thread_priority high` from what each load thread's setThisThreadNice returned. */
export function threadPriorityOf(results: readonly NiceResult[]): ThreadPriority {
  const raised = results.filter((r): r is { tid: number; nice: number } => 'nice' in r && r.nice < 0);
  const out: ThreadPriority = { asked: 'high', raised: raised.length, threads: results.length };
  if (raised.length > 0) out.nice = Math.max(...raised.map((r) => r.nice));
  const failed = results.find((r): r is { error: string } => 'error' in r);
  if (failed) out.error = failed.error;
  return out;
}
