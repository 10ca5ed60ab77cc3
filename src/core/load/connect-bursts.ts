/**
 * Event-loop lag while connecting: the load thread's lag probe (worker.ts) tells this tracker, at
 * every tick, how late the tick fired and how many connections the thread has opened so far. A
 * tick whose window (since the previous tick) saw connections opened at BURST_CONNECTS_PER_S or
 * faster is a "connecting" window. The figures go with the thread's `done` message, so the run's
 * self-check can tell a lag that came from opening many connections at once (a fast ramp of users,
 * or a server that closes every connection after its response) from a lag over the whole run.
 *
 * The probe ticks every 10 ms; a window is that plus the tick's lag, so a stall of 400 ms in which
 * the thread connected 300 sockets is one late tick in a connecting window.
 */

/** A probe tick this late (ms) is a late tick; the self-check's event-loop lag limit (client-check.ts). */
export const LATE_TICK_MS = 10;
/** Connections opened per second on one thread at or above which a window counts as connecting. */
export const BURST_CONNECTS_PER_S = 200;
/** The window over which the peak connection rate is measured, ms. */
const PEAK_WINDOW_MS = 1000;

export interface ConnectBursts {
  /** Connections this thread opened. */
  opened: number;
  /** Probe ticks seen. */
  ticks: number;
  /** Ticks in a connecting window. */
  ticks_connecting: number;
  /** Ticks later than LATE_TICK_MS. */
  late_ticks: number;
  /** Of them, those in a connecting window. */
  late_ticks_connecting: number;
  /** The longest lag in a connecting window, ms. */
  lag_max_connecting: number;
  /** The longest lag in any other window, ms. */
  lag_max_other: number;
  /** The most connections opened in one second (PEAK_WINDOW_MS buckets; a shorter last bucket scaled up only past its half). */
  peak_per_s: number;
}

export function emptyConnectBursts(): ConnectBursts {
  return { opened: 0, ticks: 0, ticks_connecting: 0, late_ticks: 0, late_ticks_connecting: 0, lag_max_connecting: 0, lag_max_other: 0, peak_per_s: 0 };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Classifies the lag probe's ticks by the connections opened in their window. */
export class ConnectBurstTracker {
  private readonly out = emptyConnectBursts();
  private lastT: number;
  private lastOpened: number;
  private bucketT: number;
  private bucketOpened: number;

  constructor(now: number, opened = 0) {
    this.lastT = now;
    this.lastOpened = opened;
    this.bucketT = now;
    this.bucketOpened = opened;
  }

  /** A probe tick at `now` (ms, monotonic), `lagMs` late, with `opened` connections opened so far. */
  tick(now: number, lagMs: number, opened: number): void {
    const o = this.out;
    const window = now - this.lastT;
    const added = opened - this.lastOpened;
    this.lastT = now;
    this.lastOpened = opened;
    o.opened = opened;
    o.ticks++;
    const connecting = window > 0 && added > 0 && (added * 1000) / window >= BURST_CONNECTS_PER_S;
    if (connecting) {
      o.ticks_connecting++;
      if (lagMs > o.lag_max_connecting) o.lag_max_connecting = lagMs;
    } else if (lagMs > o.lag_max_other) o.lag_max_other = lagMs;
    if (lagMs > LATE_TICK_MS) {
      o.late_ticks++;
      if (connecting) o.late_ticks_connecting++;
    }
    const span = now - this.bucketT;
    if (span >= PEAK_WINDOW_MS) this.closeBucket(span, opened);
  }

  private closeBucket(span: number, opened: number): void {
    const rate = ((opened - this.bucketOpened) * 1000) / span;
    if (rate > this.out.peak_per_s) this.out.peak_per_s = rate;
    this.bucketT = this.lastT;
    this.bucketOpened = opened;
  }

  /**
   * The figures so far, the last partial second counted when it spans at least half a second.
   * `opened`: the thread's final count, when connections were opened after the last tick (the
   * probe stops when the load ends; requests still closing may open one more).
   */
  result(opened?: number): ConnectBursts {
    const span = this.lastT - this.bucketT;
    if (span >= PEAK_WINDOW_MS / 2) this.closeBucket(span, this.lastOpened);
    const o = this.out;
    return {
      ...o,
      opened: Math.max(o.opened, opened ?? 0),
      lag_max_connecting: round2(o.lag_max_connecting),
      lag_max_other: round2(o.lag_max_other),
      peak_per_s: Math.round(o.peak_per_s),
    };
  }
}

/**
 * The threads' figures together: counts add, the longest lags are the longest of any thread, and
 * the peak rates add (the threads ramp together, so their peaks fall in the same second; an upper
 * bound otherwise).
 */
export function mergeConnectBursts(all: readonly ConnectBursts[]): ConnectBursts {
  const out = emptyConnectBursts();
  for (const b of all) {
    out.opened += b.opened;
    out.ticks += b.ticks;
    out.ticks_connecting += b.ticks_connecting;
    out.late_ticks += b.late_ticks;
    out.late_ticks_connecting += b.late_ticks_connecting;
    out.lag_max_connecting = Math.max(out.lag_max_connecting, b.lag_max_connecting);
    out.lag_max_other = Math.max(out.lag_max_other, b.lag_max_other);
    out.peak_per_s += b.peak_per_s;
  }
  return out;
}
