/**
 * The results view: header with the run's state and load-shape progress, summary cards, and tabs
 * for live charts, tables, requests (paged by the host) with the packet timeline, and comparison.
 * Every piece of run data is put in the DOM as text (see dom.ts).
 */
import type { ComparisonView, HostToView, PanelSnapshot, Progress, RequestPage, RequestSortKey, TableQuery, ViewState, ViewTab } from '../../src/core/messages';
import type { SeriesRow } from '../../src/core/metrics/aggregate';
import { bucketTable, cacheNotes, readBuckets } from '../../src/core/viewmodel/buckets';
import { fmtMs, fmtNum, fmtPct } from '../../src/core/viewmodel/format';
import { mergeSeries } from '../../src/core/viewmodel/live';
import { defaultQuery } from '../../src/core/viewmodel/table';
import { fitColumns, type ColumnSpec } from '../../src/core/viewmodel/request-columns';
import { ChartGrid } from './charts';
import { AccuracyChart } from './accuracy-chart';
import { CapacityChart } from './capacity-chart';
import { append, h, replace } from './dom';
import { renderHeader, snapshotVerdict } from './header-view';
import { comparisonParts } from './compare-view';
import type { ViewHost } from './host';
import { watchResize, watchTheme } from './theme';
import { TimelineView } from './timeline-view';
import { serverCard } from '../../src/core/server-metrics/verdict';
import { goodputCard } from '../../src/core/viewmodel/goodput-card';
import { turnsView } from './turns-view';

const TABS: ViewTab[] = ['live', 'tables', 'requests', 'compare'];

