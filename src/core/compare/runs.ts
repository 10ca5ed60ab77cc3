/**
 * Compares two run folders: reads both summaries and builds the comparison, then judges its rows
 * from both runs' requests.jsonl (significance.ts); a run without one keeps the noise-band rule.
 */
import path from 'node:path';
import { readRunFolder, RunFolderError } from '../viewmodel/run-folder';
import { compareSummaries, refOf, type Comparison } from './compare';
import { planDifferences } from './differences';
import { readRunSamples } from './samples';
import { applySignificance, noiseOnlyStats, type SignificanceOptions } from './significance';

export function compareRunFolders(dirA: string, dirB: string, opts: SignificanceOptions = {}): Comparison {
  const a = readRunFolder(dirA);
  const b = readRunFolder(dirB);
  if (!a.summary) throw new RunFolderError(`${dirA}: the run has no summary.json (still running, or cut short)`);
  if (!b.summary) throw new RunFolderError(`${dirB}: the run has no summary.json (still running, or cut short)`);
  const cmp = compareSummaries(a.summary, b.summary, { a: refOf(a.summary, a.dir, path.basename(a.dir)), b: refOf(b.summary, b.dir, path.basename(b.dir)) });
  cmp.differences = planDifferences(a, b);
  const sa = readRunSamples(a.dir, a.summary.duration_s);
  const sb = readRunSamples(b.dir, b.summary.duration_s);
  if (sa && sb) cmp.stats = applySignificance(cmp.rows, sa, sb, opts);
  else cmp.stats = noiseOnlyStats(cmp.rows, `${!sa && !sb ? 'runs A and B have' : `run ${sa ? 'B' : 'A'} has`} no requests.jsonl (a summary-only or older run)`, opts);
  return cmp;
}
