/**
 * Lowers the calling thread's CPU priority, and only that thread's: on Linux a thread has its own
 * nice value, set with setpriority(PRIO_PROCESS, tid), and `/proc/thread-self` names the calling
 * thread's id. The mirror's bookkeeping worker runs at BOOKKEEPING_NICE so that, when it and the
 * proxy thread want a core at once (two cores shared with everything else), the scheduler runs the
 * proxy first and a byte on its way to the client does not wait for records being written.
 * Elsewhere (no /proc, another OS) nothing changes. Raising one's own nice needs no privilege.
 */
import fs from 'node:fs';
import os from 'node:os';

/** The bookkeeping worker's nice value (0 normal, 19 lowest): CFS then gives it about a tenth of a contended core. */
export const BOOKKEEPING_NICE = 10;

/** This thread's id from /proc/thread-self ("PID/task/TID"), or undefined where there is none. */
export function threadId(): number | undefined {
  try {
    const m = /\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the calling thread's nice value; the thread id and its nice after, or undefined where it cannot be done. */
export function niceThisThread(nice: number): { tid: number; nice: number } | undefined {
  const tid = threadId();
  if (tid === undefined) return undefined;
  try {
    os.setPriority(tid, nice);
    return { tid, nice: os.getPriority(tid) };
  } catch {
    return undefined;
  }
}
