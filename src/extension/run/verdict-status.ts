/**
 * The last run's verdict, kept in the status bar after the run (the live run item disappears when
 * the run ends): PASS, FAIL, STOPPED or ERROR with an icon and the theme's error/warning background,
 * a tooltip with each expectation's actual value, and a click that opens the run's results.
 * Hidden while a run is on (the live item shows then).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunVerdict } from '../../core/metrics/expectations';
import type { RunOutcome } from './run-controller';

const ICON: Record<RunVerdict['kind'], string> = {
  pass: '$(pass-filled)',
  fail: '$(error)',
  stopped: '$(debug-stop)',
  error: '$(warning)',
  done: '$(check)',
};

/** What the item shows for an outcome; undefined for outcomes that are not runs (refused, invalid, cancelled). */
export function verdictStatus(o: RunOutcome): { text: string; tooltip: string; background?: 'error' | 'warning'; runDir?: string } | undefined {
  const name = path.basename(o.file);
  if (o.verdict) {
    const v = o.verdict;
    const lines = [`llmload: ${name}: ${v.label}, ${v.text}`];
    for (const e of v.expectations) lines.push(`${e.state === 'pass' ? '✓' : e.state === 'fail' ? '✗' : '–'} ${e.text}: actual ${e.actual_text}${e.state === 'not judged' ? ' (not judged)' : ''}`);
    if (o.runDir) lines.push('', 'Click to open the results.');
    return {
      text: `${ICON[v.kind]} llmload ${v.label}`,
      tooltip: lines.join('\n'),
      background: v.kind === 'fail' || v.kind === 'error' ? 'error' : v.kind === 'stopped' ? 'warning' : undefined,
      runDir: o.runDir,
    };
  }
  if (o.status === 'failed') return { text: `${ICON.error} llmload ERROR`, tooltip: `llmload: ${name}: the run did not finish: ${o.message ?? 'the engine ended early'}`, background: 'error', runDir: o.runDir };
  return undefined;
}

export class VerdictStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('llmload.verdict', vscode.StatusBarAlignment.Left, 98);
  private readonly disposables: vscode.Disposable[] = [this.item];
  /** What the item shows now (tests read it). */
  last: ReturnType<typeof verdictStatus>;

  constructor(runs: { onDidStartRun: vscode.Event<unknown>; onDidEndRun: vscode.Event<RunOutcome> }) {
    this.item.name = 'llmload last verdict';
    this.disposables.push(
      runs.onDidStartRun(() => this.item.hide()),
      runs.onDidEndRun((o) => this.show(o)),
    );
  }

  show(o: RunOutcome): void {
    const v = verdictStatus(o);
    if (!v) return;
    this.last = v;
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
    this.item.backgroundColor = v.background ? new vscode.ThemeColor(v.background === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground') : undefined;
    this.item.command = v.runDir ? { title: 'Open Results', command: 'llmload.openResults', arguments: [v.runDir] } : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
