/** A comparison row's verdict and interval in words, shared by the CLI table, the panel and the report (no Node imports: the webview bundles it). */
import type { CompareRow } from './row';
import type { ComparisonStats } from './significance';

/** A row's verdict in words: better, worse, no significant change, within noise, not tested. */
export function verdictWords(r: CompareRow): string {
  if (r.verdict === 'better' || r.verdict === 'worse') return r.verdict;
  if (r.judged_by === 'untested') return 'not tested';
  if (r.verdict === 'n/a') return '';
  if (r.judged_by === 'interval') return 'no significant change';
  return r.rel !== null && r.rel !== 0 && r.noise ? 'within noise' : 'same';
}

/** The interval as relative changes (`-3.1% … +4.0%`), or in the figure's unit for fractions. */
export function intervalWords(r: CompareRow, fmt: { pct(x: number | null): string; unit(x: number | null, unit: string): string }): string {
  const i = r.interval;
  if (!i) return '';
  if (r.unit === 'fraction' || i.rel_lo === null || i.rel_hi === null) return `${fmt.unit(i.lo, r.unit)} … ${fmt.unit(i.hi, r.unit)}`;
  return `${fmt.pct(i.rel_lo)} … ${fmt.pct(i.rel_hi)}`;
}

/** The overall verdict in words, and the counts behind it when intervals decided: `B is worse`, ` (2 better, 5 worse, 6 no significant change)`. */
export function overallWords(s: ComparisonStats): [string, string] {
  const words = { better: 'B is better', worse: 'B is worse', mixed: 'B is better in some figures and worse in others', same: 'No significant change' }[s.overall];
  return [words, s.judged_by === 'interval' ? ` (${s.counts.better} better, ${s.counts.worse} worse, ${s.counts.same} no significant change)` : ''];
}
