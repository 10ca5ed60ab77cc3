/**
 * Live deltas between the run and the view. The runner batches at 5 Hz; the host folds what
 * arrives into one pending delta and forwards it at most every `minIntervalMs`, so the view never
 * gets one message per packet (or per request), and a hidden panel gets nothing until it shows
 * again (then the snapshot is replayed).
 */
import type { LiveDelta, Progress, RequestRow } from '../messages';
import type { SeriesRow } from '../metrics/aggregate';

/** Replaces rows by `t` and keeps them sorted; `rows` is not modified. */
export function mergeSeries(rows: readonly SeriesRow[], incoming: readonly SeriesRow[]): SeriesRow[] {
  if (incoming.length === 0) return rows.slice();
  const out = rows.slice();
  for (const r of incoming) {
    // Incoming rows are the newest seconds: search from the end.
    let i = out.length - 1;
    while (i >= 0 && out[i]!.t > r.t) i--;
    if (i >= 0 && out[i]!.t === r.t) out[i] = r;
    else out.splice(i + 1, 0, r);
  }
  return out;
}

export interface BatchedDelta {
  progress: Progress;
  series: SeriesRow[];
  requests: RequestRow[];
}

export class DeltaBatcher {
  private progress: Progress | null = null;
  private series = new Map<number, SeriesRow>();
  private requests: RequestRow[] = [];
  private lastFlush = -Infinity;

  constructor(private readonly minIntervalMs = 200) {}

  push(delta: LiveDelta): void {
    this.progress = delta.progress;
    for (const r of delta.series) this.series.set(r.t, r);
    for (const r of delta.requests) this.requests.push(r);
  }

  get pending(): boolean {
    return this.progress !== null;
  }

  /** The merged delta when one is pending and the interval has passed since the last one; else null. */
  take(now: number, force = false): BatchedDelta | null {
    if (this.progress === null) return null;
    if (!force && now - this.lastFlush < this.minIntervalMs) return null;
    const out: BatchedDelta = {
      progress: this.progress,
      series: [...this.series.values()].sort((a, b) => a.t - b.t),
      requests: this.requests,
    };
    this.progress = null;
    this.series = new Map();
    this.requests = [];
    this.lastFlush = now;
    return out;
  }
}
