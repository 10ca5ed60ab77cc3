// Threads' nice values and scheduling policies as the kernel reports them, for tests of thread priorities (Linux only).
import fs from 'node:fs';

/** Whether this system gives threads their own nice values and names the calling thread. */
export const threadPrioritiesHere = process.platform === 'linux' && fs.existsSync('/proc/thread-self');

/** One field of each thread's /proc/PID/task/TID/stat, counted from the state (field 3) as index 0. */
function statField(pid: number | 'self', index: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[index]));
    } catch {
      // the thread ended while the list was read
    }
  }
  return out;
}

/** Nice value of each thread of this process (field 19). */
export function threadNices(): Map<number, number> {
  return statField('self', 16);
}

/** Scheduling policy of each thread of a process (field 41: 0 normal, 5 SCHED_IDLE). */
export function threadPolicies(pid: number | 'self' = 'self'): Map<number, number> {
  return statField(pid, 38);
}
