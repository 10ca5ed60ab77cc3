/** The comparison as plain text, for `llmload compare`: aligned columns, deltas signed, a verdict word per row. */
import { fmtSignedPct, fmtSignedUnit, fmtUnit } from '../viewmodel/format';
import type { CompareRow, Comparison } from './compare';
import type { GateResult } from './gates';

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

export function rowsText(rows: readonly CompareRow[], indent = ''): string[] {
  const cells = rows.map((r) => [r.label, fmtUnit(r.a, r.unit), fmtUnit(r.b, r.unit), fmtSignedUnit(r.abs, r.unit), fmtSignedPct(r.rel), r.verdict === 'n/a' ? '' : r.verdict]);
  const head = ['figure', 'A', 'B', 'delta', 'delta %', ''];
  const all = [head, ...cells];
  const widths = head.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  return all.map((c) => indent + c.map((x, i) => pad(x, widths[i]!, i > 0 && i < 5)).join('  ').trimEnd());
}

export function comparisonText(cmp: Comparison): string[] {
  const lines = [
    `A  ${cmp.a.name}  (${cmp.a.scenario}, ${cmp.a.requests} requests)`,
    `B  ${cmp.b.name}  (${cmp.b.scenario}, ${cmp.b.requests} requests)`,
    ...(cmp.differences ?? []).map((d) => `   differs: ${d.what}: A ${d.a}  B ${d.b}`),
    ...(cmp.noise ? [`   noise: ${cmp.noise.note}`] : []),
    '',
    ...rowsText(cmp.rows),
  ];
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
