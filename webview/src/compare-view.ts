/**
 * The Compare tab's text: which runs, what differs in their set-ups (load, target, model, prompts),
 * how the verdicts were reached (intervals from both runs' requests, or the noise band for runs
 * without them) with the overall verdict, then the figures by readable name with their deltas, the
 * interval on each change, and the verdict in words: better, worse, no significant change.
 */
import type { Comparison } from '../../src/core/compare/compare';
import type { CompareRow } from '../../src/core/compare/row';
import { intervalWords, overallWords, verdictWords } from '../../src/core/compare/verdict-words';
import { fmtSignedPct, fmtSignedUnit, fmtUnit } from '../../src/core/viewmodel/format';
import { append, h } from './dom';

const FMT = { pct: fmtSignedPct, unit: fmtSignedUnit };

function rowTitle(r: CompareRow): string | undefined {
  const parts = [`${r.better} is better`];
  if (r.interval) parts.push(`${+(r.interval.level * 100).toFixed(2)}% interval on the change (${r.interval.method}): ${fmtSignedUnit(r.interval.lo, r.unit)} … ${fmtSignedUnit(r.interval.hi, r.unit)}`);
  else if (r.noise) parts.push(`noise band ±${(r.noise * 100).toFixed(0)}%`);
  if (r.note) parts.push(r.note);
  return parts.length > 1 ? parts.join('; ') : r.noise ? parts[0] : undefined;
}

function rowsTable(rows: readonly CompareRow[], name: string, withInterval: boolean): HTMLElement {
  const columns = withInterval ? ['27%', '12%', '12%', '12%', '9%', '16%', '12%'] : ['34%', '14%', '14%', '14%', '12%', '12%'];
  const t = h('vscode-table', { zebra: true, 'bordered-rows': true, 'data-table': name, class: 'compare-table', columns: JSON.stringify(columns) });
  const head = h('vscode-table-header', { slot: 'header' });
  for (const c of ['figure', 'A', 'B', 'change', '%', ...(withInterval ? ['interval'] : []), '']) head.appendChild(h('vscode-table-header-cell', null, c));
  const body = h('vscode-table-body', { slot: 'body' });
  const ids = ['figure', 'a', 'b', 'abs', 'rel', ...(withInterval ? ['interval'] : []), 'verdict'];
  for (const r of rows) {
    const row = h('vscode-table-row', { class: `verdict-${r.verdict.replace('/', '')}`, 'data-figure': r.label, 'data-judged-by': r.judged_by, title: rowTitle(r) });
    const cells = [r.name ?? r.label, fmtUnit(r.a, r.unit), fmtUnit(r.b, r.unit), fmtSignedUnit(r.abs, r.unit), fmtSignedPct(r.rel), ...(withInterval ? [intervalWords(r, FMT)] : []), verdictWords(r)];
    cells.forEach((c, i) => row.appendChild(h('vscode-table-cell', { 'data-column': ids[i] }, c)));
    body.appendChild(row);
  }
  append(t, head, body);
  return t;
}

export function comparisonParts(c: Comparison): HTMLElement[] {
  const parts: HTMLElement[] = [
    h('p', { class: 'compare-runs' }, h('strong', null, 'A'), ` ${c.a.name} (${c.a.requests} requests) · `, h('strong', null, 'B'), ` ${c.b.name} (${c.b.requests} requests)`),
  ];
  const diffs = c.differences ?? [];
  if (diffs.length) {
    const list = h('ul', { class: 'differences', 'data-differences': diffs.length });
    for (const d of diffs) list.appendChild(h('li', { 'data-differs': d.what }, h('strong', null, `${d.what}: `), `A ${d.a} → B ${d.b}`));
    parts.push(h('div', { class: 'compare-differences' }, h('div', null, 'The runs differ in their set-up (read the figures with this in mind):'), list));
  } else if (c.differences) {
    parts.push(h('p', { class: 'muted', 'data-differences': 0 }, 'Same set-up: target, model, load and prompts are alike.'));
  }
  const s = c.stats;
  if (s) {
    const [overall, counts] = overallWords(s);
    parts.push(h('p', { class: 'compare-overall', 'data-overall': s.overall, 'data-judged-by': s.judged_by }, h('strong', null, overall), counts));
    parts.push(h('p', { class: 'muted stats-note', 'data-confidence': s.confidence, 'data-min-effect': s.min_effect }, `Method: ${s.note}.`));
  }
  if (c.noise) parts.push(h('p', { class: 'muted noise-note', 'data-noise': c.noise.band }, `Noise: ${c.noise.note}${s?.judged_by === 'interval' ? ' (rows without an interval: server figures, accuracy, token buckets)' : ''}.`));
  // Multi-turn sessions: the per-turn TTFT rows in a table of their own, below the run's figures.
  const turns = c.rows.filter((r) => r.turn !== undefined);
  parts.push(rowsTable(turns.length ? c.rows.filter((r) => r.turn === undefined) : c.rows, 'compare', s?.judged_by === 'interval'));
  if (turns.length) parts.push(h('h4', null, 'By turn (multi-turn sessions)'), rowsTable(turns, 'compare-turns', s?.judged_by === 'interval'));
  for (const b of c.buckets) parts.push(h('h4', null, `Bucket ${b.bucket}`), rowsTable(b.rows, 'compare-bucket', false));
  return parts;
}
