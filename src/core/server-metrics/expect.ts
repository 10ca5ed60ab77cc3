/**
 * SLO lines on the server's own figures: `expect server kv_cache_usage max < 90%`,
 * `expect server preemptions == 0`, `expect server queue p95 < 500ms`, or a raw metric the
 * server publishes: `expect server vllm:num_requests_swapped max == 0`. Stats: min, mean, max,
 * last for gauges (default max) and raw metrics (default last); p50, p95, p99 for the server's
 * histograms (default p95). Ratios take percentages, latencies durations.
 */
import { parseDuration, parsePercent } from '../scenario/units';
import type { ServerMetricsSummary, Spread } from './series';

export const SERVER_SPREADS = ['running', 'waiting', 'kv_cache_usage'] as const;
export const SERVER_RATIOS = ['kv_cache_usage', 'prefix_hit_rate'] as const;
export const SERVER_LATENCIES = ['ttft', 'itl', 'queue'] as const;
export const SERVER_TOTALS = ['preemptions', 'prompt_tokens', 'generation_tokens', 'failed_scrapes', 'prefix_hit_rate'] as const;
export const SERVER_FIGURES: readonly string[] = [...new Set([...SERVER_SPREADS, ...SERVER_LATENCIES, ...SERVER_TOTALS])];

const SPREAD_STATS = ['min', 'mean', 'max', 'last'];
const PCT_STATS = ['p50', 'p95', 'p99'];

export interface ServerSlo {
  /** A common figure (SERVER_FIGURES) or a raw metric name. */
  name: string;
  stat?: string;
}

const isRaw = (name: string): boolean => !SERVER_FIGURES.includes(name);

/** Parses what follows `server` on an SLO line: `NAME [STAT]`; the comparison is the caller's. */
export function parseServerFigure(name: string, stat: string | undefined): { ok: true; slo: ServerSlo } | { ok: false; message: string; onStat?: boolean } {
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) return { ok: false, message: `expected a server figure (${SERVER_FIGURES.join(', ')}) or a metric name, got "${name}"` };
  const allowed = (SERVER_LATENCIES as readonly string[]).includes(name) ? PCT_STATS : (SERVER_SPREADS as readonly string[]).includes(name) || isRaw(name) ? SPREAD_STATS : [];
  if (stat !== undefined && !allowed.includes(stat)) {
    return { ok: false, onStat: true, message: allowed.length ? `server ${name} takes ${allowed.join(', ')}, got "${stat}"` : `server ${name} is one figure for the run and takes no statistic` };
  }
  return { ok: true, slo: stat === undefined ? { name } : { name, stat } };
}

/** The SLO's value in base units: a ratio 0..1 for kv_cache_usage and prefix_hit_rate, ms for latencies. */
export function parseServerValue(name: string, text: string): { ok: true; value: number } | { ok: false; message: string } {
  if ((SERVER_RATIOS as readonly string[]).includes(name)) return parsePercent(text) as { ok: true; value: number } | { ok: false; message: string };
  if ((SERVER_LATENCIES as readonly string[]).includes(name)) return parseDuration(text) as { ok: true; value: number } | { ok: false; message: string };
  const v = Number(text);
  return text !== '' && Number.isFinite(v) ? { ok: true, value: v } : { ok: false, message: `expected a number, got "${text}"` };
}

/** The measured figure, or null when the server did not publish it (or no scrape worked). */
export function measureServer(slo: ServerSlo, s: ServerMetricsSummary | undefined): number | null {
  if (!s) return null;
  const spread = (x: Spread | undefined, stat = 'max'): number | null => (x ? x[stat as keyof Spread] : null);
  switch (slo.name) {
    case 'running':
    case 'waiting':
    case 'kv_cache_usage':
      return spread(s[slo.name], slo.stat);
    case 'ttft':
    case 'itl':
    case 'queue': {
      const p = slo.name === 'queue' ? s.queue_ms : slo.name === 'ttft' ? s.ttft_ms : s.itl_ms;
      return p?.[(slo.stat ?? 'p95') as 'p50' | 'p95' | 'p99'] ?? null;
    }
    case 'preemptions':
    case 'prompt_tokens':
    case 'generation_tokens':
    case 'prefix_hit_rate':
      return s[slo.name] ?? null;
    case 'failed_scrapes':
      return s.failed_scrapes;
    default:
      return spread(s.raw?.[slo.name], slo.stat ?? 'last');
  }
}

export function formatServer(slo: ServerSlo, v: number | null): string {
  if (v === null) return 'not measured';
  if ((SERVER_RATIOS as readonly string[]).includes(slo.name)) return `${(v * 100).toFixed(1)}%`;
  if ((SERVER_LATENCIES as readonly string[]).includes(slo.name)) return v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(1)}ms`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** Raw metric names the expectations name: summarised from the scrapes as they are. */
export function rawNamesOf(expectations: readonly { server?: ServerSlo }[]): string[] {
  return [...new Set(expectations.flatMap((e) => (e.server && isRaw(e.server.name) ? [e.server.name] : [])))];
}
