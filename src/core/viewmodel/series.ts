/**
 * What the charts draw, as chart.js wants it with `parsing: false` and min-max decimation: per
 * line, `{x, y}` points sorted by x (seconds), no null y (a second without a value has no point).
 */
import type { SeriesRow } from '../metrics/aggregate';
import type { ServerSeriesRow } from '../server-metrics/series-rows';

export interface Point {
  x: number;
  y: number;
}

export interface LineSpec {
  label: string;
  /** A VS Code theme colour variable, e.g. `--vscode-charts-blue`. */
  color: string;
  dash?: boolean;
  /** 'y1' for the right-hand axis. */
  axis?: 'y' | 'y1';
  value(r: SeriesRow): number | null;
}

export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  unitRight?: string;
  lines: LineSpec[];
}

export const THEME_COLORS = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
  '--vscode-charts-foreground',
];

/** The live charts. Error lines depend on the kinds seen, see errorLines. */
export function liveCharts(rows: readonly SeriesRow[]): ChartSpec[] {
  return [
    {
      id: 'latency',
      title: 'TTFT and TTFA',
      unit: 'ms',
      lines: [
        { label: 'TTFT p50', color: '--vscode-charts-blue', value: (r) => r.ttft_p50 },
        { label: 'TTFT p95', color: '--vscode-charts-purple', value: (r) => r.ttft_p95 },
        { label: 'TTFT p99', color: '--vscode-charts-red', value: (r) => r.ttft_p99 },
        { label: 'TTFA p50', color: '--vscode-charts-green', dash: true, value: (r) => r.ttfa_p50 },
        { label: 'TTFA p95', color: '--vscode-charts-orange', dash: true, value: (r) => r.ttfa_p95 },
      ],
    },
    {
      id: 'rate',
      title: 'Token rate p50',
      unit: 'tokens/s',
      lines: [{ label: 'token rate p50', color: '--vscode-charts-green', value: (r) => r.token_rate_p50 }],
    },
    {
      id: 'throughput',
      title: 'QPM and output tokens/s',
      unit: 'per minute',
      unitRight: 'tokens/s',
      lines: [
        { label: 'QPM', color: '--vscode-charts-blue', value: (r) => r.qpm },
        { label: 'output tokens/s', color: '--vscode-charts-orange', axis: 'y1', value: (r) => r.output_tokens_per_s },
      ],
    },
    {
      id: 'load',
      title: 'Load: users and requests in flight',
      unit: 'count',
      lines: [
        { label: 'active users', color: '--vscode-charts-purple', value: (r) => r.active_users },
        { label: 'in flight', color: '--vscode-charts-blue', value: (r) => r.in_flight },
        { label: 'sent/s', color: '--vscode-charts-yellow', dash: true, value: (r) => r.sent },
      ],
    },
    { id: 'errors', title: 'Errors by kind', unit: 'per second', lines: errorLines(rows) },
    ...serverCharts(rows),
  ];
}

/** The server row (from its /metrics, see src/core/server-metrics): only when a row has server figures. */
export function serverCharts(rows: readonly SeriesRow[]): ChartSpec[] {
  const s = (r: SeriesRow) => (r as ServerSeriesRow).server;
  if (!rows.some((r) => s(r) !== undefined)) return [];
  const has = (k: keyof NonNullable<ServerSeriesRow['server']>): boolean => rows.some((r) => s(r)?.[k] !== undefined);
  const specs: ChartSpec[] = [
    {
      id: 'server_requests',
      title: 'Server: requests running and waiting',
      unit: 'count',
      lines: [
        { label: 'running', color: '--vscode-charts-blue', value: (r) => s(r)?.running ?? null },
        { label: 'waiting', color: '--vscode-charts-red', value: (r) => s(r)?.waiting ?? null },
      ],
    },
  ];
  if (has('kv_cache_pct') || has('prefix_hit_pct')) {
    specs.push({
      id: 'server_cache',
      title: 'Server: KV-cache use and prefix-cache hits',
      unit: '%',
      lines: [
        { label: 'KV-cache %', color: '--vscode-charts-purple', value: (r) => s(r)?.kv_cache_pct ?? null },
        { label: 'prefix hit %', color: '--vscode-charts-green', dash: true, value: (r) => s(r)?.prefix_hit_pct ?? null },
      ],
    });
  }
  if (has('preemptions')) specs.push({ id: 'server_preemptions', title: 'Server: preemptions since the start', unit: 'count', lines: [{ label: 'preemptions', color: '--vscode-charts-orange', value: (r) => s(r)?.preemptions ?? null }] });
  return specs;
}

/** One line per error kind seen in the rows, in a stable (alphabetical) order. */
export function errorLines(rows: readonly SeriesRow[]): LineSpec[] {
  const kinds = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.errors)) kinds.add(k);
  const sorted = [...kinds].sort();
  const palette = ['--vscode-charts-red', '--vscode-charts-orange', '--vscode-charts-yellow', '--vscode-charts-purple', '--vscode-charts-blue', '--vscode-charts-green'];
  const lines: LineSpec[] = sorted.map((k, i) => ({
    label: k,
    color: palette[i % palette.length]!,
    value: (r: SeriesRow) => (r.errors as Record<string, number | undefined>)[k] ?? 0,
  }));
  if (lines.length === 0) lines.push({ label: 'errors', color: '--vscode-charts-red', value: (r) => r.failed });
  // Requests held back by backoff (series.json of a finished run), dashed beside the errors.
  if (rows.some((r) => (r.held_back ?? 0) > 0)) lines.push({ label: 'held back', color: '--vscode-charts-foreground', dash: true, value: (r) => r.held_back ?? 0 });
  return lines;
}

/** Points for one line: sorted by x, one per second, seconds without a finite value left out. */
export function linePoints(rows: readonly SeriesRow[], value: (r: SeriesRow) => number | null): Point[] {
  const out: Point[] = [];
  let lastX = -Infinity;
  const sorted = isSorted(rows) ? rows : [...rows].sort((a, b) => a.t - b.t);
  for (const r of sorted) {
    const y = value(r);
    if (y === null || !Number.isFinite(y) || r.t === lastX) continue;
    out.push({ x: r.t, y });
    lastX = r.t;
  }
  return out;
}

function isSorted(rows: readonly SeriesRow[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i]!.t < rows[i - 1]!.t) return false;
  return true;
}
