/**
 * The results panel (one per scenario, beside the file). registerResultsPanel is called by
 * activate() with the run controller's events; openResultsPanel and compareRuns serve the "Open
 * Results" and "Compare Runs" commands; the panel also registers `llmload.panel.open`,
 * `llmload.panel.compare` and `llmload.panel.exportReport` for them to call.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { readRunFolder } from '../../core/viewmodel/run-folder';
import type { RunEvents } from '../run-events';
import { ResultsPanel, VIEW_TYPE, webviewOptions } from './results-panel';
import { ViewStateStore } from './view-state-store';

class PanelRegistry {
  readonly panels = new Map<string, ResultsPanel>();
  readonly views: ViewStateStore;

  constructor(private readonly context: vscode.ExtensionContext) {
    const dir = context.storageUri?.fsPath ?? context.globalStorageUri?.fsPath;
    this.views = new ViewStateStore(dir ? path.join(dir, 'results-panel-views.json') : undefined);
  }

  /** The scenario's panel, created beside the active editor without taking focus, or reused. */
  panelFor(key: string, file: string): ResultsPanel {
    const existing = this.panels.get(key);
    if (existing) {
      if (!existing.panel.visible) existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, `llmload: ${path.basename(file || key).replace(/\.llmload$/, '')}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.context));
    return this.adopt(panel, key, file);
  }

  adopt(panel: vscode.WebviewPanel, key: string, file: string): ResultsPanel {
    const p = new ResultsPanel(
      this.context,
      panel,
      key,
      file,
      (gone) => {
        if (this.panels.get(gone.key) === gone) this.panels.delete(gone.key);
      },
      this.views,
    );
    this.panels.set(key, p);
    return p;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
  }
}

let registry: PanelRegistry | undefined;

function registryFor(context: vscode.ExtensionContext): PanelRegistry {
  registry ??= new PanelRegistry(context);
  return registry;
}

/** The panel key of a run folder: its scenario file when plan.json names one, else the folder. */
function keyOfRun(runDir: string): { key: string; file: string } {
  try {
    const info = readRunFolder(runDir);
    if (info.file) return { key: info.file, file: info.file };
    return { key: info.dir, file: '' };
  } catch {
    return { key: path.resolve(runDir), file: '' };
  }
}

export function registerResultsPanel(context: vscode.ExtensionContext, runs: RunEvents): void {
  const reg = registryFor(context);
  context.subscriptions.push(
    { dispose: () => reg.dispose() },
    runs.onDidStartRun((e) => reg.panelFor(e.file, e.file).startRun(e.runDir)),
    runs.onDidReceiveLive((e) => {
      const p = reg.panels.get(e.file);
      if (p && p.model.runDir === e.runDir) p.live(e.delta);
    }),
    runs.onDidFinishRun((e) => {
      const p = reg.panels.get(e.file);
      if (p && p.model.runDir === e.runDir) p.finishRun(e.summary);
    }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const st = ResultsPanel.stateOf(state);
        const key = st?.key ?? `restored:${Date.now()}`;
        const old = reg.panels.get(key);
        if (old) old.dispose();
        const p = reg.adopt(panel, key, st && !st.key.startsWith('restored:') && st.key.endsWith('.llmload') ? st.key : '');
        // The store is written on every change; VS Code's copy may be older.
        const latest = st ? (reg.views.get(st.key) ?? st) : undefined;
        if (latest) p.model.viewState = latest;
        const runDir = latest?.runDir ?? st?.runDir;
        if (runDir) {
          try {
            await p.showRun(runDir);
          } catch {
            // the folder is gone: the panel shows its idle state
          }
        }
      },
    }),
    vscode.commands.registerCommand('llmload.panel.open', (runDir: string) => openResultsPanel(context, runDir)),
    vscode.commands.registerCommand('llmload.panel.compare', (a: string, b: string) => compareRuns(context, a, b)),
    vscode.commands.registerCommand('llmload.panel.exportReport', async (runDir?: string, file?: string) => {
      const p = runDir ? await openResultsPanel(context, runDir) : [...reg.panels.values()].find((x) => x.panel.active) ?? [...reg.panels.values()][0];
      return (await p?.exportReport(file ? vscode.Uri.file(file) : undefined))?.fsPath;
    }),
  );
}

/** Shows a past run's folder in its scenario's panel (opening it beside, focus kept). */
export async function openResultsPanel(context: vscode.ExtensionContext, runDir: string): Promise<ResultsPanel> {
  const { key, file } = keyOfRun(runDir);
  const p = registryFor(context).panelFor(key, file);
  await p.showRun(runDir);
  return p;
}

/** Opens run B in its panel and shows it against run A (the baseline) on the Compare tab. */
export async function compareRuns(context: vscode.ExtensionContext, runA: string, runB: string): Promise<ResultsPanel> {
  const p = await openResultsPanel(context, runB);
  await p.compareWith(runA);
  return p;
}

/** The open panels, for tests. */
export function openPanels(): ResultsPanel[] {
  return registry ? [...registry.panels.values()] : [];
}
