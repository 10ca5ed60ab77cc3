// Threads' nice values as the kernel reports them, for tests of thread priorities (Linux only).
import fs from 'node:fs';

/** Whether this system gives threads their own nice values and names the calling thread. */
export const threadPrioritiesHere = process.platform === 'linux' && fs.existsSync('/proc/thread-self');

/** Nice value of each thread of this process, from /proc/self/task/TID/stat (field 19, after the command's closing parenthesis). */
export function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended while the list was read
    }
  }
  return out;
}
