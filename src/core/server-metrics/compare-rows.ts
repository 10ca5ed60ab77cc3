/**
 * `compare`: the server's figures of two runs side by side (its /metrics and the per-request
 * timings), as rows like the client's; a figure neither run has is left out.
 */
import type { CompareRow } from '../compare/row';
import type { Summary } from '../metrics/summary';

type Unit = CompareRow['unit'];

const FIGURES: { metric: string; label: string; stat: string; unit: Unit; better: 'lower' | 'higher'; get(s: Summary): number | null | undefined }[] = [
  { metric: 'server.running', label: 'server running max', stat: 'max', unit: 'count', better: 'higher', get: (s) => s.server_metrics?.running?.max },
  { metric: 'server.waiting', label: 'server waiting max', stat: 'max', unit: 'count', better: 'lower', get: (s) => s.server_metrics?.waiting?.max },
  { metric: 'server.kv_cache_usage', label: 'server kv_cache_usage max', stat: 'max', unit: 'fraction', better: 'lower', get: (s) => s.server_metrics?.kv_cache_usage?.max },
  { metric: 'server.prefix_hit_rate', label: 'server prefix_hit_rate', stat: '', unit: 'fraction', better: 'higher', get: (s) => s.server_metrics?.prefix_hit_rate },
  { metric: 'server.preemptions', label: 'server preemptions', stat: '', unit: 'count', better: 'lower', get: (s) => s.server_metrics?.preemptions },
  { metric: 'server.ttft_ms', label: 'server ttft p95', stat: 'p95', unit: 'ms', better: 'lower', get: (s) => s.server_metrics?.ttft_ms?.p95 },
  { metric: 'server.queue_ms', label: 'server queue p95', stat: 'p95', unit: 'ms', better: 'lower', get: (s) => s.server_metrics?.queue_ms?.p95 },
  { metric: 'server_timing.prompt_ms', label: 'server prompt_ms p95', stat: 'p95', unit: 'ms', better: 'lower', get: (s) => s.server_timing?.prompt_ms?.p95 },
  { metric: 'server_timing.queue_ms', label: 'server queue_ms p95 (per request)', stat: 'p95', unit: 'ms', better: 'lower', get: (s) => s.server_timing?.queue_ms?.p95 },
];

export function serverCompareRows(a: Summary, b: Summary, values: (a: number | null, b: number | null, better: 'lower' | 'higher') => Pick<CompareRow, 'abs' | 'rel' | 'verdict'>): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const f of FIGURES) {
    const va = f.get(a) ?? null;
    const vb = f.get(b) ?? null;
    if (va === null && vb === null) continue;
    rows.push({ metric: f.metric, label: f.label, stat: f.stat, unit: f.unit, better: f.better, a: va, b: vb, ...values(va, vb, f.better) });
  }
  return rows;
}
