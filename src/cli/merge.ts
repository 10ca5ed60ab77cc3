/**
 * `llmload merge RUN_DIR... --out DIR [--force]`: one run folder from the folders of several
 * workers of one test (see ../core/results/merge). Exit 0, 2 on bad input (an `--out` folder that
 * holds a run, without --force; folders of different scenarios; no run folder).
 */
import { parseArgs } from 'node:util';
import { mergeRuns, MergeError } from '../core/results/merge';
import { parseCommandArgs } from './args';
import { summaryText } from './format';
import type { CliIO } from './io';
import { inCwd, shownPath } from './paths';

export const MERGE_USAGE = 'usage: llmload merge RUN_DIR RUN_DIR... --out DIR [--force]';

export async function runMerge(args: string[], io: Pick<CliIO, 'out' | 'err'>): Promise<number> {
  const parsed = parseCommandArgs('merge', MERGE_USAGE, io, () => parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, force: { type: 'boolean' } } }));
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  if (positionals.length < 2 || !values.out) {
    io.err(`llmload merge: give two or more run folders and --out DIR\n${MERGE_USAGE}`);
    return 2;
  }
  try {
    const r = await mergeRuns(positionals, values.out, { replace: values.force ?? false });
    for (const w of r.warnings) io.err(`warning: ${inCwd(w)}`);
    io.out(summaryText(r.summary, shownPath(r.dir)));
    io.out(`merged ${r.summary.merged_from.length} runs: ${r.summary.merged_from.map((m) => `${shownPath(m.dir)} (${m.requests} requests)`).join(', ')}`);
    return 0;
  } catch (e) {
    if (e instanceof MergeError) {
      io.err(`llmload merge: ${inCwd(e.message)}${/already holds a run/.test(e.message) ? '\n  Give another --out folder, or add --force to delete that run\'s files first.' : ''}`);
      return 2;
    }
    throw e;
  }
}
