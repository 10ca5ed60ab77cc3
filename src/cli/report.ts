/**
 * `llmload report RUN_DIR --html FILE [--compare BASELINE_RUN_DIR]`: one self-contained HTML file
 * (with --compare, its Compare tab shows this run against the baseline); exit 0, 2 on bad input, 3
 * when the app is not built. Every format the exporter registry gives the `report` command is an
 * option `--NAME FILE` (../core/exporters).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultAssetDirs } from '../core/report/html';
import { ExporterUnavailableError, exportersFor, openRun } from '../core/exporters';
import { RunFolderError } from '../core/viewmodel/run-folder';
import type { CliIO } from './io';
import { parseCommandArgs } from './args';
import { inCwd, shownPath } from './paths';

export const REPORT_USAGE = 'usage: llmload report RUN_DIR [--html FILE] [--junit FILE] [--markdown FILE] [--compare BASELINE_RUN_DIR]';

export async function runReport(args: string[], io: Pick<CliIO, 'out' | 'err'>): Promise<number> {
  const formats = exportersFor('report');
  const parsed = parseCommandArgs('report', REPORT_USAGE, io, () =>
    parseArgs({ args, allowPositionals: true, options: { ...Object.fromEntries(formats.map((f) => [f.name, { type: 'string' as const }])), compare: { type: 'string' } } }),
  );
  if (!parsed) return 2;
  const positionals = parsed.positionals;
  const values = parsed.values as Record<string, string | undefined>;
  const wanted = formats.filter((f) => typeof values[f.name] === 'string' && values[f.name] !== '');
  if (positionals.length !== 1 || wanted.length === 0) {
    io.err(`llmload report: give one run folder and ${formats.map((f) => `--${f.name} FILE`).join(' or ')}\n${REPORT_USAGE}`);
    return 2;
  }
  const run = openRun(shownPath(positionals[0]!));
  const compareWith = typeof values.compare === 'string' ? shownPath(values.compare) : undefined;
  for (const format of wanted) {
    const file = values[format.name]!;
    try {
      const result = await format.export(run, { compareWith, assetDirs: defaultAssetDirs(__dirname) });
      await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
      await fs.promises.writeFile(file, result.text);
      io.out(`report: ${shownPath(file)}${result.note ? ` (${result.note})` : ''}`);
    } catch (e) {
      if (e instanceof ExporterUnavailableError) {
        io.err(`llmload report: ${e.message}`);
        return 3;
      }
      if (e instanceof RunFolderError) {
        io.err(`llmload report: ${inCwd(e.message)}`);
        return 2;
      }
      throw e;
    }
  }
  return 0;
}
