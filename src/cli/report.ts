/**
 * `llmload report RUN_DIR --html FILE [--compare BASELINE_RUN_DIR]`: one self-contained HTML file
 * (with --compare, its Compare tab shows this run against the baseline); exit 0, 2 on bad input, 3
 * when the app is not built.
 */
import { parseArgs } from 'node:util';
import { buildReportData } from '../core/report/report-data';
import { defaultAssetDirs, loadReportAssets, writeReport, type ReportAssets } from '../core/report/html';
import { RunFolderError } from '../core/viewmodel/run-folder';
import { inCwd, shownPath } from './paths';

export const REPORT_USAGE = 'usage: llmload report RUN_DIR --html FILE [--compare BASELINE_RUN_DIR]';

export async function runReport(args: string[], io: { out(l: string): void; err(l: string): void }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { html: { type: 'string' }, compare: { type: 'string' } } });
  } catch (e) {
    io.err(`llmload report: ${(e as Error).message}\n${REPORT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !values.html) {
    io.err(`llmload report: give one run folder and --html FILE\n${REPORT_USAGE}`);
    return 2;
  }
  let assets: ReportAssets;
  try {
    assets = loadReportAssets(defaultAssetDirs(__dirname));
  } catch (e) {
    io.err(`llmload report: ${(e as Error).message}`);
    return 3;
  }
  try {
    const data = await buildReportData(shownPath(positionals[0]!), {}, new Date(), { compareWith: values.compare !== undefined ? shownPath(values.compare) : undefined });
    await writeReport(values.html, data, assets);
    const vs = data.comparison ? `, compared with ${data.comparison.comparison.a.name}` : '';
    io.out(`report: ${shownPath(values.html)} (${data.rows.length} requests, ${data.details.length} traced${vs})`);
    return 0;
  } catch (e) {
    if (e instanceof RunFolderError) {
      io.err(`llmload report: ${inCwd(e.message)}`);
      return 2;
    }
    throw e;
  }
}
