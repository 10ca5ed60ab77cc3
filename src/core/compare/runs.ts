/** Compares two run folders: reads both summaries and builds the comparison. */
import path from 'node:path';
import { readRunFolder, RunFolderError } from '../viewmodel/run-folder';
import { compareSummaries, refOf, type Comparison } from './compare';
import { planDifferences } from './differences';

export function compareRunFolders(dirA: string, dirB: string): Comparison {
  const a = readRunFolder(dirA);
  const b = readRunFolder(dirB);
  if (!a.summary) throw new RunFolderError(`${dirA}: the run has no summary.json (still running, or cut short)`);
  if (!b.summary) throw new RunFolderError(`${dirB}: the run has no summary.json (still running, or cut short)`);
  const cmp = compareSummaries(a.summary, b.summary, { a: refOf(a.summary, a.dir, path.basename(a.dir)), b: refOf(b.summary, b.dir, path.basename(b.dir)) });
  cmp.differences = planDifferences(a, b);
  return cmp;
}
