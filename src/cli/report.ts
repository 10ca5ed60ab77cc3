/** `llmload report RUN_DIR --html FILE`: one self-contained HTML file; exit 0, 2 on bad input, 3 when the app is not built. */
import { parseArgs } from 'node:util';
import { buildReportData } from '../core/report/report-data';
import { defaultAssetDirs, loadReportAssets, writeReport, type ReportAssets } from '../core/report/html';
import { RunFolderError } from '../core/viewmodel/run-folder';
import { inCwd, shownPath } from './paths';

export const REPORT_USAGE = 'usage: llmload report RUN_DIR --html FILE';

export async function runReport(args: string[], io: { out(l: string): void; err(l: string): void }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { html: { type: 'string' } } });
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
    const data = await buildReportData(shownPath(positionals[0]!));
    await writeReport(values.html, data, assets);
    io.out(`report: ${shownPath(values.html)} (${data.rows.length} requests, ${data.details.length} traced)`);
    return 0;
  } catch (e) {
    if (e instanceof RunFolderError) {
      io.err(`llmload report: ${inCwd(e.message)}`);
      return 2;
    }
    throw e;
  }
}
