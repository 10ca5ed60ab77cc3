/**
 * The VS Code adapter: wires the language features, the run controller (all load runs in a forked
 * engine process, never in the extension host), the results panel, Test Explorer, secrets, the
 * built-in simulator and the palette commands. Nothing here starts a run on its own: a run starts
 * only from a command a person invokes (palette, CodeLens, editor title, status bar, Test Explorer).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { BUNDLED_TOKENIZERS } from '../core/tokenize/bundled';
import { parseScenario } from '../core/scenario';
import { compareRunFolders } from '../core/compare/runs';
import { comparisonText } from '../core/compare/text-table';
import { registerResultsPanel } from './panel';
import { LanguageFeatures, LANGUAGE_ID } from './language-features';
import { LanguageWorkerClient } from './language/worker-client';
import { RunController, type RunOutcome, type StartOptions } from './run/run-controller';
import { SecretResolver } from './run/secrets';
import { VerdictStatus } from './run/verdict-status';
import { VerdictLens } from './run/verdict-lens';
import { secretNames } from './run/secret-refs';
import { SimulatorProcess } from './simulator';
import { ScenarioTests } from './test-explorer';
import { settings } from './settings';
import { tokenReport } from './language/token-report';
import { runPickItem } from './run/run-picker';

/** What activate() returns: used by the integration tests, and by other extensions if ever needed. */
export interface LlmloadApi {
  runs: RunController;
  language: LanguageFeatures;
  tests: ScenarioTests;
  simulator: SimulatorProcess;
  secrets: SecretResolver;
  log: vscode.LogOutputChannel;
  /** The last run's verdict in the status bar. */
  verdict: VerdictStatus;
  /** Each scenario's last verdict on its CodeLens. */
  verdictLens: VerdictLens;
}

