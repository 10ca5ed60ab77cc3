/**
 * The Compare tab's text: which runs, what differs in their set-ups (load, target, model, prompts),
 * the noise threshold in words, then the figures by readable name with their deltas; a change inside
 * the noise is "within noise", never better or worse.
 */
import type { Comparison } from '../../src/core/compare/compare';
import type { CompareRow } from '../../src/core/compare/row';
import { fmtSignedPct, fmtSignedUnit, fmtUnit } from '../../src/core/viewmodel/format';
import { append, h } from './dom';

function verdictText(r: CompareRow): string {
  if (r.verdict === 'same') return r.rel !== null && r.rel !== 0 && r.noise ? 'within noise' : 'same';
  return r.verdict === 'n/a' ? '' : r.verdict;
}

function rowsTable(rows: readonly CompareRow[], name: string): HTMLElement {
  const t = h('vscode-table', { zebra: true, 'bordered-rows': true, 'data-table': name, class: 'compare-table', columns: JSON.stringify(['34%', '14%', '14%', '14%', '12%', '12%']) });
  const head = h('vscode-table-header', { slot: 'header' });
  for (const c of ['figure', 'A', 'B', 'change', '%', '']) head.appendChild(h('vscode-table-header-cell', null, c));
  const body = h('vscode-table-body', { slot: 'body' });
  for (const r of rows) {
    const row = h('vscode-table-row', { class: `verdict-${r.verdict.replace('/', '')}`, 'data-figure': r.label, title: r.noise ? `${r.better} is better; noise band ±${(r.noise * 100).toFixed(0)}%` : undefined });
    const cells = [r.name ?? r.label, fmtUnit(r.a, r.unit), fmtUnit(r.b, r.unit), fmtSignedUnit(r.abs, r.unit), fmtSignedPct(r.rel), verdictText(r)];
    cells.forEach((c, i) => row.appendChild(h('vscode-table-cell', { 'data-column': ['figure', 'a', 'b', 'abs', 'rel', 'verdict'][i] }, c)));
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
  if (c.noise) parts.push(h('p', { class: 'muted noise-note', 'data-noise': c.noise.band }, `Noise: ${c.noise.note}.`));
  parts.push(rowsTable(c.rows, 'compare'));
  for (const b of c.buckets) parts.push(h('h4', null, `Bucket ${b.bucket}`), rowsTable(b.rows, 'compare-bucket'));
  return parts;
}
