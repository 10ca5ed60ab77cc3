/** The comparison as plain text, for `llmload compare`: aligned columns, deltas signed, a verdict word per row. */
import { fmtSignedPct, fmtSignedUnit, fmtUnit } from '../viewmodel/format';
import type { Comparison } from './compare';
import type { CompareRow } from './row';
import type { GateResult } from './gates';
import { intervalWords, overallWords, verdictWords } from './verdict-words';

const FMT = { pct: fmtSignedPct, unit: fmtSignedUnit };

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The interval column's heading: the table's confidence, e.g. `95% interval`. */
function intervalHead(cmp?: Comparison): string {
  const c = cmp?.stats?.judged_by === 'interval' ? cmp.stats.confidence : null;
  return c === null ? '' : `${+(c * 100).toFixed(1)}% interval`;
}

export function rowsText(rows: readonly CompareRow[], indent = '', cmp?: Comparison): string[] {
  const head = ['figure', 'A', 'B', 'delta', 'delta %', intervalHead(cmp), ''];
  const cells = rows.map((r) => [r.label, fmtUnit(r.a, r.unit), fmtUnit(r.b, r.unit), fmtSignedUnit(r.abs, r.unit), fmtSignedPct(r.rel), intervalWords(r, FMT), verdictWords(r)]);
  const all = [head, ...cells];
  const widths = head.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  return all.map((c) => indent + c.map((x, i) => pad(x, widths[i]!, i > 0 && i < 5)).join('  ').trimEnd());
}

/** The method and the overall verdict in one or two lines. */
export function statsText(cmp: Comparison): string[] {
  const s = cmp.stats;
  if (!s) return [];
  const [overall, counts] = overallWords(s);
  return [`   verdict: ${overall}${counts}`, `   method: ${s.note}`];
}

export function comparisonText(cmp: Comparison): string[] {
  const lines = [
    `A  ${cmp.a.name}  (${cmp.a.scenario}, ${cmp.a.requests} requests)`,
    `B  ${cmp.b.name}  (${cmp.b.scenario}, ${cmp.b.requests} requests)`,
    ...(cmp.differences ?? []).map((d) => `   differs: ${d.what}: A ${d.a}  B ${d.b}`),
    ...statsText(cmp),
    ...(cmp.noise ? [`   noise: ${cmp.noise.note}${cmp.stats?.judged_by === 'interval' ? ' (rows without an interval: server figures, accuracy, token buckets)' : ''}`] : []),
    '',
    ...rowsText(cmp.rows.filter((r) => r.turn === undefined), '', cmp),
  ];
  // Multi-turn sessions: TTFT per turn, aligned on their own.
  const turns = cmp.rows.filter((r) => r.turn !== undefined);
  if (turns.length) lines.push('', 'by turn', ...rowsText(turns, '  ', cmp));
  for (const b of cmp.buckets) {
    lines.push('', `bucket ${b.bucket}`, ...rowsText(b.rows, '  '));
  }
  return lines;
}

export function gatesText(results: readonly GateResult[]): string[] {
  if (results.length === 0) return [];
  const lines = ['', 'gates:'];
  for (const r of results) {
    const unit = r.gate.metric.endsWith('_ms') ? 'ms' : r.gate.metric === 'success_rate' ? 'fraction' : '';
    const change = r.change === null ? '-' : r.gate.relative ? fmtSignedPct(r.change) : fmtSignedUnit(r.change, unit);
    lines.push(`  ${r.crossed ? 'FAIL' : 'PASS'}  ${r.gate.text.padEnd(24)} A ${fmtUnit(r.a, unit)}  B ${fmtUnit(r.b, unit)}  change ${change}${r.reason === 'crossed' || r.reason === 'held' ? '' : `  (${r.reason})`}`);
  }
  return lines;
}
