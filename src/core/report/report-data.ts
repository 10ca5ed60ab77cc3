/**
 * What an HTML report embeds: the run's snapshot (summary, series), every request row (up to a
 * cap) and the packets of traced requests (up to a cap), read from the run folder.
 */
import path from 'node:path';
import type { PanelSnapshot, RequestDetail, TableRow } from '../messages';
import { bucketLabels, readRequestRows, readRunFolder, RunFiles } from '../viewmodel/run-folder';

export interface ReportData {
  snapshot: PanelSnapshot;
  rows: TableRow[];
  bucketOrder: string[];
  /** Details of the traced requests the report keeps (packets included). */
  details: RequestDetail[];
  generated_at: string;
  /** Set when a cap left rows or traces out. */
  truncated?: { rows?: number; traces?: number };
}

export interface ReportLimits {
  /** Request rows kept; default 100,000. */
  maxRows?: number;
  /** Traced requests whose packets are kept; default 300 (failed ones first). */
  maxTraced?: number;
}

export async function buildReportData(dir: string, limits: ReportLimits = {}, now = new Date()): Promise<ReportData> {
  const info = readRunFolder(dir);
  const allRows = await readRequestRows(info.dir, info.buckets);
  const maxRows = limits.maxRows ?? 100_000;
  const rows = allRows.slice(0, maxRows);
  const files = new RunFiles(info.dir);
  const traced = await files.tracedIds();
  const failed = new Set(allRows.filter((r) => r.status === 'error').map((r) => r.id));
  const ordered = [...traced.filter((id) => failed.has(id)), ...traced.filter((id) => !failed.has(id))];
  const maxTraced = limits.maxTraced ?? 300;
  const keep = ordered.slice(0, maxTraced).sort((a, b) => a - b);
  const details: RequestDetail[] = [];
  for (const id of keep) details.push(await files.detail(id));
  const data: ReportData = {
    snapshot: {
      key: info.dir,
      scenario: info.scenario,
      file: info.file,
      runDir: path.basename(info.dir),
      state: info.summary ? 'finished' : 'idle',
      progress: null,
      series: info.series,
      summary: info.summary,
      requests_total: rows.length,
      buckets: info.buckets,
      interactive: false,
    },
    rows,
    bucketOrder: bucketLabels(info.buckets),
    details,
    generated_at: now.toISOString(),
  };
  const cutRows = allRows.length - rows.length;
  const cutTraces = ordered.length - keep.length;
  if (cutRows > 0 || cutTraces > 0) data.truncated = { ...(cutRows > 0 ? { rows: cutRows } : {}), ...(cutTraces > 0 ? { traces: cutTraces } : {}) };
  return data;
}
