/**
 * What one results panel knows about its run, independent of VS Code: the snapshot it replays when
 * the view (re)loads, the request rows it pages, the live batcher, and the run's files for
 * on-demand request details. The VS Code side (results-panel.ts) only moves messages.
 */
import path from 'node:path';
import type { ComparisonView, HostToView, LiveDelta, PanelSnapshot, RequestDetail, RunListItem, TableQuery, ViewState, ViewToHost } from '../../core/messages';
import type { SeriesRow } from '../../core/metrics/aggregate';
import type { Summary } from '../../core/metrics/summary';
import { compareRunFolders } from '../../core/compare/runs';
import { DeltaBatcher, mergeSeries, type BatchedDelta } from '../../core/viewmodel/live';
import { bucketLabels, readRequestRows, readRunFolder, RunFiles, siblingRuns, tableRowOf } from '../../core/viewmodel/run-folder';
import { RowStore } from '../../core/viewmodel/table';

export class PanelModel {
  private snapshot: PanelSnapshot;
  private store = new RowStore();
  private files: RunFiles | null = null;
  private readonly batcher: DeltaBatcher;
  /** The view's last saved state (tab, selection, query), replayed in snapshots for a restored view. */
  viewState: ViewState | null = null;

  constructor(
    readonly key: string,
    scenario: string,
    file: string,
    liveIntervalMs = 200,
  ) {
    this.batcher = new DeltaBatcher(liveIntervalMs);
    this.snapshot = { key, scenario, file, runDir: null, state: 'idle', progress: null, series: [], summary: null, requests_total: 0, buckets: [], interactive: true };
  }

  get runDir(): string | null {
    return this.snapshot.runDir;
  }

  get state(): PanelSnapshot['state'] {
    return this.snapshot.state;
  }

  current(): PanelSnapshot {
    const snap: PanelSnapshot = { ...this.snapshot, requests_total: this.store.size };
    const v = this.viewState;
    if (v && v.runDir && this.snapshot.runDir && path.resolve(v.runDir) === path.resolve(this.snapshot.runDir)) snap.view = { ...v, runDir: this.snapshot.runDir };
    return snap;
  }

  /** A run begins: everything is reset; plan.json (already written) gives the buckets. */
  startRun(runDir: string): void {
    let buckets: number[] = [];
    let scenario = this.snapshot.scenario;
    try {
      const info = readRunFolder(runDir);
      buckets = info.buckets;
      scenario = info.scenario;
    } catch {
      // plan.json not readable yet: no buckets
    }
    this.store = new RowStore(bucketLabels(buckets));
    this.files = new RunFiles(runDir);
    this.batcher.take(0, true);
    this.snapshot = { ...this.snapshot, scenario, runDir, state: 'running', progress: null, series: [], summary: null, requests_total: 0, buckets };
  }

  /** Folds a live delta in; returns the batched message when one is due (null otherwise). */
  live(delta: LiveDelta, now: number): BatchedDelta | null {
    this.store.add(delta.requests.map((r) => tableRowOf(r, this.snapshot.buckets)));
    this.snapshot.series = mergeSeries(this.snapshot.series, delta.series);
    this.snapshot.progress = delta.progress;
    this.batcher.push(delta);
    return this.batcher.take(now);
  }

  /** The pending batch regardless of the interval (for a timer that fires after it). */
  flush(now: number): BatchedDelta | null {
    return this.batcher.take(now, true);
  }

  get hasPending(): boolean {
    return this.batcher.pending;
  }

  liveMessage(b: BatchedDelta): HostToView {
    return { type: 'live', progress: b.progress, series: b.series, requests_total: this.store.size };
  }

  /** The run ended: the written series replaces the live one (it is complete), the summary arrives. */
  finishRun(summary: Summary, series?: SeriesRow[]): void {
    let s = series;
    if (!s && this.snapshot.runDir) {
      try {
        s = readRunFolder(this.snapshot.runDir).series;
      } catch {
        s = undefined;
      }
    }
    this.batcher.take(0, true);
    this.snapshot = { ...this.snapshot, state: 'finished', summary, series: s && s.length ? s : this.snapshot.series };
  }

  /** Shows a past run from its folder. */
  async loadRun(runDir: string): Promise<void> {
    const info = readRunFolder(runDir);
    const rows = await readRequestRows(info.dir, info.buckets);
    this.store = new RowStore(bucketLabels(info.buckets));
    this.store.add(rows);
    this.files = new RunFiles(info.dir);
    this.snapshot = {
      ...this.snapshot,
      scenario: info.scenario,
      file: info.file || this.snapshot.file,
      runDir: info.dir,
      state: info.summary ? 'finished' : 'idle',
      progress: null,
      series: info.series,
      summary: info.summary,
      buckets: info.buckets,
    };
  }

  page(query: TableQuery) {
    return this.store.query(query);
  }

  async detail(id: number): Promise<RequestDetail> {
    if (!this.files) throw new Error('no run is shown');
    return this.files.detail(id);
  }

  runs(): RunListItem[] {
    return this.snapshot.runDir ? siblingRuns(this.snapshot.runDir) : [];
  }

  /** This run (B) against `other` (A, the baseline). */
  compare(other: string): ComparisonView {
    if (!this.snapshot.runDir) throw new Error('no run is shown');
    const comparison = compareRunFolders(other, this.snapshot.runDir);
    return { comparison, seriesA: readRunFolder(other).series, seriesB: this.snapshot.series };
  }

  /** Answers one view message; null when the message needs the host (export) or has no answer. */
  async answer(m: ViewToHost): Promise<HostToView | null> {
    switch (m.type) {
      case 'ready':
        return { type: 'snapshot', snapshot: this.current() };
      case 'viewState':
        if (m.state && typeof m.state === 'object' && typeof m.state.key === 'string') this.viewState = m.state;
        return null;
      case 'page':
        return { type: 'page', seq: m.seq, page: this.page(m.query) };
      case 'detail':
        try {
          return { type: 'detail', seq: m.seq, detail: await this.detail(m.id) };
        } catch (e) {
          return { type: 'detail', seq: m.seq, detail: null, error: (e as Error).message };
        }
      case 'listRuns':
        return { type: 'runs', runs: this.runs() };
      case 'compare':
        try {
          return { type: 'comparison', view: this.compare(m.other) };
        } catch (e) {
          return { type: 'comparison', view: null, error: (e as Error).message };
        }
      default:
        return null;
    }
  }
}

export function scenarioName(file: string): string {
  return path.basename(file).replace(/\.llmload$/, '');
}
