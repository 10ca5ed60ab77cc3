/**
 * The garbage collector's pauses on this thread, from perf_hooks 'gc' entries (one per collection,
 * its duration the time the thread stood still): count, total and longest, sent with the load
 * thread's `done` message so the run's self-check can name GC as the cause of a lag.
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface GcPauses {
  /** Collections seen. */
  count: number;
  /** Sum of their pauses, ms. */
  total: number;
  /** The longest pause, ms. */
  max: number;
}

export function emptyGcPauses(): GcPauses {
  return { count: 0, total: 0, max: 0 };
}

/** Starts counting this thread's GC pauses; the returned function stops and gives the figures. */
export function watchGcPauses(): () => GcPauses {
  const out = emptyGcPauses();
  const add = (entries: readonly PerformanceEntry[]): void => {
    for (const e of entries) {
      out.count++;
      out.total += e.duration;
      if (e.duration > out.max) out.max = e.duration;
    }
  };
  const obs = new PerformanceObserver((list) => add(list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  return () => {
    add(obs.takeRecords()); // entries queued but not yet delivered
    obs.disconnect();
    return out;
  };
}

/** The threads' pauses together: counts and totals add, the longest is the longest of any thread. */
export function mergeGcPauses(all: readonly GcPauses[]): GcPauses {
  const out = emptyGcPauses();
  for (const g of all) {
    out.count += g.count;
    out.total += g.total;
    if (g.max > out.max) out.max = g.max;
  }
  return out;
}
