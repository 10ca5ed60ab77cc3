/**
 * The run controller: owns the engine process (forked from dist/engine-process.js with VS Code's
 * own Node, ELECTRON_RUN_AS_NODE), the live status bar item, and the run events views listen to.
 * A run starts only from start(), which commands call on a person's request; it is refused in an
 * untrusted workspace, and a large run against a non-local target asks for confirmation first.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import * as vscode from 'vscode';
import { formatDiagnostic } from '../../core/scenario/diagnostics';
import { loadScenario, parseScenario } from '../../core/scenario';
import type { Summary } from '../../core/metrics/summary';
import { runVerdict, type RunVerdict } from '../../core/metrics/expectations';
import type { TracePlan } from '../../core/scenario/plan';
import type { EngineToHost, HostToEngine } from '../protocol';
import type { RunEvents, RunFinishedEvent, RunLiveEvent, RunStartedEvent } from '../run-events';
import { costGuard } from './cost-estimate';
import { inEditorWords } from './editor-words';
import { redact, secretNames } from './secret-refs';
import { Redactor, trackSecrets } from '../../core/results/redact';
import type { SecretResolver } from './secrets';
import { settings } from '../settings';

export interface RunOutcome {
  file: string;
  /** Set once the engine created the run's folder. */
  runDir?: string;
  summary?: Summary;
  /** 'finished' (ran to its end or was stopped, results kept), 'invalid', 'failed', 'refused', 'cancelled'. */
  status: 'finished' | 'invalid' | 'failed' | 'refused' | 'cancelled';
  stopped: boolean;
  message?: string;
  /** The verdict of a run that produced a summary: a stopped one is STOPPED, never PASS. */
  verdict?: RunVerdict;
  /** The load shape's planned length, seconds (from the engine's progress), when known. */
  planned_s?: number;
}

export interface StartOptions {
  /** Skip the cost-guard prompt (the person already confirmed, e.g. from a test). */
  confirmed?: boolean;
}

interface CurrentRun {
  child: ChildProcess;
  file: string;
  runDir?: string;
  stopped: boolean;
  exited: Promise<void>;
}

