/**
 * The results view: header with the run's state and load-shape progress, summary cards, and tabs
 * for live charts, tables, requests (paged by the host) with the packet timeline, and comparison.
 * Every piece of run data is put in the DOM as text (see dom.ts).
 */
import type { ComparisonView, HostToView, PanelSnapshot, Progress, RequestPage, RequestSortKey, TableQuery, ViewState, ViewTab } from '../../src/core/messages';
import type { SeriesRow } from '../../src/core/metrics/aggregate';
import type { CompareRow } from '../../src/core/compare/compare';
import { bucketTable, readBuckets } from '../../src/core/viewmodel/buckets';
import { fmtMs, fmtNum, fmtPct, fmtSignedPct, fmtSignedUnit, fmtUnit } from '../../src/core/viewmodel/format';
import { mergeSeries } from '../../src/core/viewmodel/live';
import { defaultQuery } from '../../src/core/viewmodel/table';
import { ChartGrid } from './charts';
import { append, h, replace } from './dom';
import type { ViewHost } from './host';
import { watchTheme } from './theme';
import { TimelineView } from './timeline-view';

const TABS: ViewTab[] = ['live', 'tables', 'requests', 'compare'];

const COLUMNS: Array<{ key: RequestSortKey | 'prompt' | 'status' | 'bucket'; label: string; sortable: boolean }> = [
  { key: 'id', label: '#', sortable: true },
  { key: 'prompt', label: 'prompt', sortable: false },
  { key: 'status', label: 'status', sortable: false },
  { key: 'offset_ms', label: 'sent at', sortable: true },
  { key: 'ttft_ms', label: 'TTFT', sortable: true },
  { key: 'ttfa_ms', label: 'TTFA', sortable: true },
  { key: 'e2e_ms', label: 'e2e', sortable: true },
  { key: 'token_rate', label: 'tok/s', sortable: true },
  { key: 'input_tokens', label: 'in', sortable: true },
  { key: 'output_tokens', label: 'out', sortable: true },
  { key: 'bucket', label: 'bucket', sortable: false },
];

