/**
 * Compares two run folders: reads both summaries and builds the comparison, then judges its rows
 * from both runs' requests.jsonl (significance.ts); a run without one keeps the noise-band rule.
 */
import path from 'node:path';
import { readRunFolder, RunFolderError } from '../viewmodel/run-folder';
import type { Summary } from '../metrics/summary';
import { compareSummaries, percentilesOf, refOf, type Comparison } from './compare';
import { planDifferences } from './differences';
import { readRunSamples, SAMPLED_TIMINGS, type RunSamples } from './samples';
import { applySignificance, noiseOnlyStats, type SignificanceOptions } from './significance';

export function compareRunFolders(dirA: string, dirB: string, opts: SignificanceOptions = {}): Comparison {
  const a = readRunFolder(dirA);
  const b = readRunFolder(dirB);
  if (!a.summary) throw new RunFolderError(`${dirA}: the run has no summary.json (still running, or cut short)`);
  if (!b.summary) throw new RunFolderError(`${dirB}: the run has no summary.json (still running, or cut short)`);
  const cmp = compareSummaries(a.summary, b.summary, { a: refOf(a.summary, a.dir, path.basename(a.dir)), b: refOf(b.summary, b.dir, path.basename(b.dir)) });
  cmp.differences = planDifferences(a, b);
  const sa = readRunSamples(a.dir, a.summary.duration_s, a.summary.goodput);
  const sb = readRunSamples(b.dir, b.summary.duration_s, b.summary.goodput);
  const mismatch = [sa && !samplesMatch(sa, a.summary) ? 'A' : '', sb && !samplesMatch(sb, b.summary) ? 'B' : ''].filter(Boolean);
  if (sa && sb && mismatch.length === 0) cmp.stats = applySignificance(cmp.rows, sa, sb, opts);
  else if (!sa || !sb) cmp.stats = noiseOnlyStats(cmp.rows, `${!sa && !sb ? 'runs A and B have' : `run ${sa ? 'B' : 'A'} has`} no requests.jsonl (a summary-only or older run)`, opts);
  else cmp.stats = noiseOnlyStats(cmp.rows, `the summary.json of run ${mismatch.join(' and ')} does not describe its requests.jsonl (edited, or written apart)`, opts);
  return cmp;
}

/**
 * Whether a run's summary.json was made from these samples: the same count of successful requests,
 * and each timing's mean within 1% (the summary's histograms hold 3 significant digits). Intervals
 * from samples the A and B columns do not describe would contradict the figures shown.
 */
function samplesMatch(s: RunSamples, summary: Summary): boolean {
  if (typeof summary.requests?.ok === 'number' && summary.requests.ok !== s.ok) return false;
  if (s.goodput && summary.goodput && s.goodput.good !== summary.goodput.requests) return false;
  for (const m of SAMPLED_TIMINGS) {
    const stated = percentilesOf(summary, m)?.mean;
    const xs = s.timings[m];
    if (typeof stated !== 'number' || xs.length === 0) continue;
    const mean = xs.reduce((t, x) => t + x, 0) / xs.length;
    if (Math.abs(stated - mean) > 0.01 * Math.max(Math.abs(mean), 1e-9)) return false;
  }
  return true;
}
