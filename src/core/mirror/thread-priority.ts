/**
 * How the mirror's threads other than the proxy's are scheduled. The proxy's thread (the process's
 * main thread) carries every byte between a client and the primary; nothing else in the mirror is
 * urgent: the bookkeeping worker (sampling, the shadow, decoding, records), V8's helper threads
 * (garbage collection, compilation) and libuv's pool (file writes). So they yield: each runs under
 * SCHED_IDLE (../load/thread-priority.ts), on a core that no normal thread wants, and gives it up
 * at once to one that wakes, the proxy's or another program's (the primary on the same machine,
 * the client). At nice 10, as before, a woken thread still waited for the background thread's time
 * slice to end: traced with `perf sched` (docs/mirror.md, 7 December), the worker and V8's helpers
 * of the mirror were on the core in a fifth of the cases where the simulator's, the client's or
 * the proxy's thread waited more than half a millisecond after it woke; under SCHED_IDLE, in none.
 *
 * A thread under SCHED_IDLE gets next to nothing of a core that normal threads keep busy, and the
 * mirror's records and shadow copies must not fall behind without end. So the worker keeps a timer:
 * when it fires more than STARVED_MS late (the worker waited that long for a core, or was that
 * busy), every background thread goes back to the normal policy at nice 10, and yields again once
 * the timer has been on time for RECOVER_MS.
 *
 * Which threads: in a program that embeds the mirror (startMirror; the tests) only the worker's
 * own; in `llmload mirror`'s own process (`allThreads`), every thread but the main one, looked up
 * again every RESCAN_MS for threads started later (libuv's pool starts at its first use). Where the
 * policy cannot be set (no `chrt`, not Linux) the threads get nice 10 instead.
 */
import os from 'node:os';
import fs from 'node:fs';
import { chrtCalls, setThreadPolicy, type PolicyCalls } from '../load/thread-priority';

/** The nice value of background threads where SCHED_IDLE cannot be set, and while they are raised. */
export const BOOKKEEPING_NICE = 10;
export const TICK_MS = 250;
/** The worker's timer this late: raise the background threads to the normal policy. */
export const STARVED_MS = 500;
/** Raised threads yield again after this long with the timer on time (within ON_TIME_MS). */
export const RECOVER_MS = 10_000;
export const ON_TIME_MS = 20;
export const RESCAN_MS = 5_000;

/** How the background threads are scheduled: `idle` (the default), `nice` (nice 10, the normal policy), `normal` (left alone). */
export type BackgroundMode = 'idle' | 'nice' | 'normal';

/** What mirror.json records of it. */
export interface BackgroundThreadsReport {
  /** What the threads were last set to: `idle` (SCHED_IDLE), `nice` (nice 10), `normal` (not changed). */
  policy: BackgroundMode;
  /** Threads set. */
  threads: number;
  /** Times the threads went back to the normal policy because the worker waited too long for a core. */
  raised: number;
  /** Why SCHED_IDLE could not be set (then nice 10 was used). */
  error?: string;
}

export interface ThreadCalls extends PolicyCalls {
  nice(tid: number, nice: number): void;
  /** Thread ids of this process. */
  tasks(): number[];
}

export const osThreadCalls: ThreadCalls = {
  ...chrtCalls,
  nice: (tid, nice) => os.setPriority(tid, nice),
  tasks: () => fs.readdirSync('/proc/self/task').map(Number),
};

export class BackgroundThreads {
  private mode: BackgroundMode;
  private raisedNow = false;
  private readonly set = new Set<number>();
  private raised = 0;
  private error: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private expected = 0;
  private onTimeSince = 0;
  private lastScan = 0;

  constructor(
    private readonly o: {
      mode: BackgroundMode;
      /** The proxy's thread: never changed. */
      mainTid: number;
      /** The worker's thread (undefined where threads have no ids: then nothing is done). */
      ownTid: number | undefined;
      /** Every thread of the process but the main one (the mirror's own process), or the worker's alone. */
      allThreads: boolean;
      calls?: ThreadCalls;
      now?: () => number;
    },
  ) {
    this.mode = o.ownTid === undefined ? 'normal' : o.mode;
  }

  private get calls(): ThreadCalls {
    return this.o.calls ?? osThreadCalls;
  }

  private now(): number {
    return this.o.now ? this.o.now() : performance.now();
  }

  /** Sets the threads now and starts the timer (unref'd) that watches for starvation and new threads. */
  start(): void {
    if (this.mode === 'normal') return;
    this.scan();
    this.expected = this.now() + TICK_MS;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One timer tick: the lateness decides raising or yielding, and new threads are set. */
  tick(): void {
    const now = this.now();
    const late = now - this.expected;
    this.expected = now + TICK_MS;
    if (this.mode === 'idle') {
      if (!this.raisedNow && late > STARVED_MS) {
        this.raisedNow = true;
        this.raised++;
        this.onTimeSince = now;
        for (const tid of this.set) this.apply(tid);
      } else if (this.raisedNow) {
        if (late > ON_TIME_MS) this.onTimeSince = now;
        else if (now - this.onTimeSince >= RECOVER_MS) {
          this.raisedNow = false;
          for (const tid of this.set) this.apply(tid);
        }
      }
    }
    if (this.o.allThreads && now - this.lastScan >= RESCAN_MS) this.scan();
  }

  /** Sets every background thread not set yet. */
  private scan(): void {
    this.lastScan = this.now();
    let tids: number[];
    if (!this.o.allThreads) tids = [this.o.ownTid!];
    else {
      try {
        tids = this.calls.tasks();
      } catch {
        tids = [this.o.ownTid!];
      }
    }
    for (const tid of tids) {
      if (tid === this.o.mainTid || this.set.has(tid)) continue;
      if (this.apply(tid)) this.set.add(tid);
    }
  }

  /** Puts one thread where the mode and the starvation state say; false when it could not be set at all. */
  private apply(tid: number): boolean {
    const c = this.calls;
    if (this.mode === 'idle' && this.error === undefined) {
      if (!this.raisedNow) {
        const r = setThreadPolicy(tid, 'idle', c);
        if ('tid' in r) return true;
        // A thread that ended between the listing and chrt says nothing about chrt.
        if (c.policy(tid) === undefined) return false;
        // No chrt (or not permitted): nice 10 from here on, for this thread and the next.
        this.error = r.error;
        this.mode = 'nice';
      } else {
        const r = setThreadPolicy(tid, 'normal', c);
        if (!('tid' in r)) return false;
      }
    }
    try {
      c.nice(tid, BOOKKEEPING_NICE);
      return true;
    } catch {
      return false;
    }
  }

  report(): BackgroundThreadsReport {
    const out: BackgroundThreadsReport = { policy: this.mode, threads: this.set.size, raised: this.raised };
    if (this.error !== undefined) out.error = this.error;
    return out;
  }
}

/** LLMLOAD_MIRROR_BACKGROUND (idle, nice or normal; default idle), for comparing the three on a machine. */
export function backgroundModeOf(value: string | undefined): BackgroundMode {
  return value === 'nice' || value === 'normal' ? value : 'idle';
}