export class RunController implements RunEvents, vscode.Disposable {
  private readonly started = new vscode.EventEmitter<RunStartedEvent>();
  private readonly live = new vscode.EventEmitter<RunLiveEvent>();
  private readonly finished = new vscode.EventEmitter<RunFinishedEvent>();
  private readonly ended = new vscode.EventEmitter<RunOutcome>();
  readonly onDidStartRun = this.started.event;
  readonly onDidReceiveLive = this.live.event;
  readonly onDidFinishRun = this.finished.event;
  /** Every run's end, whatever the outcome (also refused and invalid ones). */
  readonly onDidEndRun = this.ended.event;
  private current: CurrentRun | undefined;
  private readonly status: vscode.StatusBarItem;
  /** Finished runs of this session, newest last: for Open Results and Compare Runs. */
  readonly history: { file: string; runDir: string; summary: Summary }[] = [];

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly secrets: SecretResolver,
  ) {
    this.status = vscode.window.createStatusBarItem('llmload.run', vscode.StatusBarAlignment.Left, 100);
    this.status.name = 'llmload run';
    this.status.command = 'llmload.stopRun';
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** The engine process's pid while a run is on (tests check that Stop ends it). */
  get enginePid(): number | undefined {
    return this.current?.child.pid;
  }

  dispose(): void {
    void this.stop();
    this.status.dispose();
    this.started.dispose();
    this.live.dispose();
    this.finished.dispose();
    this.ended.dispose();
  }

  /** Ends the run: the engine keeps what it measured, and is killed if it has not exited within a second. */
  async stop(): Promise<boolean> {
    const cur = this.current;
    if (!cur) return false;
    cur.stopped = true;
    this.log.info('stopping the run');
    this.status.text = '$(loading~spin) llmload: stopping';
    const msg: HostToEngine = { type: 'stop' };
    if (cur.child.connected) cur.child.send(msg);
    const timer = setTimeout(() => {
      if (cur.child.exitCode === null && cur.child.signalCode === null) {
        this.log.warn('the engine did not end within 900 ms of stop; killing it');
        cur.child.kill('SIGKILL');
      }
    }, 900);
    await cur.exited;
    clearTimeout(timer);
    return true;
  }

  async start(file: string, opts: StartOptions = {}): Promise<RunOutcome> {
    const refuse = (status: RunOutcome['status'], message: string): RunOutcome => {
      const outcome: RunOutcome = { file, status, stopped: false, message };
      this.ended.fire(outcome);
      return outcome;
    };
    if (!vscode.workspace.isTrusted) {
      const message = 'llmload: runs are disabled in an untrusted workspace. Trust the workspace to run scenarios.';
      void vscode.window.showWarningMessage(message);
      this.log.warn(message);
      return refuse('refused', message);
    }
    if (this.current) {
      void vscode.window.showWarningMessage('llmload: a run is already in progress; stop it first.');
      return refuse('refused', 'a run is already in progress');
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    if (doc?.isDirty) await doc.save();

    // Secrets first (prompting once for missing ones), then the plan for the cost guard.
    const names = secretNames(parseScenario(doc?.getText() ?? (await readText(file)), file).tree);
    const secretValues = await this.secrets.resolve(names);
    if (!secretValues) return refuse('cancelled', 'a secret was not given');
    const cfg = settings();
    const targetOverride = cfg.environmentUrl;
    const tracked = trackSecrets(process.env, (n) => secretValues[n] ?? process.env[n]);
    const loaded = loadScenario(file, { env: tracked.env, secret: tracked.secret });
    // Keys, `${secret:…}` values and `${env:…}` values in headers or the URL: never in the log channel.
    const redactor = new Redactor([...Object.values(secretValues), ...(loaded.plan ? tracked.secretsOf(loaded.plan) : [])]);
    const redactAll = (s: string): string => redactor.text(redact(s, Object.values(secretValues)));
    if (!loaded.plan) {
      const errs = loaded.diagnostics.filter((d) => d.severity === 'error');
      for (const d of errs) this.log.error(redactAll(formatDiagnostic(file, d)));
      void vscode.window.showErrorMessage('llmload: the scenario has errors; see Problems and the llmload log.');
      return refuse('invalid', 'the scenario has errors');
    }
    const guard = costGuard(loaded.plan, cfg.costGuardTokens, targetOverride);
    if (guard && !opts.confirmed) {
      const go = 'Run';
      const answer = await vscode.window.showWarningMessage(
        `llmload: this run goes to ${guard.target} and may use about ${Math.round(guard.tokens).toLocaleString('en-US')} tokens ` +
          `(${guard.requests.toLocaleString('en-US')} requests, estimated). Run it?`,
        { modal: true },
        go,
      );
      if (answer !== go) return refuse('cancelled', 'the cost guard was not confirmed');
    }

    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);
    const outRoot = path.resolve(folder, cfg.resultsFolder);
    const child = fork(path.join(this.extensionPath, 'dist', 'engine-process.js'), [], {
      cwd: folder,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
    });
    let resolveExit!: () => void;
    const exited = new Promise<void>((r) => (resolveExit = r));
    const cur: CurrentRun = { child, file, stopped: false, exited };
    this.current = cur;
    child.stderr?.on('data', (b: Buffer) => this.log.warn(redactAll(b.toString().trimEnd())));
    child.stdout?.on('data', (b: Buffer) => this.log.info(redactAll(b.toString().trimEnd())));
    this.status.text = '$(loading~spin) llmload: starting';
    this.status.tooltip = 'llmload run: click to stop';
    this.status.show();
    this.log.info(`run requested: ${file}` + (targetOverride ? ` (target ${targetOverride}, from environment ${cfg.environment})` : ''));

    return new Promise<RunOutcome>((resolve) => {
      const outcome: RunOutcome = { file, status: 'failed', stopped: false };
      child.on('message', (m: EngineToHost) => {
        switch (m.type) {
          case 'invalid':
            outcome.status = 'invalid';
            for (const d of m.diagnostics) this.log.error(redactAll(formatDiagnostic(file, d)));
            void vscode.window.showErrorMessage('llmload: the scenario has errors; see Problems and the llmload log.');
            break;
          case 'started':
            cur.runDir = outcome.runDir = m.runDir;
            this.log.info(`run started: ${m.runDir}`);
            this.started.fire({ file, runDir: m.runDir });
            break;
          case 'progress': {
            const p = m.progress;
            this.status.text =
              `$(pulse) llmload ${p.elapsed_s.toFixed(0)}s  QPM ${p.qpm.toFixed(0)}  TTFT p95 ` +
              `${p.ttft_p95_ms === null ? '-' : p.ttft_p95_ms.toFixed(0) + ' ms'}  errors ${p.failed}`;
            this.status.tooltip = `${p.active_users} users, ${p.in_flight} in flight, ${p.ok} ok, ${p.failed} failed. Click to stop.`;
            if (Number.isFinite(p.planned_s) && p.planned_s > 0) outcome.planned_s = p.planned_s;
            break;
          }
          case 'live':
            if (cur.runDir) this.live.fire({ file, runDir: cur.runDir, delta: m.delta });
            break;
          case 'finished': {
            outcome.status = 'finished';
            outcome.runDir = m.runDir;
            outcome.summary = m.summary;
            const s = m.summary;
            // A person's Stop reaches the engine and comes back as ended_by 'stopped': never PASS.
            const verdict = (outcome.verdict = runVerdict(s, { planned_s: outcome.planned_s }));
            this.log.info(`run finished: ${s.requests.ok}/${s.requests.total} ok, qpm ${s.qpm.toFixed(1)}, ${verdict.label}: ${verdict.text}, results in ${m.runDir}`);
            this.history.push({ file, runDir: m.runDir, summary: s });
            this.finished.fire({ file, runDir: m.runDir, summary: s });
            void vscode.window
              .showInformationMessage(
                `llmload: ${verdict.label}: ${s.requests.total} requests, ${s.success_rate === null ? '-' : (s.success_rate * 100).toFixed(1)}% ok` +
                  (verdict.kind === 'done' ? '' : `, ${verdict.text}`),
                'Open Results',
              )
              .then((a) => a && vscode.commands.executeCommand('llmload.openResults', m.runDir));
            break;
          }
          case 'failed':
            // The core names the CLI's fix (--target); in the editor the fix is Select Environment.
            outcome.message = inEditorWords(redactAll(m.message));
            this.log.error(outcome.message);
            void vscode.window.showErrorMessage(`llmload: ${outcome.message}`);
            break;
        }
      });
      child.on('error', (e) => this.log.error(redactAll(`engine process: ${e.message}`)));
      child.on('exit', (code, signal) => {
        this.status.hide();
        if (this.current === cur) this.current = undefined;
        outcome.stopped = cur.stopped;
        if (code !== 0 && outcome.status !== 'finished') this.log.warn(`the engine process ended (${signal ?? `code ${code}`})`);
        resolveExit();
        this.ended.fire(outcome);
        resolve(outcome);
      });
      const msg: HostToEngine = { type: 'run', file, outRoot, targetOverride, secrets: secretValues, trace: cfg.trace };
      child.send(msg);
    });
  }
}

async function readText(file: string): Promise<string> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
  } catch {
    return '';
  }
}

export type { TracePlan };
