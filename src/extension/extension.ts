/**
 * The VS Code adapter: registers the llmload language (package.json contributes it) and the
 * "llmload: Run Scenario" command, which forks the engine process and shows progress. All load and
 * measurement happens in that process, never in the extension host.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import * as vscode from 'vscode';
import type { EngineToHost, HostToEngine } from '../core/messages';
import { formatDiagnostic } from '../core/scenario/diagnostics';

let current: { child: ChildProcess; file: string } | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('llmload', { log: true });
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('llmload.runScenario', (uri?: vscode.Uri) => runScenario(context, log, uri)),
    vscode.commands.registerCommand('llmload.stopRun', () => stopRun()),
  );
}

export function deactivate(): void {
  stopRun();
}

function stopRun(): void {
  if (!current) return;
  const msg: HostToEngine = { type: 'stop' };
  current.child.send(msg);
  const child = current.child;
  setTimeout(() => child.kill(), 1500).unref();
}

async function runScenario(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, uri?: vscode.Uri): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('llmload: runs are disabled in an untrusted workspace.');
    return undefined;
  }
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== 'llmload') {
    void vscode.window.showErrorMessage('llmload: open a .llmload scenario to run it.');
    return undefined;
  }
  if (current) {
    void vscode.window.showWarningMessage('llmload: a run is already in progress; stop it first.');
    return undefined;
  }
  if (doc.isDirty) await doc.save();
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath ?? path.dirname(doc.uri.fsPath);
  const child = fork(path.join(context.extensionPath, 'dist', 'engine-process.js'), [], {
    cwd: folder,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  current = { child, file: doc.uri.fsPath };
  child.stderr?.on('data', (b: Buffer) => log.warn(b.toString().trimEnd()));
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 100);
  status.command = 'llmload.stopRun';
  status.text = '$(loading~spin) llmload: starting';
  status.tooltip = 'Click to stop the run';
  status.show();

  return new Promise<string | undefined>((resolve) => {
    let runDir: string | undefined;
    child.on('message', (m: EngineToHost) => {
      switch (m.type) {
        case 'invalid':
          for (const d of m.diagnostics) log.error(formatDiagnostic(doc.uri.fsPath, d));
          void vscode.window.showErrorMessage('llmload: the scenario has errors; see Problems and the llmload log.');
          break;
        case 'started':
          runDir = m.runDir;
          log.info(`run started: ${m.runDir}`);
          break;
        case 'progress': {
          const p = m.progress;
          status.text = `$(pulse) llmload ${p.elapsed_s.toFixed(0)}s  users ${p.active_users}  qpm ${p.qpm.toFixed(0)}  ttft p95 ${p.ttft_p95_ms === null ? '-' : p.ttft_p95_ms.toFixed(0) + 'ms'}  errors ${p.failed}`;
          break;
        }
        case 'finished': {
          runDir = m.runDir;
          const s = m.summary;
          const failed = s.expectations.filter((e) => !e.pass);
          log.info(`run finished: ${s.requests.ok}/${s.requests.total} ok, qpm ${s.qpm.toFixed(1)}, results in ${m.runDir}`);
          void vscode.window.showInformationMessage(
            `llmload: ${s.requests.total} requests, ${s.success_rate === null ? '-' : (s.success_rate * 100).toFixed(1)}% ok` +
              (failed.length ? `, ${failed.length} expectation(s) failed` : s.expectations.length ? ', every expectation holds' : ''),
          );
          break;
        }
        case 'failed':
          log.error(m.message);
          void vscode.window.showErrorMessage(`llmload: ${m.message}`);
          break;
      }
    });
    child.on('exit', () => {
      status.dispose();
      current = undefined;
      resolve(runDir);
    });
    const msg: HostToEngine = { type: 'run', file: doc.uri.fsPath, secrets: {} };
    child.send(msg);
  });
}
