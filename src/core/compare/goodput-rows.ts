/**
 * Goodput in Compare: rows for good requests per second and the good share (summary.json
 * `goodput`), and their intervals from requests.jsonl. Each request is good or not (0/1), so the
 * share gets the success rate's interval (Agresti–Caffo, widened by the runs' design effect) and
 * the rate the requests-per-second one (Poisson). Runs whose goodput lines differ are not judged.
 */
import type { Summary } from '../metrics/summary';
import { isGoodRequest } from '../metrics/goodput';
import type { RequestRecord } from '../metrics/record';
import type { GoodputSummary } from '../types/goodput';
import { designEffect, proportionDiffInterval, rateDiffInterval, type DiffInterval } from './bootstrap';
import type { CompareRow, Verdict } from './row';

/** A run's requests, good (1) or not (0), in send order, by its own goodput line. */
export interface GoodputSamples {
  conditions: string;
  checks: GoodputSummary['checks'];
  outcomes: number[];
  good: number;
}

/** Empty samples for a run's goodput line; undefined when the run has none. */
export function goodputSamplesOf(g: Pick<GoodputSummary, 'conditions' | 'checks'> | undefined): GoodputSamples | undefined {
  return g && Array.isArray(g.checks) ? { conditions: g.conditions, checks: g.checks, outcomes: [], good: 0 } : undefined;
}

/** Adds one finished request (warmup and cancelled ones are left out by the caller). */
export function addGoodputSample(s: GoodputSamples | undefined, r: RequestRecord): void {
  if (!s) return;
  const good = isGoodRequest(r, s.checks);
  s.outcomes.push(good ? 1 : 0);
  if (good) s.good++;
}

const FIGURES = [
  { metric: 'goodput_rps', key: 'rps', label: 'goodput rps', unit: 'per second' },
  { metric: 'goodput_share', key: 'share', label: 'goodput share', unit: 'fraction' },
] as const;

export function differentGoodput(a: Summary, b: Summary): string | undefined {
  if (a.goodput && b.goodput && a.goodput.conditions !== b.goodput.conditions) return `the runs define goodput differently (A: ${a.goodput.conditions}; B: ${b.goodput.conditions})`;
  return undefined;
}

export function goodputCompareRows(a: Summary, b: Summary, compareValues: (a: number | null, b: number | null, better: 'lower' | 'higher') => Pick<CompareRow, 'abs' | 'rel' | 'verdict'>): CompareRow[] {
  if (!a.goodput && !b.goodput) return [];
  const differ = differentGoodput(a, b);
  return FIGURES.map((f) => {
    const va = a.goodput ? (a.goodput[f.key] ?? null) : null;
    const vb = b.goodput ? (b.goodput[f.key] ?? null) : null;
    const row: CompareRow = { metric: f.metric, label: f.label, stat: '', unit: f.unit, better: 'higher', a: va, b: vb, ...compareValues(va, vb, 'higher') };
    if (differ) {
      row.verdict = 'n/a' as Verdict;
      row.note = differ;
    }
    return row;
  });
}

/** The interval test of a goodput row, for significance.ts; null when the row is not a goodput row. */
export function goodputTest(
  r: CompareRow,
  a: { goodput?: GoodputSamples; duration_s: number },
  b: { goodput?: GoodputSamples; duration_s: number },
): { run(level: number): DiffInterval; base: number } | { untested: string } | null {
  if (r.metric !== 'goodput_rps' && r.metric !== 'goodput_share') return null;
  if (!a.goodput || !b.goodput) return { untested: 'a run has no goodput line' };
  if (a.goodput.conditions !== b.goodput.conditions) return { untested: `the runs define goodput differently (A: ${a.goodput.conditions}; B: ${b.goodput.conditions})` };
  const ga = a.goodput;
  const gb = b.goodput;
  if (r.metric === 'goodput_rps') {
    const count = (n: number) => ({ n, sum: n, sumSq: n });
    return { run: (level) => rateDiffInterval(count(ga.good), a.duration_s, count(gb.good), b.duration_s, level), base: ga.good / a.duration_s };
  }
  const na = ga.outcomes.length;
  const nb = gb.outcomes.length;
  if (na === 0 || nb === 0) return { untested: 'a run has no finished request' };
  return { run: (level) => proportionDiffInterval(ga.good, na, gb.good, nb, level, designEffect(ga.outcomes), designEffect(gb.outcomes)), base: ga.good / na };
}
