/**
 * Puts the server's figures on the client's per-second series (series.json rows and the live
 * rows), so the panel and the report draw them on the same time axis: each row gets the last
 * scrape taken in its second, under `server`.
 */
import type { SeriesRow } from '../metrics/aggregate';
import type { ServerPoint } from './series';

/** A series row's server figures: counts, percentages (0..100) and preemptions since the start. */
export interface ServerRowFigures {
  running?: number;
  waiting?: number;
  kv_cache_pct?: number;
  prefix_hit_pct?: number;
  preemptions?: number;
  queue_p95_ms?: number;
}

export type ServerSeriesRow = SeriesRow & { server?: ServerRowFigures };

export function rowFigures(p: ServerPoint): ServerRowFigures {
  const f: ServerRowFigures = {};
  if (p.running !== undefined) f.running = p.running;
  if (p.waiting !== undefined) f.waiting = p.waiting;
  if (p.kv_cache_usage !== undefined) f.kv_cache_pct = p.kv_cache_usage * 100;
  if (p.prefix_hit_rate !== undefined) f.prefix_hit_pct = p.prefix_hit_rate * 100;
  if (p.preemptions !== undefined) f.preemptions = p.preemptions;
  if (p.queue_p95_ms !== undefined) f.queue_p95_ms = p.queue_p95_ms;
  return f;
}

/** Sets `server` on every row whose second had a scrape (points sorted by time). */
export function annotateServerRows(rows: SeriesRow[], points: readonly ServerPoint[]): void {
  if (points.length === 0) return;
  const bySecond = new Map<number, ServerPoint>();
  for (const p of points) bySecond.set(Math.floor(p.t_s), p);
  for (const r of rows as ServerSeriesRow[]) {
    const p = bySecond.get(r.t);
    if (p) r.server = rowFigures(p);
  }
}
