/**
 * The "By turn" card of a run with multi-turn sessions (docs/results-panel.md): the headline (turn 1
 * against the last turn, where prefix-cache reuse shows) and a table with a row per turn. Shown when
 * the run ends: the per-turn figures come with summary.json, not with the live deltas. All text goes
 * in as text nodes (dom.ts).
 */
import type { SessionsSummary } from '../../src/core/metrics/turns';
import { turnsCard } from '../../src/core/viewmodel/turns-card';
import { append, h } from './dom';

/** The card's element, or null when the run has no sessions. */
export function turnsView(sessions: SessionsSummary | undefined): HTMLElement | null {
  const c = turnsCard(sessions);
  if (!c) return null;
  const t = h('vscode-table', { zebra: true, 'bordered-rows': true, 'data-table': 'turns' });
  const head = h('vscode-table-header', { slot: 'header' });
  for (const col of c.columns) head.appendChild(h('vscode-table-header-cell', null, col));
  const body = h('vscode-table-body', { slot: 'body' });
  for (const r of c.rows) {
    const row = h('vscode-table-row', { 'data-turn': r.turn });
    r.cells.forEach((cell, i) => row.appendChild(h('vscode-table-cell', { 'data-column': c.columns[i] }, cell)));
    body.appendChild(row);
  }
  append(t, head, body);
  return h(
    'div',
    { class: 'card turns-card', 'data-card': 'turns', title: c.title },
    h('div', { class: 'card-label' }, 'By turn · ', c.label),
    c.headline ? h('div', { class: 'turns-headline', 'data-ratio': c.ratio !== undefined ? c.ratio.toFixed(4) : undefined }, c.headline) : null,
    t,
    c.more > 0 ? h('div', { class: 'muted' }, `… ${c.more} more turns in summary.json`) : null,
  );
}
