/**
 * What an HTML report embeds: the run's snapshot (summary, series), every request row (up to a
 * cap), the packets of traced requests (up to a cap) and the scenario text (secrets scrubbed),
 * read from the run folder; with a baseline run, the comparison the panel's Compare tab shows.
 */
import path from 'node:path';
import type { ComparisonView, PanelSnapshot, RequestDetail, TableRow } from '../messages';
import { compareRunFolders } from '../compare/runs';
import { reportScenarioText } from './scenario-text';
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
  /** The run folder's scenario.llmload, literal keys and credential header values redacted (see scenario-text.ts). */
  scenario_text?: string;
  /** Set when scenario_text was cut at MAX_SCENARIO_CHARS. */
  scenario_truncated?: boolean;
  /** This run (B) against a baseline run (A), when the report was made with one (`--compare`). */
  comparison?: ComparisonView;
}

export interface ReportOptions {
  /** A baseline run folder (A) to compare this run (B) against. */
  compareWith?: string;
}

export interface ReportLimits {
  /** Request rows kept; default 100,000. */
  maxRows?: number;
  /** Traced requests whose packets are kept; default 300 (failed ones first). */
  maxTraced?: number;
}

export async function buildReportData(dir: string, limits: ReportLimits = {}, now = new Date(), options: ReportOptions = {}): Promise<ReportData> {
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
  const scenario = reportScenarioText(info.dir);
  if (scenario) {
    data.scenario_text = scenario.text;
    if (scenario.truncated) data.scenario_truncated = true;
  }
  if (options.compareWith !== undefined) {
    // Throws RunFolderError for a missing or unfinished baseline, as `llmload compare` does.
    const comparison = compareRunFolders(options.compareWith, info.dir);
    // The report names runs by folder, never by a path on this machine.
    comparison.a.dir = comparison.a.name;
    comparison.b.dir = comparison.b.name;
    data.comparison = { comparison, seriesA: readRunFolder(options.compareWith).series, seriesB: info.series };
  }
  const cutRows = allRows.length - rows.length;
  const cutTraces = ordered.length - keep.length;
  if (cutRows > 0 || cutTraces > 0) data.truncated = { ...(cutRows > 0 ? { rows: cutRows } : {}), ...(cutTraces > 0 ? { traces: cutTraces } : {}) };
  return data;
}
