/**
 * The last verdict of each scenario on its CodeLens, beside ▶ Run above the scenario's first line:
 * "$(error) FAIL: 1 of 2 expectation(s) failed", kept after the run (and after the status bar item
 * moves on to another file's run), with each expectation's actual value in the tooltip and a click
 * that opens that run's results. While the file's run is on it reads "running…".
 */
import * as vscode from 'vscode';
import type { RunOutcome } from './run-controller';
import { verdictStatus } from './verdict-status';

export class VerdictLens implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a scenario's verdict changes (the CodeLens provider's onDidChangeCodeLenses). */
  readonly onDidChange = this.changed.event;
  /** The last verdict per scenario file (fsPath). */
  private readonly last = new Map<string, NonNullable<ReturnType<typeof verdictStatus>>>();
  private running: string | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(runs: { onDidStartRun: vscode.Event<unknown>; onDidEndRun: vscode.Event<RunOutcome> }) {
    this.disposables.push(
      runs.onDidStartRun((e) => {
        const file = (e as { file?: unknown } | undefined)?.file;
        this.running = typeof file === 'string' ? file : undefined;
        this.changed.fire();
      }),
      runs.onDidEndRun((o) => {
        this.running = undefined;
        const v = verdictStatus(o);
        if (v) this.last.set(o.file, v);
        this.changed.fire();
      }),
    );
  }

  /** The verdict lens for a scenario file at `range`, or none before its first run. */
  lens(file: string, range: vscode.Range): vscode.CodeLens | undefined {
    if (this.running === file) return new vscode.CodeLens(range, { title: '$(loading~spin) running…', command: '', tooltip: 'llmload: this scenario is running' });
    const v = this.last.get(file);
    if (!v) return undefined;
    // The status item reads "<icon> llmload LABEL", its tooltip "llmload: <file>: LABEL, <meaning>".
    const words = v.text.split(' ');
    const icon = words[0] ?? '';
    const label = words[words.length - 1] ?? '';
    let meaning = (v.tooltip.split('\n')[0] ?? '').replace(/^llmload: [^:]*: /, '');
    if (meaning.startsWith(`${label}, `)) meaning = meaning.slice(label.length + 2);
    if (meaning.length > 80) meaning = `${meaning.slice(0, 79)}…`;
    const title = `${icon} ${label}: ${meaning}`;
    return new vscode.CodeLens(range, v.runDir ? { title, command: 'llmload.openResults', arguments: [v.runDir], tooltip: v.tooltip } : { title, command: '', tooltip: v.tooltip });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
