/**
 * The discrete-event clock of a simulated deployment: a heap of timed events and ONE wake-up timer
 * for all of them (never one per token or per stream). A `WakeTimer` gives the current time and
 * the single pending wake-up; `realTimer()` drives it with performance.now() and one setTimeout,
 * `VirtualTimer` lets unit tests advance time by hand with no real timers at all.
 *
 * While an event runs, `now()` is the event's own (modelled) time, not the moment the timer fired,
 * so a late timer never shifts the model: a step that should end at 12.0 ms ends at 12.0 ms and the
 * next one starts there. Events already due run together in one turn, in time order.
 */

/** The one timer a deployment owns. */
export interface WakeTimer {
  now(): number;
  /** Arms the wake-up at an absolute time (replacing the pending one). */
  set(atMs: number, fire: () => void): void;
  clear(): void;
}

/** Real time: performance.now() and one setTimeout. */
export function realTimer(): WakeTimer {
  let handle: NodeJS.Timeout | undefined;
  return {
    now: () => performance.now(),
    set(atMs, fire) {
      if (handle) clearTimeout(handle);
      handle = setTimeout(() => {
        handle = undefined;
        fire();
      }, Math.max(0, atMs - performance.now()));
    },
    clear() {
      if (handle) clearTimeout(handle);
      handle = undefined;
    },
  };
}

/** Virtual time for tests: nothing happens until `advance` or `runUntilIdle` is called. */
export class VirtualTimer implements WakeTimer {
  private t = 0;
  private wake: { at: number; fire: () => void } | undefined;

  now(): number {
    return this.t;
  }
  set(atMs: number, fire: () => void): void {
    this.wake = { at: atMs, fire };
  }
  clear(): void {
    this.wake = undefined;
  }
  /** Moves time forward by `ms`, firing every wake-up due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    while (this.wake && this.wake.at <= end) {
      const w = this.wake;
      this.wake = undefined;
      this.t = Math.max(this.t, w.at);
      w.fire();
    }
    this.t = end;
  }
  /** Fires wake-ups until none is pending (or `limitMs` of virtual time passed); returns the time. */
  runUntilIdle(limitMs = 3_600_000): number {
    const end = this.t + limitMs;
    while (this.wake && this.wake.at <= end) {
      const w = this.wake;
      this.wake = undefined;
      this.t = Math.max(this.t, w.at);
      w.fire();
    }
    return this.t;
  }
}

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
}

/** Timed events on one wake-up timer. */
export class EventClock {
  private readonly heap: Scheduled[] = [];
  private seq = 0;
  /** Time of the event running now, or undefined outside events. */
  private current: number | undefined;
  private last = 0;
  private stopped = false;

  constructor(private readonly timer: WakeTimer) {}

  /** The modelled time: the running event's time, else the timer's time (never going backwards). */
  now(): number {
    if (this.current !== undefined) return this.current;
    return Math.max(this.last, this.timer.now());
  }

  /** Runs `fn` at absolute time `atMs` (at once-ish if already past). */
  at(atMs: number, fn: () => void): void {
    if (this.stopped) return;
    const e: Scheduled = { at: atMs, seq: this.seq++, fn };
    this.push(e);
    if (this.heap[0] === e) this.arm();
  }

  /** Drops every pending event and the timer. */
  stop(): void {
    this.stopped = true;
    this.heap.length = 0;
    this.timer.clear();
  }

  get pending(): number {
    return this.heap.length;
  }

  private arm(): void {
    const head = this.heap[0];
    if (!head) {
      this.timer.clear();
      return;
    }
    this.timer.set(head.at, () => this.fire());
  }

  private fire(): void {
    const limit = this.timer.now();
    // Run everything due, in time order, each at its own time.
    while (!this.stopped && this.heap.length > 0 && this.heap[0].at <= limit + 1e-9) {
      const e = this.pop();
      this.current = Math.max(this.last, e.at);
      this.last = this.current;
      try {
        e.fn();
      } finally {
        this.current = undefined;
      }
    }
    if (!this.stopped) this.arm();
  }

  private less(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Scheduled): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Scheduled {
    const h = this.heap;
    const top = h[0];
    const end = h.pop()!;
    if (h.length > 0) {
      h[0] = end;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
