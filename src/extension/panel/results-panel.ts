/**
 * One results panel per scenario, beside the scenario's editor and never taking focus. It is
 * reused for every run of its scenario, restored after a reload by the serializer (the view keeps
 * its key and run folder with setState), and holds no hidden context: when it shows again the view
 * reloads, says `ready`, and gets the latest snapshot.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { HostToView, LiveDelta, ViewState, ViewTab, ViewToHost } from '../../core/messages';
import type { Summary } from '../../core/metrics/summary';
import { buildReportData } from '../../core/report/report-data';
import { loadReportAssets, writeReport } from '../../core/report/html';
import { newNonce, panelHtml } from './panel-html';
import { PanelModel, scenarioName } from './panel-model';
import type { ViewStateStore } from './view-state-store';

export const VIEW_TYPE = 'llmload.results';

export function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, enableFindWidget: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')] };
}

export class ResultsPanel implements vscode.Disposable {
  readonly model: PanelModel;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;
  private pendingTab: ViewTab | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    readonly key: string,
    file: string,
    private readonly onDispose: (p: ResultsPanel) => void,
    private readonly views?: ViewStateStore,
  ) {
    this.model = new PanelModel(key, scenarioName(file || key), file);
    const webview = panel.webview;
    webview.options = webviewOptions(context);
    const root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'app.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'app.css')).toString(),
      nonce: newNonce(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: ViewToHost) => void this.receive(m)),
      panel.onDidChangeViewState(() => {
        // A hidden view is torn down (no retainContextWhenHidden); it says `ready` again when shown.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get title(): string {
    return this.panel.title;
  }

  private post(m: HostToView): void {
    if (this.disposed || !this.ready) return;
    void this.panel.webview.postMessage(m);
  }

  private async receive(m: ViewToHost): Promise<void> {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'ready') this.ready = true;
    if (m.type === 'viewState' && m.state && typeof m.state.key === 'string') this.views?.set(this.key, m.state);
    if (m.type === 'exportReport') {
      await this.exportReport();
      return;
    }
    if (m.type === 'stop') {
      if (this.model.state === 'running') await vscode.commands.executeCommand('llmload.stopRun');
      return;
    }
    const answer = await this.model.answer(m);
    if (answer) this.post(answer);
    if (m.type === 'ready' && this.pendingTab) {
      this.post({ type: 'show', tab: this.pendingTab });
      this.pendingTab = null;
    }
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  startRun(runDir: string): void {
    this.model.startRun(runDir);
    this.panel.title = `llmload: ${this.model.current().scenario}`;
    this.post({ type: 'snapshot', snapshot: this.model.current() });
  }

  live(delta: LiveDelta): void {
    const now = Date.now();
    const due = this.model.live(delta, now);
    if (due) {
      if (this.panel.visible) this.post(this.model.liveMessage(due));
      return;
    }
    if (!this.flushTimer && this.model.hasPending) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        const b = this.model.flush(Date.now());
        if (b && this.panel.visible) this.post(this.model.liveMessage(b));
      }, 200);
    }
  }

  finishRun(summary: Summary): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.model.finishRun(summary);
    this.post({ type: 'snapshot', snapshot: this.model.current() });
  }

  async showRun(runDir: string): Promise<void> {
    await this.model.loadRun(runDir);
    this.panel.title = `llmload: ${this.model.current().scenario}`;
    this.post({ type: 'snapshot', snapshot: this.model.current() });
  }

  showTab(tab: ViewTab): void {
    if (this.ready) this.post({ type: 'show', tab });
    else this.pendingTab = tab;
  }

  async compareWith(baseline: string): Promise<void> {
    this.showTab('compare');
    const answer = await this.model.answer({ type: 'compare', other: baseline });
    if (this.ready && answer) this.post(answer);
    else if (answer) {
      // The view is still loading: send it once it is ready.
      const sub = this.panel.webview.onDidReceiveMessage((m: ViewToHost) => {
        if (m?.type === 'ready') {
          sub.dispose();
          setTimeout(() => this.post(answer), 0);
        }
      });
      this.disposables.push(sub);
    }
  }

  async exportReport(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const runDir = this.model.runDir;
    if (!runDir) {
      void vscode.window.showInformationMessage('llmload: no run to export yet.');
      return undefined;
    }
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(runDir, 'report.html')),
        filters: { HTML: ['html'] },
        title: 'llmload: export HTML report',
      }));
    if (!uri) return undefined;
    try {
      const assets = loadReportAssets([vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview').fsPath]);
      await writeReport(uri.fsPath, await buildReportData(runDir), assets);
      // Open it in the browser, or show it in the file manager.
      void vscode.window.showInformationMessage(`llmload: report written to ${uri.fsPath}`, 'Open', 'Reveal').then((pick) => {
        if (pick === 'Open') void vscode.env.openExternal(uri);
        else if (pick === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', uri);
      });
      return uri;
    } catch (e) {
      void vscode.window.showErrorMessage(`llmload: cannot write the report: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** What the view saved, for the serializer. */
  static stateOf(state: unknown): ViewState | undefined {
    if (!state || typeof state !== 'object') return undefined;
    const s = state as Partial<ViewState>;
    if (typeof s.key !== 'string') return undefined;
    return s as ViewState;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const d of this.disposables) d.dispose();
    this.onDispose(this);
    this.panel.dispose();
  }
}