export class App {
  private snapshot: PanelSnapshot | null = null;
  private series: SeriesRow[] = [];
  private progress: Progress | null = null;
  private query: TableQuery = defaultQuery();
  private page: RequestPage | null = null;
  private pageSeq = 0;
  private detailSeq = 0;
  private selected: number | null = null;
  private tab: ViewTab = 'live';
  private lastPageAsk = 0;
  private pageTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly header = h('header', { class: 'run-header' });
  private readonly cards = h('section', { class: 'cards' });
  private readonly tabs = h('vscode-tabs', { 'selected-index': 0 });
  private readonly liveBox = h('div', { class: 'chart-grid', 'data-view': 'live' });
  private readonly tablesBox = h('div', { class: 'tables', 'data-view': 'tables' });
  private readonly requestsBox = h('div', { class: 'requests', 'data-view': 'requests' });
  private readonly compareBox = h('div', { class: 'compare', 'data-view': 'compare' });
  private readonly timelineBox = h('div', { class: 'timeline', 'data-view': 'timeline' });
  private readonly charts = new ChartGrid(this.liveBox, undefined, (t) => this.showSecond(t));
  private readonly compareCharts: ChartGrid;
  private readonly timeline = new TimelineView(this.timelineBox);
  private readonly compareChartsBox = h('div', { class: 'chart-grid' });
  private comparison: ComparisonView | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: ViewHost,
  ) {
    this.compareCharts = new ChartGrid(this.compareChartsBox, (specs) => specs.filter((s) => ['latency', 'rate', 'throughput'].includes(s.id)));
    const saved = host.getState();
    if (saved) {
      if (TABS.includes(saved.tab)) this.tab = saved.tab;
      if (saved.query) this.query = { ...saved.query };
      this.selected = saved.selected;
    }
    this.buildShell();
    host.onMessage((m) => this.receive(m));
    watchTheme(() => {
      this.charts.restyle();
      this.compareCharts.restyle();
      this.timeline.draw();
    });
    host.post({ type: 'ready' });
  }

  private buildShell(): void {
    const names: Record<ViewTab, string> = { live: 'Live', tables: 'Tables', requests: 'Requests', compare: 'Compare' };
    const panels: Record<ViewTab, HTMLElement> = { live: this.liveBox, tables: this.tablesBox, requests: h('div', null, this.requestsBox, this.timelineBox), compare: this.compareBox };
    for (const t of TABS) {
      this.tabs.appendChild(h('vscode-tab-header', { slot: 'header', 'data-tab': t }, names[t]));
      this.tabs.appendChild(h('vscode-tab-panel', { 'data-panel': t }, panels[t]));
    }
    this.tabs.setAttribute('selected-index', String(TABS.indexOf(this.tab)));
    this.tabs.addEventListener('vsc-tabs-select', (e: Event) => {
      const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
      this.tab = TABS[i] ?? 'live';
      this.saveState();
      if (this.tab === 'requests') this.askPage();
      if (this.tab === 'compare' && this.snapshot?.interactive) this.host.post({ type: 'listRuns' });
    });
    replace(this.root, this.header, this.cards, this.tabs);
    replace(this.header, h('h2', null, 'llmload results'), h('p', { class: 'muted' }, 'Waiting for a run…'));
  }

  private showTabQuietly(t: ViewTab): void {
    this.tab = t;
    this.tabs.setAttribute('selected-index', String(TABS.indexOf(t)));
    (this.tabs as unknown as { selectedIndex: number }).selectedIndex = TABS.indexOf(t);
  }

  private showTab(t: ViewTab): void {
    this.tab = t;
    this.tabs.setAttribute('selected-index', String(TABS.indexOf(t)));
    (this.tabs as unknown as { selectedIndex: number }).selectedIndex = TABS.indexOf(t);
    this.saveState();
  }

  private saveState(): void {
    if (!this.snapshot) return;
    const st: ViewState = { key: this.snapshot.key, runDir: this.snapshot.runDir, tab: this.tab, selected: this.selected, query: this.query };
    this.host.setState(st);
    // The host keeps it too: a restored panel gets it back even where getState() comes back empty.
    if (this.snapshot.interactive) this.host.post({ type: 'viewState', state: st });
  }

  receive(m: HostToView): void {
    switch (m.type) {
      case 'snapshot': {
        const first = this.snapshot === null;
        const newRun = this.snapshot?.runDir !== m.snapshot.runDir;
        const view = m.snapshot.view;
        if (first && view && view.runDir === m.snapshot.runDir) {
          // The host's copy is written on every change; the view's own can come back older after a reload.
          if (TABS.includes(view.tab)) this.showTabQuietly(view.tab);
          if (view.query) this.query = { ...view.query };
          this.selected = view.selected;
        }
        this.snapshot = m.snapshot;
        this.series = m.snapshot.series.slice();
        this.progress = m.snapshot.progress;
        if (newRun && this.snapshot.state === 'running') {
          this.selected = null;
          this.query = { ...this.query, page: 0, second: undefined };
          replace(this.timelineBox);
        }
        this.renderHeader();
        this.renderCards();
        this.charts.update(this.series);
        this.renderTables();
        this.renderCompareShell();
        this.askPage(true);
        if (this.selected !== null) this.askDetail(this.selected);
        this.saveState();
        break;
      }
      case 'live': {
        if (!this.snapshot) return;
        this.progress = m.progress;
        this.series = mergeSeries(this.series, m.series);
        this.snapshot.requests_total = m.requests_total;
        this.renderHeader();
        this.renderCards();
        this.charts.update(this.series);
        this.askPage();
        break;
      }
      case 'page':
        if (m.seq !== this.pageSeq) return;
        this.page = m.page;
        this.query = m.page.query;
        this.renderRequests();
        break;
      case 'detail':
        if (m.seq !== this.detailSeq) return;
        if (m.detail) this.timeline.show(m.detail);
        else replace(this.timelineBox, h('p', { class: 'muted' }, m.error ?? 'No detail for this request.'));
        break;
      case 'runs':
        this.renderRunPicker(m.runs);
        break;
      case 'comparison':
        this.comparison = m.view;
        this.renderComparison(m.error);
        break;
      case 'show':
        this.showTab(m.tab);
        if (m.tab === 'compare' && this.snapshot?.interactive) this.host.post({ type: 'listRuns' });
        break;
    }
  }

  // ---- header and cards ----

  private renderHeader(): void {
    const s = this.snapshot!;
    const p = this.progress;
    const state = s.state === 'running' ? 'running' : s.state === 'finished' ? (s.summary?.ended_by ?? 'finished') : 'idle';
    const badge = h('vscode-badge', { variant: 'counter', class: `state state-${s.state}`, 'data-state': s.state }, state);
    const bar = h('vscode-progress-bar', { class: 'load-progress', 'aria-label': 'load shape progress' });
    if (p && p.planned_s > 0) {
      (bar as unknown as { value: number; max: number }).max = p.planned_s;
      (bar as unknown as { value: number; max: number }).value = Math.min(p.elapsed_s, p.planned_s);
    } else (bar as unknown as { value: number }).value = s.state === 'finished' ? 1 : 0;
    if (s.state === 'finished') (bar as unknown as { value: number; max: number }).value = (bar as unknown as { max: number }).max;
    const actions = h('div', { class: 'actions' });
    if (s.interactive) {
      const cmp = h('vscode-button', { secondary: true, 'data-action': 'compare' }, 'Compare…');
      cmp.addEventListener('click', () => {
        this.showTab('compare');
        this.host.post({ type: 'listRuns' });
      });
      const exp = h('vscode-button', { secondary: true, 'data-action': 'export' }, 'Export HTML report');
      exp.addEventListener('click', () => this.host.post({ type: 'exportReport' }));
      append(actions, cmp, exp);
    }
    const load = p ? `${p.elapsed_s.toFixed(0)}s of ${p.planned_s.toFixed(0)}s · users ${p.active_users}/${p.target_users} · in flight ${p.in_flight}` : s.summary ? `${s.summary.duration_s.toFixed(1)}s · ${s.summary.target} · ${s.summary.model}` : '';
    replace(
      this.header,
      h('div', { class: 'title-row' }, h('h2', null, s.scenario), badge, actions),
      h('div', { class: 'muted' }, s.runDir ? s.runDir.split(/[\\/]/).pop() ?? '' : '', load ? ` · ${load}` : ''),
      bar,
    );
  }

  private renderCards(): void {
    const s = this.snapshot!;
    const p = this.progress;
    const sum = s.summary;
    const live = s.state === 'running' || !sum;
    const total = live ? (p ? p.ok + p.failed : s.requests_total) : sum.requests.total;
    const ok = live ? (p?.ok ?? 0) : sum.requests.ok;
    const failed = live ? (p?.failed ?? 0) : sum.requests.failed;
    const success = ok + failed > 0 ? ok / (ok + failed) : null;
    const card = (id: string, label: string, value: string) => h('div', { class: 'card', 'data-card': id }, h('div', { class: 'card-value' }, value), h('div', { class: 'card-label' }, label));
    replace(
      this.cards,
      card('requests', 'requests', String(total)),
      card('success', 'success rate', fmtPct(success)),
      card('qpm', live ? 'QPM (last 10 s)' : 'QPM', fmtNum(live ? (p?.qpm ?? null) : sum.qpm)),
      card('ttft', 'TTFT p95', fmtMs(live ? (p?.ttft_p95_ms ?? null) : sum.ttft_ms.p95)),
      card('rate', 'token rate p50', live ? fmtNum(p?.token_rate_p50 ?? null) : fmtNum(sum.token_rate.p50)),
    );
    // Graded runs (docs/accuracy.md): accuracy with its 95% interval.
    const acc = !live ? sum.accuracy : undefined;
    if (acc) this.cards.appendChild(card('accuracy', acc.ci95 ? `accuracy (95% CI ${fmtPct(acc.ci95[0])}–${fmtPct(acc.ci95[1])})` : 'accuracy', fmtPct(acc.value)));
  }

  // ---- tables ----

  private renderTables(): void {
    const sum = this.snapshot?.summary;
    if (!sum) {
      replace(this.tablesBox, h('p', { class: 'muted' }, 'Percentiles, errors and buckets appear when the run ends.'));
      return;
    }
    const pctRows: Array<[string, { p50: number | null; p90: number | null; p95: number | null; p99: number | null; max: number | null; mean: number | null }, (x: number | null) => string]> = [
      ['TTFT', sum.ttft_ms, fmtMs],
      ['TTFA', sum.ttfa_ms, fmtMs],
      ['e2e', sum.e2e_ms, fmtMs],
      ['thinking', sum.thinking_ms, fmtMs],
      ['token rate /s', sum.token_rate, (x) => fmtNum(x)],
    ];
    const parts: HTMLElement[] = [
      h('h3', null, 'Percentiles'),
      table(
        ['figure', 'p50', 'p90', 'p95', 'p99', 'max', 'mean'],
        pctRows.map(([n, p, f]) => [n, f(p.p50), f(p.p90), f(p.p95), f(p.p99), f(p.max), f(p.mean)]),
        'percentiles',
      ),
      h('p', { class: 'muted' }, `${sum.requests.total} requests · ${sum.requests.ok} ok · ${sum.requests.failed} failed · ${sum.requests.cancelled} cancelled · QPM ${fmtNum(sum.qpm)} · RPS ${fmtNum(sum.rps, 2)} · output ${fmtNum(sum.output_tokens_per_s)} tokens/s`),
    ];
    const errs = Object.entries(sum.errors);
    parts.push(h('h3', null, 'Errors by kind'));
    if (errs.length === 0) parts.push(h('p', { class: 'muted' }, 'No errors.'));
    else parts.push(table(['kind', 'count', 'sample message'], errs.map(([k, n]) => [k, String(n), (sum.error_samples as Record<string, string | undefined>)[k] ?? '']), 'errors'));
    const buckets = readBuckets(sum);
    parts.push(h('h3', null, 'Token buckets'));
    if (buckets.length === 0) parts.push(h('p', { class: 'muted' }, 'This run has no token buckets.'));
    else {
      const bt = bucketTable(buckets);
      parts.push(table(bt.columns, bt.rows, 'buckets'));
    }
    if (sum.expectations.length) {
      parts.push(h('h3', null, 'Expectations'));
      parts.push(table(['expectation', 'result', 'actual'], sum.expectations.map((e) => [e.text ?? '', e.pass ? 'PASS' : 'FAIL', e.actual_text ?? '']), 'expectations'));
    }
    replace(this.tablesBox, ...parts);
  }

  // ---- requests ----

  private askPage(now = false): void {
    if (!this.snapshot) return;
    if (this.tab !== 'requests' && !now && this.page) return;
    const wait = now ? 0 : Math.max(0, 1000 - (Date.now() - this.lastPageAsk));
    if (this.pageTimer !== undefined) return;
    this.pageTimer = setTimeout(() => {
      this.pageTimer = undefined;
      this.lastPageAsk = Date.now();
      this.pageSeq++;
      this.host.post({ type: 'page', seq: this.pageSeq, query: this.query });
    }, wait);
  }

  private setQuery(q: Partial<TableQuery>): void {
    this.query = { ...this.query, ...q };
    for (const k of Object.keys(this.query) as Array<keyof TableQuery>) if (this.query[k] === undefined) delete this.query[k];
    this.saveState();
    if (this.pageTimer !== undefined) clearTimeout(this.pageTimer);
    this.pageTimer = undefined;
    this.askPage(true);
  }

  private askDetail(id: number): void {
    this.selected = id;
    this.detailSeq++;
    this.saveState();
    replace(this.timelineBox, h('p', { class: 'muted' }, `Loading request #${id}…`));
    this.host.post({ type: 'detail', seq: this.detailSeq, id });
  }

  /** A click on a chart point: the requests that ended in that second, slowest TTFT first. */
  showSecond(second: number): void {
    this.showTab('requests');
    this.setQuery({ second, sort: 'ttft_ms', desc: true, page: 0 });
  }

  private renderRequests(): void {
    const p = this.page!;
    const q = p.query;
    const select = (name: string, label: string, values: string[], current: string | undefined) => {
      const el = h('select', { 'data-filter': name, 'aria-label': label });
      el.appendChild(h('option', { value: '' }, `${label}: all`));
      for (const v of values) {
        const o = h('option', { value: v }, v);
        if (v === current) o.selected = true;
        el.appendChild(o);
      }
      el.addEventListener('change', () => this.setQuery({ [name]: el.value || undefined, page: 0 }));
      return el;
    };
    const filters = h(
      'div',
      { class: 'filters' },
      select('status', 'status', ['ok', 'error'], q.status),
      select('error_kind', 'error kind', p.facets.error_kinds, q.error_kind),
      select('prompt', 'prompt', p.facets.prompts, q.prompt),
      p.facets.buckets.length ? select('bucket', 'bucket', p.facets.buckets, q.bucket) : null,
      p.facets.grades ? select('grade', 'answer', p.facets.grades, q.grade) : null,
    );
    if (q.second !== undefined) {
      const clearBtn = h('vscode-button', { secondary: true, 'data-action': 'clear-second' }, `ended in second ${q.second} ✕`);
      clearBtn.addEventListener('click', () => this.setQuery({ second: undefined, page: 0 }));
      filters.appendChild(clearBtn);
    }
    const pages = Math.max(1, Math.ceil(p.matching / q.page_size));
    const prev = h('vscode-button', { secondary: true, 'data-action': 'prev', disabled: q.page <= 0 }, 'Previous');
    const next = h('vscode-button', { secondary: true, 'data-action': 'next', disabled: q.page >= pages - 1 }, 'Next');
    prev.addEventListener('click', () => q.page > 0 && this.setQuery({ page: q.page - 1 }));
    next.addEventListener('click', () => q.page < pages - 1 && this.setQuery({ page: q.page + 1 }));
    const pager = h('div', { class: 'pager' }, prev, h('span', { 'data-info': 'pager' }, `page ${q.page + 1} of ${pages} · ${p.matching} of ${p.total} requests`), next);

    const withBuckets = p.facets.buckets.length > 0;
    const columns = withBuckets ? COLUMNS : COLUMNS.filter((c) => c.key !== 'bucket');
    const tbl = h('vscode-table', { zebra: true, 'bordered-rows': true, class: 'requests-table', columns: JSON.stringify(columns.map((c) => (c.key === 'prompt' ? '140px' : c.key === 'id' ? '50px' : '80px'))) });
    const head = h('vscode-table-header', { slot: 'header' });
    for (const c of columns) {
      const arrow = q.sort === c.key ? (q.desc ? ' ▼' : ' ▲') : '';
      const cell = h('vscode-table-header-cell', { 'data-sort': c.sortable ? c.key : undefined, class: c.sortable ? 'sortable' : undefined }, c.label + arrow);
      if (c.sortable) cell.addEventListener('click', () => this.setQuery({ sort: c.key as RequestSortKey, desc: q.sort === c.key ? !q.desc : c.key !== 'id' && c.key !== 'offset_ms', page: 0 }));
      head.appendChild(cell);
    }
    const body = h('vscode-table-body', { slot: 'body' });
    for (const r of p.rows) {
      const row = h('vscode-table-row', { 'data-request': r.id, class: r.id === this.selected ? 'selected' : r.status === 'error' ? 'failed' : undefined, tabindex: 0 });
      const cells = [String(r.id), r.prompt, r.status === 'ok' ? 'ok' : (r.error_kind ?? 'error'), fmtMs(r.offset_ms), fmtMs(r.ttft_ms), fmtMs(r.ttfa_ms), fmtMs(r.e2e_ms), fmtNum(r.token_rate), r.input_tokens === null ? '-' : String(r.input_tokens), String(r.output_tokens)];
      if (withBuckets) cells.push(r.bucket ?? '');
      if (r.grade) cells[2] += r.grade === 'correct' ? ' · correct' : ` · ${r.grade}: ${r.extracted ?? '(none)'} ≠ ${r.expected ?? ''}`;
      for (const c of cells) row.appendChild(h('vscode-table-cell', null, c));
      if (r.grade && r.grade !== 'correct') (row.children[2] as HTMLElement).title = cells[2]!;
      const pick = () => {
        this.askDetail(r.id);
        for (const el of body.querySelectorAll('.selected')) el.classList.remove('selected');
        row.classList.add('selected');
      };
      row.addEventListener('click', pick);
      row.addEventListener('keydown', (e: KeyboardEvent) => e.key === 'Enter' && pick());
      body.appendChild(row);
    }
    append(tbl, head, body);
    replace(this.requestsBox, filters, tbl, pager);
  }

  // ---- compare ----

  private renderCompareShell(): void {
    if (!this.snapshot?.interactive) {
      replace(this.compareBox, h('p', { class: 'muted' }, 'Compare runs in VS Code (llmload: Compare Runs) or with llmload compare RUN_A RUN_B.'));
      return;
    }
    if (!this.compareBox.firstChild) replace(this.compareBox, h('div', { class: 'run-picker' }, h('p', { class: 'muted' }, 'Loading runs…')), h('div', { class: 'comparison' }), this.compareChartsBox);
    if (this.comparison) this.renderComparison();
  }

  private renderRunPicker(runs: Array<{ dir: string; name: string; scenario: string; started_at: string }>): void {
    const picker = this.compareBox.querySelector('.run-picker') as HTMLElement | null;
    if (!picker) return;
    const others = runs.filter((r) => r.dir !== this.snapshot?.runDir);
    if (others.length === 0) {
      replace(picker, h('p', { class: 'muted' }, 'No other finished run in this results folder yet.'));
      return;
    }
    const sel = h('select', { 'data-compare': 'run', 'aria-label': 'baseline run' });
    for (const r of others) sel.appendChild(h('option', { value: r.dir }, `${r.name} — ${r.scenario}`));
    const go = h('vscode-button', { 'data-action': 'run-compare' }, 'Compare');
    go.addEventListener('click', () => this.host.post({ type: 'compare', other: sel.value }));
    replace(picker, h('span', null, 'Baseline (A): '), sel, go, h('span', { class: 'muted' }, ' against this run (B)'));
  }

  private renderComparison(error?: string): void {
    const box = this.compareBox.querySelector('.comparison') as HTMLElement | null;
    if (!box) return;
    if (error || !this.comparison) {
      replace(box, h('p', { class: 'error-message' }, error ?? 'No comparison.'));
      return;
    }
    const c = this.comparison.comparison;
    const rowsOf = (rows: CompareRow[]) =>
      rows.map((r) => ({ cells: [r.label, fmtUnit(r.a, r.unit), fmtUnit(r.b, r.unit), fmtSignedUnit(r.abs, r.unit), fmtSignedPct(r.rel), r.verdict], cls: `verdict-${r.verdict.replace('/', '')}` }));
    const parts: HTMLElement[] = [h('p', null, `A: ${c.a.name} (${c.a.requests} requests) · B: ${c.b.name} (${c.b.requests} requests)`), classTable(['figure', 'A', 'B', 'delta', 'delta %', ''], rowsOf(c.rows), 'compare')];
    for (const b of c.buckets) parts.push(h('h4', null, `Bucket ${b.bucket}`), classTable(['figure', 'A', 'B', 'delta', 'delta %', ''], rowsOf(b.rows), 'compare-bucket'));
    replace(box, ...parts);
    this.compareCharts.update(this.comparison.seriesB, this.comparison.seriesA);
  }
}

function table(columns: string[], rows: string[][], name: string): HTMLElement {
  return classTable(
    columns,
    rows.map((cells) => ({ cells, cls: '' })),
    name,
  );
}

function classTable(columns: string[], rows: Array<{ cells: string[]; cls: string }>, name: string): HTMLElement {
  const t = h('vscode-table', { zebra: true, 'bordered-rows': true, 'data-table': name });
  const head = h('vscode-table-header', { slot: 'header' });
  for (const c of columns) head.appendChild(h('vscode-table-header-cell', null, c));
  const body = h('vscode-table-body', { slot: 'body' });
  for (const r of rows) {
    const row = h('vscode-table-row', { class: r.cls || undefined });
    for (const c of r.cells) row.appendChild(h('vscode-table-cell', null, c));
    body.appendChild(row);
  }
  append(t, head, body);
  return t;
}
