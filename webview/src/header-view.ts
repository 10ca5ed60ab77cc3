/**
 * The panel's header: the scenario, its state, the actions (Stop while a run is on), where the run
 * stands in its plan, and after the run its verdict (PASS / FAIL / STOPPED / ERROR, in colour with
 * an icon) with each expectation's actual value. A stopped run is never shown as passing.
 */
import type { PanelSnapshot, Progress } from '../../src/core/messages';
import { runVerdict, type RunVerdict } from '../../src/core/metrics/expectations';
import { append, h, replace } from './dom';

const ICON: Record<RunVerdict['kind'], string> = { pass: '✓', fail: '✗', stopped: '■', error: '⚠', done: '✓' };
const STATE_ICON = { pass: '✓', fail: '✗', 'not judged': '–' } as const;

export interface HeaderActions {
  stop(): void;
  compare(): void;
  exportReport(): void;
}

const secs = (n: number): string => `${n.toFixed(0)}s`;

/** Where the run stands: never "19s of 17s" (the requests still in flight after the plan's end are said as such). */
export function loadLine(s: PanelSnapshot, p: Progress | null): string {
  if (s.state === 'running' && p) {
    const planned = Number.isFinite(p.planned_s) && p.planned_s > 0;
    const time = !planned ? `${secs(p.elapsed_s)}` : p.elapsed_s <= p.planned_s ? `${secs(p.elapsed_s)} of ${secs(p.planned_s)}` : `${secs(p.planned_s)} of ${secs(p.planned_s)} · finishing ${p.in_flight} in-flight request(s)`;
    return `${time} · users ${p.active_users}/${p.target_users} · in flight ${p.in_flight}`;
  }
  if (s.summary) {
    const planned = p && Number.isFinite(p.planned_s) && p.planned_s > 0 ? ` (plan ${secs(p.planned_s)})` : '';
    return `ran ${s.summary.duration_s.toFixed(1)}s${planned} · ${s.summary.target} · ${s.summary.model}`;
  }
  return '';
}

/** The verdict of the snapshot's finished run (undefined while running or with no summary). */
export function snapshotVerdict(s: PanelSnapshot, p: Progress | null): RunVerdict | undefined {
  if (s.state !== 'finished' || !s.summary) return undefined;
  return runVerdict(s.summary, { planned_s: p?.planned_s });
}

export function renderHeader(el: HTMLElement, s: PanelSnapshot, p: Progress | null, actions: HeaderActions): void {
  const verdict = snapshotVerdict(s, p);
  const stateText = s.state === 'running' ? 'running' : verdict ? verdict.label : s.state === 'finished' ? 'finished' : 'idle';
  const badge = h(
    'span',
    { class: `state state-${s.state}${verdict ? ` verdict-badge verdict-${verdict.kind}` : ''}`, 'data-state': s.state, 'data-verdict': verdict?.kind, role: 'status' },
    verdict ? `${ICON[verdict.kind]} ${stateText}` : stateText,
  );
  const bar = h('vscode-progress-bar', { class: 'load-progress', 'aria-label': 'load shape progress' }) as unknown as HTMLElement & { value: number; max: number };
  if (p && p.planned_s > 0 && Number.isFinite(p.planned_s)) {
    bar.max = p.planned_s;
    bar.value = Math.min(p.elapsed_s, p.planned_s);
  } else bar.value = s.state === 'finished' ? 1 : 0;
  if (s.state === 'finished') bar.value = bar.max;
  const buttons = h('div', { class: 'actions' });
  if (s.interactive) {
    if (s.state === 'running') {
      const stop = h('vscode-button', { 'data-action': 'stop', title: 'Stop the run (the results so far are kept)' }, '■ Stop');
      stop.addEventListener('click', () => actions.stop());
      buttons.appendChild(stop);
    }
    const cmp = h('vscode-button', { secondary: true, 'data-action': 'compare' }, 'Compare…');
    cmp.addEventListener('click', () => actions.compare());
    const exp = h('vscode-button', { secondary: true, 'data-action': 'export' }, 'Export HTML report');
    exp.addEventListener('click', () => actions.exportReport());
    append(buttons, cmp, exp);
  }
  const load = loadLine(s, p);
  replace(
    el,
    h('div', { class: 'title-row' }, h('h2', null, s.scenario), badge, buttons),
    h('div', { class: 'muted run-line' }, s.runDir ? (s.runDir.split(/[\\/]/).pop() ?? '') : '', load ? ` · ${load}` : ''),
    verdict ? verdictBox(verdict) : null,
    bar,
  );
}

function verdictBox(v: RunVerdict): HTMLElement {
  const list = h('ul', { class: 'expectations' });
  for (const e of v.expectations) {
    list.appendChild(
      h('li', { class: `exp exp-${e.state.replace(' ', '-')}`, 'data-expectation': e.text }, h('span', { class: 'exp-icon', 'aria-hidden': 'true' }, STATE_ICON[e.state]), ' ', h('span', { class: 'exp-text' }, e.text), h('span', { class: 'exp-actual' }, ` actual ${e.actual_text}`), e.state === 'not judged' ? h('span', { class: 'muted' }, ' (not judged)') : null),
    );
  }
  return h('div', { class: `verdict verdict-${v.kind}`, 'data-verdict': v.kind }, h('div', { class: 'verdict-line' }, h('strong', null, `${ICON[v.kind]} ${v.label}`), ` ${v.text}`), v.expectations.length ? list : null);
}
