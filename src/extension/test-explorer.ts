/**
 * Test Explorer: each `.llmload` file is a test item whose children are its `expect` lines. Running
 * an item runs the scenario (through the run controller, so trust, secrets and the cost guard
 * apply) and marks each expectation passed or failed with its measured value. Runs started
 * anywhere else (palette, CodeLens, editor title) are recorded too, as a test run of their file.
 * A stopped run marks its file errored ("stopped after Ns: expectations not judged") and its
 * expectations skipped: never passed.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { parseScenario } from '../core/scenario';
import type { RunController, RunOutcome } from './run/run-controller';

const toRange = (r: { start: { line: number; character: number }; end: { line: number; character: number } }): vscode.Range =>
  new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

export class ScenarioTests implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('llmload', 'llmload scenarios');
  private readonly disposables: vscode.Disposable[] = [this.controller];
  /** The last state reported for each item id, with its message (what the Test Explorer shows). */
  readonly results = new Map<string, { state: 'started' | 'passed' | 'failed' | 'errored' | 'skipped'; message?: string }>();

  /** Files whose run the Test Explorer itself started (it reports those; the rest are recorded on end). */
  private readonly testDriven = new Set<string>();

  constructor(private readonly runs: RunController) {
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token), true);
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.llmload');
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => void this.updateFromDisk(u)),
      watcher.onDidChange((u) => void this.updateFromDisk(u)),
      watcher.onDidDelete((u) => this.controller.items.delete(u.toString())),
      vscode.workspace.onDidOpenTextDocument((d) => this.updateFromDocument(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.updateFromDocument(e.document)),
      runs.onDidEndRun((o) => void this.recordOutside(o)),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  async discover(): Promise<void> {
    const files = await vscode.workspace.findFiles('**/*.llmload', '**/{node_modules,.llmload}/**');
    await Promise.all(files.map((u) => this.updateFromDisk(u)));
  }

  private async updateFromDisk(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.updateFromDocument(open);
    try {
      this.update(uri, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    } catch {
      this.controller.items.delete(uri.toString());
    }
  }

  private updateFromDocument(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'llmload' || doc.uri.scheme !== 'file') return;
    this.update(doc.uri, doc.getText());
  }

  /** The file's item with one child per expect line. */
  update(uri: vscode.Uri, text: string): vscode.TestItem {
    const key = uri.toString();
    let item = this.controller.items.get(key);
    if (!item) {
      item = this.controller.createTestItem(key, path.basename(uri.fsPath), uri);
      this.controller.items.add(item);
    }
    const { tree } = parseScenario(text, uri.fsPath);
    const title = tree.statements.find((s) => s.kind === 'scenario');
    item.range = title ? toRange(title.range) : new vscode.Range(0, 0, 0, 0);
    item.description = title && title.kind === 'scenario' ? title.title?.text : undefined;
    const children: vscode.TestItem[] = [];
    for (const s of tree.statements) {
      if (s.kind !== 'expect') continue;
      for (const line of s.lines) {
        const child = this.controller.createTestItem(`${key}#expect:${line.range.start.line}`, line.text.trim(), uri);
        child.range = toRange(line.range);
        children.push(child);
      }
    }
    item.children.replace(children);
    return item;
  }

  /** Runs items as the Test Explorer's Run button does (all files when none are given). */
  runItems(items?: readonly vscode.TestItem[]): Promise<void> {
    const source = new vscode.CancellationTokenSource();
    return this.run(new vscode.TestRunRequest(items), source.token).finally(() => source.dispose());
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.record(this.controller.createTestRun(request));
    // Files to run: the requested items, or their parent file for an expectation.
    const files = new Map<string, vscode.TestItem>();
    const requested = request.include ?? [...gather(this.controller.items)];
    for (const item of requested) {
      const file = item.parent ?? item;
      files.set(file.id, file);
    }
    const stop = token.onCancellationRequested(() => void this.runs.stop());
    try {
      for (const file of files.values()) {
        if (token.isCancellationRequested) break;
        await this.runFile(run, file, request);
      }
    } finally {
      stop.dispose();
      run.end();
    }
  }

  private async runFile(run: vscode.TestRun, file: vscode.TestItem, request: vscode.TestRunRequest): Promise<void> {
    const children = [...gather(file.children)];
    const wanted = (c: vscode.TestItem): boolean => !request.include || request.include.includes(file) || request.include.includes(c);
    run.started(file);
    for (const c of children) if (wanted(c)) run.started(c);
    const fsPath = file.uri!.fsPath;
    this.testDriven.add(fsPath);
    let outcome: RunOutcome;
    try {
      outcome = await this.runs.start(fsPath);
    } finally {
      this.testDriven.delete(fsPath);
    }
    this.report(run, file, outcome, wanted);
  }

  /** A run started elsewhere (palette, CodeLens): recorded as a test run of its file. */
  private async recordOutside(outcome: RunOutcome): Promise<void> {
    if (this.testDriven.has(outcome.file) || (outcome.status !== 'finished' && outcome.status !== 'failed')) return;
    const uri = vscode.Uri.file(outcome.file);
    let item = this.controller.items.get(uri.toString());
    if (!item) {
      await this.updateFromDisk(uri);
      item = this.controller.items.get(uri.toString());
    }
    if (!item) return;
    const run = this.record(this.controller.createTestRun(new vscode.TestRunRequest([item]), `llmload: ${path.basename(outcome.file)}`, true));
    run.started(item);
    this.report(run, item, outcome, () => true);
    run.end();
  }

  private report(run: vscode.TestRun, file: vscode.TestItem, outcome: RunOutcome, wanted: (c: vscode.TestItem) => boolean): void {
    const children = [...gather(file.children)];
    if (outcome.verdict && !outcome.verdict.judged) {
      // Stopped (or ended on an error) with figures for part of the plan: nothing is judged.
      run.appendOutput(`llmload: ${path.basename(file.uri!.fsPath)}: ${outcome.verdict.text}; results in ${outcome.runDir}\r\n`, undefined, file);
      for (const e of outcome.verdict.expectations) run.appendOutput(`  not judged  ${e.text}  (actual ${e.actual_text})\r\n`, undefined, file);
      run.errored(file, new vscode.TestMessage(`${outcome.verdict.label}: ${outcome.verdict.text}`));
      for (const c of children) if (wanted(c)) run.skipped(c);
      return;
    }
    if (outcome.status !== 'finished' || !outcome.summary) {
      const msg = new vscode.TestMessage(`the run did not finish: ${outcome.message ?? outcome.status}`);
      run.errored(file, msg);
      for (const c of children) if (wanted(c)) run.skipped(c);
      return;
    }
    const results = outcome.summary.expectations;
    run.appendOutput(`llmload: ${path.basename(file.uri!.fsPath)}: results in ${outcome.runDir}\r\n`, undefined, file);
    let allPass = true;
    children.forEach((c, i) => {
      const r = results.find((e) => e.text.trim() === c.label) ?? results[i];
      if (!r) {
        if (wanted(c)) run.skipped(c);
        return;
      }
      run.appendOutput(`  ${r.pass ? 'pass' : 'FAIL'}  ${c.label}  (actual ${r.actual_text})\r\n`, undefined, c);
      if (!r.pass) allPass = false;
      if (!wanted(c)) return;
      if (r.pass) run.passed(c);
      else {
        const m = new vscode.TestMessage(`${c.label}: actual ${r.actual_text}`);
        m.expectedOutput = c.label;
        m.actualOutput = r.actual_text;
        m.location = new vscode.Location(file.uri!, c.range ?? new vscode.Range(0, 0, 0, 0));
        run.failed(c, m);
      }
    });
    const link = new vscode.TestMessage(new vscode.MarkdownString(`results: [${outcome.runDir}](${vscode.Uri.file(path.join(outcome.runDir!, 'summary.json'))})`));
    if (allPass) run.passed(file);
    else run.failed(file, link);
  }

  /** Remembers what each item was marked, then forwards to the real TestRun. */
  private record(run: vscode.TestRun): vscode.TestRun {
    const text = (m: vscode.TestMessage | readonly vscode.TestMessage[]): string =>
      (Array.isArray(m) ? m : [m]).map((x: vscode.TestMessage) => (typeof x.message === 'string' ? x.message : x.message.value)).join('\n');
    const results = this.results;
    return {
      ...run,
      name: run.name,
      token: run.token,
      isPersisted: run.isPersisted,
      onDidDispose: run.onDidDispose,
      enqueued: (t) => run.enqueued(t),
      started: (t) => (results.set(t.id, { state: 'started' }), run.started(t)),
      passed: (t, d) => (results.set(t.id, { state: 'passed' }), run.passed(t, d)),
      failed: (t, m, d) => (results.set(t.id, { state: 'failed', message: text(m) }), run.failed(t, m, d)),
      errored: (t, m, d) => (results.set(t.id, { state: 'errored', message: text(m) }), run.errored(t, m, d)),
      skipped: (t) => (results.set(t.id, { state: 'skipped' }), run.skipped(t)),
      appendOutput: (o, l, t) => run.appendOutput(o, l, t),
      addCoverage: (c) => run.addCoverage(c),
      end: () => run.end(),
    } as vscode.TestRun;
  }
}

function* gather(collection: vscode.TestItemCollection): Generator<vscode.TestItem> {
  const items: vscode.TestItem[] = [];
  collection.forEach((i) => items.push(i));
  yield* items;
}