export function activate(context: vscode.ExtensionContext): LlmloadApi {
  const log = vscode.window.createOutputChannel('llmload', { log: true });
  const secrets = new SecretResolver(context.secrets);
  const runs = new RunController(context.extensionPath, log, secrets);
  const worker = new LanguageWorkerClient(path.join(context.extensionPath, 'dist', 'language-worker.js'), path.join(context.extensionPath, 'dist'));
  const language = new LanguageFeatures(worker);
  const tests = new ScenarioTests(runs);
  const simulator = new SimulatorProcess(context.extensionPath, log);
  const verdict = new VerdictStatus(runs);
  const verdictLens = new VerdictLens(runs);
  const environment = vscode.window.createStatusBarItem('llmload.environment', vscode.StatusBarAlignment.Left, 99);
  environment.name = 'llmload environment';
  environment.command = 'llmload.selectEnvironment';
  const showEnvironment = (): void => {
    const s = settings();
    if (Object.keys(s.environments).length === 0) return environment.hide();
    environment.text = `$(server-environment) ${s.environment || 'scenario target'}`;
    environment.tooltip = s.environmentUrl ? `llmload runs go to ${s.environmentUrl}. Click to switch.` : "llmload runs go to each scenario's own target. Click to switch.";
    environment.show();
  };
  showEnvironment();

  const activeScenario = (uri?: vscode.Uri): string | undefined => {
    if (uri instanceof vscode.Uri) return uri.fsPath;
    const doc = vscode.window.activeTextEditor?.document;
    if (doc?.languageId === LANGUAGE_ID) return doc.uri.fsPath;
    return undefined;
  };

  const runScenario = async (uri?: vscode.Uri, opts?: StartOptions): Promise<RunOutcome | undefined> => {
    const file = activeScenario(uri);
    if (!file) {
      void vscode.window.showErrorMessage('llmload: open a .llmload scenario to run it.');
      return undefined;
    }
    return runs.start(file, opts);
  };

  context.subscriptions.push(
    log,
    runs,
    language,
    tests,
    simulator,
    environment,
    verdict,
    verdictLens,
    { dispose: () => void worker.close() },
    registerCodeLens(verdictLens),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('llmload.environment') || e.affectsConfiguration('llmload.environments') ? showEnvironment() : undefined),
    vscode.commands.registerCommand('llmload.runScenario', (uri?: vscode.Uri, opts?: StartOptions) => runScenario(uri, opts)),
    vscode.commands.registerCommand('llmload.stopRun', () => runs.stop()),
    vscode.commands.registerCommand('llmload.openResults', (runDir?: string) => openResults(runs, runDir)),
    vscode.commands.registerCommand('llmload.compareRuns', (a?: string, b?: string) => compareRuns(a, b)),
    vscode.commands.registerCommand('llmload.startSimulator', async () => {
      try {
        const url = await simulator.start();
        void vscode.window.showInformationMessage(`llmload: the built-in simulator listens on ${url} (target ${url}/v1 … or use target builtin:chat).`);
        return url;
      } catch (e) {
        void vscode.window.showErrorMessage(`llmload: ${(e as Error).message}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('llmload.stopSimulator', async () => {
      if (!(await simulator.stop())) void vscode.window.showInformationMessage('llmload: the built-in simulator is not running.');
    }),
    vscode.commands.registerCommand('llmload.setApiKey', (name?: string) => setApiKey(secrets, name)),
    vscode.commands.registerCommand('llmload.selectTokenizer', (choice?: string) => selectTokenizer(language, choice)),
    vscode.commands.registerCommand('llmload.selectEnvironment', () => selectEnvironment()),
    vscode.commands.registerCommand('llmload.countTokens', (uri?: vscode.Uri) => countTokens(language, log, activeScenario(uri))),
  );
  registerResultsPanel(context, runs);
  void tests.discover();
  return { runs, language, tests, simulator, secrets, log, verdict, verdictLens };
}

export function deactivate(): void {
  // Disposables (run controller included) stop the engine and the simulator.
}

function registerCodeLens(verdictLens: VerdictLens): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider(
    { language: LANGUAGE_ID },
    {
      onDidChangeCodeLenses: verdictLens.onDidChange,
      provideCodeLenses(doc) {
        const { tree } = parseScenario(doc.getText(), doc.uri.fsPath);
        const title = tree.statements.find((s) => s.kind === 'scenario');
        const range = title ? new vscode.Range(title.range.start.line, 0, title.range.start.line, 0) : new vscode.Range(0, 0, 0, 0);
        return [
          new vscode.CodeLens(range, { title: '▶ Run', command: 'llmload.runScenario', arguments: [doc.uri], tooltip: 'Run this scenario' }),
          new vscode.CodeLens(range, { title: 'Count tokens', command: 'llmload.countTokens', arguments: [doc.uri], tooltip: "Count each prompt's tokens" }),
          ...[verdictLens.lens(doc.uri.fsPath, range)].filter((l): l is vscode.CodeLens => l !== undefined),
        ];
      },
    },
  );
}

/** Run folders under the results folder of each workspace folder, newest first. */
function listRunDirs(): string[] {
  const out: { dir: string; mtime: number }[] = [];
  const root = settings().resultsFolder;
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    const base = path.resolve(f.uri.fsPath, root);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const dir = path.join(base, name);
      if (existsSync(path.join(dir, 'summary.json'))) out.push({ dir, mtime: statSync(dir).mtimeMs });
      // `llmload mirror` writes one run folder per side under its folder.
      else if (existsSync(path.join(dir, 'mirror.json'))) for (const side of ['primary', 'shadow']) if (existsSync(path.join(dir, side, 'summary.json'))) out.push({ dir: path.join(dir, side), mtime: statSync(dir).mtimeMs });
    }
  }
  return out.sort((a, b) => b.mtime - a.mtime).map((x) => x.dir);
}

async function pickRun(title: string, exclude?: string): Promise<string | undefined> {
  const dirs = listRunDirs().filter((d) => d !== exclude);
  if (dirs.length === 0) {
    void vscode.window.showInformationMessage('llmload: no runs yet in the results folder.');
    return undefined;
  }
  // Scenario and verdict, age, request count: a person picks a run by these, not by its folder name.
  const now = Date.now();
  const pick = await vscode.window.showQuickPick(
    dirs.map((d) => runPickItem(d, now)),
    { title, matchOnDescription: true, matchOnDetail: true },
  );
  return pick?.dir;
}

async function openResults(runs: RunController, runDir?: string): Promise<string | undefined> {
  const dir = runDir ?? runs.history.at(-1)?.runDir ?? (await pickRun('llmload: open the results of'));
  if (!dir) return undefined;
  await vscode.commands.executeCommand('llmload.panel.open', dir);
  return dir;
}

async function compareRuns(a?: string, b?: string): Promise<string | undefined> {
  const first = a ?? (await pickRun('llmload: compare runs: the baseline (A)'));
  if (!first) return undefined;
  const second = b ?? (await pickRun('llmload: compare runs: the candidate (B)', first));
  if (!second) return undefined;
  try {
    // The same table `llmload compare` prints, returned for tests; the panel shows it with charts.
    const text = comparisonText(compareRunFolders(first, second)).join('\n') + '\n';
    await vscode.commands.executeCommand('llmload.panel.compare', first, second);
    return text;
  } catch (e) {
    void vscode.window.showErrorMessage(`llmload: cannot compare: ${(e as Error).message}`);
    return undefined;
  }
}

async function setApiKey(secrets: SecretResolver, name?: string): Promise<boolean> {
  let key = name;
  if (!key) {
    const doc = vscode.window.activeTextEditor?.document;
    const used = doc?.languageId === LANGUAGE_ID ? secretNames(parseScenario(doc.getText(), doc.uri.fsPath).tree) : [];
    const items = [...used.map((n) => ({ label: n, description: 'used by this scenario' })), { label: '$(add) Another name…', description: '' }];
    const pick = used.length ? await vscode.window.showQuickPick(items, { title: 'llmload: set which secret?' }) : items.at(-1);
    if (!pick) return false;
    key = pick.label.startsWith('$(add)')
      ? await vscode.window.showInputBox({ title: 'llmload: secret name', prompt: 'As written in ${secret:NAME}', validateInput: (v) => (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(v) ? undefined : 'letters, digits, _ . -') })
      : pick.label;
  }
  if (!key) return false;
  const value = await secrets.prompt(key);
  if (value === undefined) return false;
  void vscode.window.showInformationMessage(`llmload: secret ${key} saved in VS Code's secret storage.`);
  return true;
}

async function selectTokenizer(language: LanguageFeatures, choice?: string): Promise<string | undefined> {
  let pick = choice;
  if (pick === undefined) {
    const items: (vscode.QuickPickItem & { value: string })[] = [
      { label: "The scenario's own", description: 'the tokenizer line, or a guess from the model, else the default setting', value: '' },
      ...BUNDLED_TOKENIZERS.map((t) => ({ label: t, description: 'bundled', value: t })),
      { label: '$(edit) A Hugging Face model id or a folder…', value: '?' },
    ];
    const p = await vscode.window.showQuickPick(items, { title: 'llmload: count tokens with' });
    if (!p) return undefined;
    pick = p.value === '?' ? await vscode.window.showInputBox({ title: 'llmload: tokenizer', prompt: 'A Hugging Face model id (from the local cache; if it is not there, llmload asks before downloading it) or a folder with tokenizer.json' }) : p.value;
    if (pick === undefined) return undefined;
  }
  language.tokenizerOverride = pick || undefined;
  language.recount();
  return pick;
}

async function selectEnvironment(): Promise<string | undefined> {
  const s = settings();
  const items = [
    { label: "Scenario's own target", description: '', value: '' },
    ...Object.entries(s.environments).map(([name, url]) => ({ label: name, description: url, value: name })),
  ];
  const p = await vscode.window.showQuickPick(items, { title: 'llmload: run scenarios against' });
  if (!p) return undefined;
  await vscode.workspace.getConfiguration('llmload').update('environment', p.value, vscode.ConfigurationTarget.Workspace);
  return p.value;
}

async function countTokens(language: LanguageFeatures, log: vscode.LogOutputChannel, file?: string): Promise<string | undefined> {
  if (!file) {
    void vscode.window.showErrorMessage('llmload: open a .llmload scenario to count its tokens.');
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const result = await language.tokenHints(doc);
  if (!result) return undefined;
  if (!result.tokenizer) {
    void vscode.window.showWarningMessage(`llmload: ${result.note ?? 'no counts'}`);
    return undefined;
  }
  // A readable report beside the scenario (prompts, datasets, total), not a log dump.
  const report = tokenReport(file, result);
  log.info(`count tokens: ${path.basename(file)}: ${report.prompts} prompt(s), ${report.datasets} dataset(s), ${report.total} tokens (${result.tokenizer.name})`);
  const page = await vscode.workspace.openTextDocument({ language: 'markdown', content: report.markdown });
  await vscode.window.showTextDocument(page, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  return report.markdown;
}
