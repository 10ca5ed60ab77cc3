/**
 * One thread's CPU priority. On Linux every thread has its own nice value, set with
 * setpriority(PRIO_PROCESS, tid); `/proc/thread-self` names the calling thread's id. Lowering a
 * thread's priority (a higher nice) needs no privilege; raising it (a nice below 0) needs root or
 * CAP_SYS_NICE, and otherwise fails with EACCES. Elsewhere (no /proc, another OS) nothing changes.
 *
 * A thread can also leave the normal policy for SCHED_IDLE (sched(7)): it then runs only on a core
 * no normal thread wants, a normal thread that wakes takes the core from it at once, and the
 * scheduler counts a core running only such threads as free when it places a thread that woke. A
 * lower nice does neither: the thread keeps its time slice (about a millisecond) before one that
 * woke may run. Node has no call for the policy, so util-linux's `chrt` sets it (no privilege is
 * needed to go to SCHED_IDLE, or to come back to the normal policy at nice 0 or above).
 *
 * Used by the load threads (`thread_priority high`: a packet is stamped when it comes, not when a
 * server on the same cores yields the core) and by the mirror (every thread but the proxy's yields,
 * src/core/mirror/thread-priority.ts).
 */
import { execFileSync } from 'node:child_process';
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

/** The scheduling policies a thread can be put in without privilege: the normal one and SCHED_IDLE. */
export type SchedPolicy = 'normal' | 'idle';

/** sched(7)'s numbers for them, as /proc/PID/task/TID/stat shows them (field 41). */
export const SCHED_POLICY_NUMBER: Record<SchedPolicy, number> = { normal: 0, idle: 5 };

/** The calls setThreadPolicy makes, replaceable in tests. */
export interface PolicyCalls {
  /** Runs `chrt ARGS` and throws when it fails. */
  chrt(args: string[]): void;
  /** The thread's policy number, undefined when it cannot be read (the thread ended, no /proc). */
  policy(tid: number): number | undefined;
}

/** Policy number of a thread of this process (field 41 of /proc/self/task/TID/stat). */
export function threadPolicy(tid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const n = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export const chrtCalls: PolicyCalls = {
  chrt: (args) => void execFileSync('chrt', args, { stdio: 'ignore', timeout: 5000 }),
  policy: threadPolicy,
};

/**
 * Puts one thread of this process in a policy (SCHED_IDLE with reset-on-fork, so a program it
 * starts, such as the next `chrt`, runs normally; or back to the normal policy at priority 0) and
 * reads it back. The thread's nice value is not touched.
 */
export function setThreadPolicy(tid: number, policy: SchedPolicy, calls: PolicyCalls = chrtCalls): { tid: number; policy: SchedPolicy } | { error: string } {
  try {
    calls.chrt(policy === 'idle' ? ['--idle', '--reset-on-fork', '--pid', '0', String(tid)] : ['--other', '--pid', '0', String(tid)]);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { error: "util-linux's chrt is not installed (it sets a thread's scheduling policy)" };
    return { error: `chrt failed for thread ${tid}: ${err.message.split('\n')[0]}` };
  }
  const now = calls.policy(tid);
  if (now === undefined) return { error: `thread ${tid} ended or cannot be read` };
  if (now !== SCHED_POLICY_NUMBER[policy]) return { error: `thread ${tid} has policy ${now} after chrt, not ${SCHED_POLICY_NUMBER[policy]}` };
  return { tid, policy };
}