/** The Requests table's columns; `priority` decides which stay in a narrow panel (request-columns.ts). */
const COLUMNS: Array<ColumnSpec<RequestSortKey | 'prompt' | 'status' | 'bucket'> & { sortable: boolean }> = [
  { key: 'id', label: '#', sortable: true, priority: 0, min: 40 },
  { key: 'prompt', label: 'prompt', sortable: false, priority: 5, min: 90 },
  { key: 'status', label: 'status', sortable: false, priority: 0, min: 64 },
  { key: 'offset_ms', label: 'sent at', sortable: true, priority: 9, min: 72 },
  { key: 'ttft_ms', label: 'TTFT', sortable: true, priority: 0, min: 72 },
  { key: 'ttfa_ms', label: 'TTFA', sortable: true, priority: 8, min: 72 },
  { key: 'e2e_ms', label: 'e2e', sortable: true, priority: 1, min: 72 },
  { key: 'token_rate', label: 'tok/s', sortable: true, priority: 6, min: 60 },
  { key: 'input_tokens', label: 'in', sortable: true, priority: 7, min: 52 },
  { key: 'output_tokens', label: 'out', sortable: true, priority: 4, min: 52 },
  { key: 'bucket', label: 'bucket', sortable: false, priority: 10, min: 80 },
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
  /** The Requests box's width when its table was laid out (a resize lays it out again). */
  private requestsWidth = 0;
  /** A click asked for a request's detail: scroll its timeline into view when it arrives. */
  private revealDetail = false;
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
  /** Graded runs: accuracy per time slice or load step, in the same grid. */
  private readonly accuracyChart = new AccuracyChart(this.liveBox);
  /** Sweeps: throughput and latency against the load level, the SLOs and the capacity. */
  private readonly capacityChart = new CapacityChart(this.liveBox);
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
    watchResize(this.requestsBox, () => {
      if (this.page && Math.abs(this.requestsBox.clientWidth - this.requestsWidth) > 24) this.renderRequests();
    });
    host.onMessage((m) => this.receive(m));
    watchTheme(() => {
      this.charts.restyle();
      this.compareCharts.restyle();
      this.accuracyChart.update(this.snapshot?.summary);
      this.capacityChart.update(this.snapshot?.summary);
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
      // Charts in a tab that was hidden have no size: draw them as soon as the tab shows.
      requestAnimationFrame(() => (this.tab === 'live' ? this.charts.redraw() : this.tab === 'compare' ? this.compareCharts.redraw() : undefined));
      if (this.tab === 'live') requestAnimationFrame(() => this.accuracyChart.redraw());
      if (this.tab === 'live') requestAnimationFrame(() => this.capacityChart.redraw());
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
        this.accuracyChart.update(this.snapshot.summary);
        this.capacityChart.update(this.snapshot.summary);
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
        if (m.detail) {
          this.timeline.show(m.detail);
          // The timeline is below the table: bring it to where the user is looking.
          if (this.tab === 'requests' && this.revealDetail) this.timelineBox.scrollIntoView({ block: 'start' });
          this.revealDetail = false;
        }
        else replace(this.timelineBox, h('p', { class: 'muted' }, m.error ?? 'No detail for this request.'));
        break;
      case 'runs':
        this.renderRunPicker(m.runs);
        break;
      case 'comparison':
        this.comparison = m.view;
        if (this.snapshot && !this.snapshot.interactive) this.renderCompareShell();
        else this.renderComparison(m.error);
        break;
      case 'show':
        this.showTab(m.tab);
        if (m.tab === 'compare' && this.snapshot?.interactive) this.host.post({ type: 'listRuns' });
        break;
    }
  }

  // ---- header and cards ----

  private renderHeader(): void {
    renderHeader(this.header, this.snapshot!, this.progress, {
      stop: () => this.host.post({ type: 'stop' }),
      compare: () => {
        this.showTab('compare');
        this.host.post({ type: 'listRuns' });
      },
      exportReport: () => this.host.post({ type: 'exportReport' }),
    });
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
      // A stop cancels the requests in flight: said, so the card and the table (which lists finished ones) agree.
      card('requests', !live && sum.requests.cancelled > 0 ? `requests (${sum.requests.cancelled} cancelled)` : 'requests', String(total)),
      card('success', 'success rate', fmtPct(success)),
      card('qpm', live ? 'QPM (last 10 s)' : 'QPM', fmtNum(live ? (p?.qpm ?? null) : sum.qpm)),
      card('ttft', 'TTFT p95', fmtMs(live ? (p?.ttft_p95_ms ?? null) : sum.ttft_ms.p95)),
      card('rate', 'token rate p50', live ? fmtNum(p?.token_rate_p50 ?? null) : fmtNum(sum.token_rate.p50)),
    );
    // Outages (target gave no answer) and what backoff held back: a card only when there were any.
    const ot = live ? undefined : sum.outage_totals;
    if (ot && (ot.outages > 0 || ot.held_back > 0)) {
      this.cards.append(card('outages', `outages · ${fmtNum(ot.down_ms / 1000)} s down · ${ot.held_back} held back`, String(ot.outages)));
    }
    // The server's side (its /metrics and per-request timings): did requests queue there?
    const sv = live ? undefined : serverCard(sum);
    if (sv) this.cards.append(card('server', sv.label, sv.value));
    // Graded runs (docs/accuracy.md): accuracy with its 95% interval.
    const acc = !live ? sum.accuracy : undefined;
    if (acc) this.cards.appendChild(card('accuracy', acc.ci95 ? `accuracy (95% CI ${fmtPct(acc.ci95[0])}–${fmtPct(acc.ci95[1])})` : 'accuracy', fmtPct(acc.value)));
    // Goodput (docs/metrics.md): the share of requests that met every condition of the scenario's goodput line.
    const gp = live ? undefined : goodputCard(sum.goodput);
    if (gp) this.cards.appendChild(Object.assign(card('goodput', gp.label, gp.value), { title: gp.title }));
    // Multi-turn sessions (docs/results-panel.md): TTFT by turn, where prefix-cache reuse shows; at the end (from summary.json).
    append(this.cards, live ? null : turnsView(sum.sessions));
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
    // Input mostly served from the server's prefix cache: TTFT there is not prefill.
    for (const note of cacheNotes(sum)) parts.push(h('p', { class: 'note', 'data-note': 'cache' }, note));
    const errs = Object.entries(sum.errors);
    parts.push(h('h3', null, 'Errors by kind'));
    if (errs.length === 0) parts.push(h('p', { class: 'muted' }, 'No errors.'));
    else parts.push(table(['kind', 'count', 'sample message'], errs.map(([k, n]) => [k, String(n), (sum.error_samples as Record<string, string | undefined>)[k] ?? '']), 'errors'));
    if (sum.outages && sum.outages.length > 0) {
      parts.push(h('h3', null, 'Outages'));
      const sec = (v: number) => `${fmtNum(v / 1000)} s`;
      parts.push(
        table(
          ['start', 'end', 'down', 'failed', 'kinds', 'held back'],
          sum.outages.map((o) => [sec(o.start_ms), o.recovered ? sec(o.end_ms) : `${sec(o.end_ms)} (run end)`, sec(o.end_ms - o.start_ms), String(o.failed), Object.entries(o.kinds).map(([k, n]) => `${k} ${n}`).join(', '), String(o.held_back)]),
          'outages',
        ),
      );
      if (sum.outage_totals) parts.push(h('p', { class: 'muted' }, `backoff ${sum.outage_totals.backoff} · ${sum.outage_totals.held_back} requests held back in all`));
    }
    const buckets = readBuckets(sum);
    parts.push(h('h3', null, 'Token buckets'));
    if (buckets.length === 0) parts.push(h('p', { class: 'muted' }, 'This run has no token buckets.'));
    else {
      const bt = bucketTable(buckets);
      parts.push(table(bt.columns, bt.rows, 'buckets'));
    }
    if (sum.expectations.length) {
      parts.push(h('h3', null, 'Expectations'));
      const v = snapshotVerdict(this.snapshot!, this.progress);
      parts.push(table(['expectation', 'result', 'actual'], (v?.expectations ?? []).map((e) => [e.text ?? '', e.state === 'pass' ? 'PASS' : e.state === 'fail' ? 'FAIL' : 'not judged', e.actual_text ?? '']), 'expectations'));
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
    // Columns that fit the panel's width (#, status, TTFT, e2e always; `#` as wide as its largest id).
    const maxId = p.rows.reduce((m, r) => Math.max(m, r.id), p.total);
    const fit = fitColumns(withBuckets ? COLUMNS : COLUMNS.filter((c) => c.key !== 'bucket'), Math.max(200, (this.requestsBox.clientWidth || this.root.clientWidth || 800) - 4), maxId);
    this.requestsWidth = this.requestsBox.clientWidth;
    const columns = fit.columns as typeof COLUMNS;
    const tbl = h('vscode-table', { zebra: true, 'bordered-rows': true, class: 'requests-table', columns: JSON.stringify(fit.widths.map((w) => `${w}px`)) });
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
      const cell: Record<(typeof COLUMNS)[number]['key'], string> = {
        id: String(r.id),
        prompt: r.prompt,
        status: (r.status === 'ok' ? 'ok' : (r.error_kind ?? 'error')) + (r.grade ? (r.grade === 'correct' ? ' · correct' : ` · ${r.grade}: ${r.extracted ?? '(none)'} ≠ ${r.expected ?? ''}`) : ''),
        offset_ms: fmtMs(r.offset_ms),
        ttft_ms: fmtMs(r.ttft_ms),
        ttfa_ms: fmtMs(r.ttfa_ms),
        e2e_ms: fmtMs(r.e2e_ms),
        token_rate: fmtNum(r.token_rate),
        // † = counted by the tokenizer (the server sent no usage); plain = the server's own count.
        input_tokens: r.input_tokens === null ? '-' : r.input_source === 'tokenizer' ? `${r.input_tokens}†` : String(r.input_tokens),
        output_tokens: String(r.output_tokens),
        bucket: r.bucket ?? '',
      };
      for (const c of columns) row.appendChild(h('vscode-table-cell', { 'data-column': c.key, ...(c.key === 'status' && r.grade && r.grade !== 'correct' ? { title: cell.status } : {}) }, cell[c.key]));
      const pick = () => {
        this.revealDetail = true;
        this.askDetail(r.id);
        for (const el of body.querySelectorAll('.selected')) el.classList.remove('selected');
        row.classList.add('selected');
      };
      row.addEventListener('click', pick);
      row.addEventListener('keydown', (e: KeyboardEvent) => e.key === 'Enter' && pick());
      body.appendChild(row);
    }
    append(tbl, head, body);
    const inNote = columns.some((c) => c.key === 'input_tokens')
      ? h('p', { class: 'muted input-source-note' }, p.rows.some((r) => r.input_source === 'tokenizer') ? 'in: the server\'s prompt token count; † counted by the tokenizer where the server sent none.' : 'in: the server\'s prompt token count (usage.prompt_tokens), as it templated the prompt.')
      : null;
    const hiddenNote = fit.hidden.length ? h('p', { class: 'muted hidden-columns' }, `Not shown at this width: ${fit.hidden.map((c) => c.label).join(', ')} (widen the panel, or click a request for all of its figures).`) : null;
    replace(this.requestsBox, filters, tbl, pager, inNote, hiddenNote);
  }

  // ---- compare ----

  private renderCompareShell(): void {
    if (!this.snapshot?.interactive) {
      // The HTML report: the comparison it was made with (`llmload report --compare`), or how to get one.
      if (!this.comparison) {
        replace(this.compareBox, h('p', { class: 'muted', 'data-compare-note': '' }, 'This report holds no second run: make it with llmload report RUN_DIR --html FILE --compare BASELINE_RUN_DIR to compare this run with a baseline here.'));
        return;
      }
      if (!this.compareBox.querySelector('.comparison')) replace(this.compareBox, h('div', { class: 'comparison' }), this.compareChartsBox);
      this.renderComparison();
      return;
    }
    if (!this.compareBox.firstChild) replace(this.compareBox, h('div', { class: 'run-picker' }, h('p', { class: 'muted' }, 'Loading runs…')), h('div', { class: 'comparison' }), this.compareChartsBox);
    if (this.comparison) this.renderComparison();
  }

  private renderRunPicker(runs: Array<{ dir: string; name: string; scenario: string; started_at: string; requests?: number; verdict?: string }>): void {
    const picker = this.compareBox.querySelector('.run-picker') as HTMLElement | null;
    if (!picker) return;
    const others = runs.filter((r) => r.dir !== this.snapshot?.runDir);
    if (others.length === 0) {
      replace(picker, h('p', { class: 'muted' }, 'No other finished run in this results folder yet.'));
      return;
    }
    const sel = h('select', { 'data-compare': 'run', 'aria-label': 'baseline run' });
    for (const r of others) sel.appendChild(h('option', { value: r.dir }, runOptionText(r)));
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
    const parts = comparisonParts(this.comparison.comparison);
    replace(box, ...parts);
    this.compareCharts.update(this.comparison.seriesB, this.comparison.seriesA);
  }
}

/** `Chat · PASS · 10:04 · 1,234 requests`: what a person picks a baseline by. */
function runOptionText(r: { name: string; scenario: string; started_at: string; requests?: number; verdict?: string }): string {
  const t = Date.parse(r.started_at);
  const when = Number.isFinite(t) ? new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }) : r.name;
  return [r.scenario, r.verdict, when, r.requests !== undefined ? `${r.requests.toLocaleString('en-US')} requests` : undefined].filter(Boolean).join(' · ');
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
