/**
 * The llmload language in the editor, as thin adapters over the core parser's tree and the pure
 * helpers in ./language: diagnostics as you type (debounced), completion, hover, outline, folding,
 * inlay token counts (computed in the language worker, cached per text, dropped when the text
 * changes), a warning decoration where a limit is crossed, and a LanguageStatusItem naming the
 * tokenizer and model (click: Select Tokenizer). A Hugging Face tokenizer that is not in the local
 * cache is downloaded only after the user agreed in a notification, asked once per id per session.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { parseScenario, resolvePlan, type Diagnostic as CoreDiagnostic } from '../core/scenario';
import { BUNDLED_TOKENIZERS } from '../core/tokenize/bundled';
import { defaultHubCache, hubEndpoint } from '../core/tokenize/hub';
import type { ScenarioTree } from '../core/scenario/tree';
import type { RunPlan } from '../core/scenario/plan';
import { completionsAt, documentLinks, documentSymbols, foldingRanges, hoverAt, type SymbolInfo } from './language/analysis';
import type { TokenHint, TokenHintsResult } from './language/token-hints';
import { LanguageWorkerClient } from './language/worker-client';
import { quickFixFor } from './language/quick-fixes';
import { settings } from './settings';

export const LANGUAGE_ID = 'llmload';
const SELECTOR: vscode.DocumentSelector = { language: LANGUAGE_ID };
const DEBOUNCE_MS = 250;

const toPos = (p: { line: number; character: number }): vscode.Position => new vscode.Position(p.line, p.character);
const toRange = (r: { start: { line: number; character: number }; end: { line: number; character: number } }): vscode.Range => new vscode.Range(toPos(r.start), toPos(r.end));

function toDiagnostic(d: CoreDiagnostic): vscode.Diagnostic {
  const sev = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const out = new vscode.Diagnostic(toRange(d.range), d.message, sev);
  out.source = 'llmload';
  return out;
}

/** The user's answer to "download this tokenizer?"; undefined = the notification was closed (= not now). */
export type DownloadDecision = 'download' | 'not-now';

/** Where a hub id's download consent stands in this session. */
export type DownloadConsentState = 'asking' | 'declined' | 'downloading' | 'downloaded' | 'failed';

export interface DownloadConsent {
  state: DownloadConsentState;
  /** Settles when the question is answered and any download has ended. */
  done: Promise<DownloadConsentState>;
  /** Why the download failed (the core's message). */
  error?: string;
}

/** The consent question, as a non-modal notification. */
export function consentMessage(id: string): string {
  return `llmload: tokenizer ${id} is not in the Hugging Face cache. Download tokenizer.json and tokenizer_config.json (a few MB) from Hugging Face?`;
}

async function askInNotification(id: string): Promise<DownloadDecision | undefined> {
  const pick = await vscode.window.showInformationMessage(consentMessage(id), 'Download', 'Not now');
  return pick === 'Download' ? 'download' : pick === 'Not now' ? 'not-now' : undefined;
}

/** Parse + resolve of one document version, shared by the providers. */
interface Analysis {
  version: number;
  tree: ScenarioTree;
  plan?: RunPlan;
  diagnostics: CoreDiagnostic[];
}

export class LanguageFeatures implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly collection = vscode.languages.createDiagnosticCollection(LANGUAGE_ID);
  private readonly analyses = new Map<string, Analysis>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly hintResults = new Map<string, { version: number; result: TokenHintsResult }>();
  private readonly hintsChanged = new vscode.EventEmitter<void>();
  private readonly status: vscode.LanguageStatusItem;
  private readonly warnDecoration = vscode.window.createTextEditorDecorationType({
    textDecoration: 'underline wavy',
    overviewRulerColor: new vscode.ThemeColor('editorWarning.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
    color: new vscode.ThemeColor('editorWarning.foreground'),
  });
  /** Set by Select Tokenizer; wins over the scenario's and the default tokenizer for counting. */
  tokenizerOverride: string | undefined;
  /**
   * Asks the user whether to download a hub id that is not cached. The default shows a
   * notification with [Download] [Not now]; tests replace it (the extension's API) to answer.
   */
  askDownloadConsent: (id: string) => PromiseLike<DownloadDecision | undefined> = askInNotification;
  private readonly consent = new Map<string, DownloadConsent>();

  constructor(readonly worker: LanguageWorkerClient) {
    this.status = vscode.languages.createLanguageStatusItem('llmload.tokenizer', SELECTOR);
    this.status.name = 'llmload tokenizer';
    this.status.text = 'tokenizer: …';
    this.status.command = { title: 'Select Tokenizer', command: 'llmload.selectTokenizer' };
    this.disposables.push(
      this.collection,
      this.hintsChanged,
      this.status,
      this.warnDecoration,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
      vscode.window.onDidChangeActiveTextEditor(() => this.refreshView()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshView()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('llmload.defaultTokenizer') && this.recount()),
      // Trusting the workspace makes downloads possible: count again, which asks where needed.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.recount()),
      vscode.languages.registerCompletionItemProvider(SELECTOR, { provideCompletionItems: (d, p) => this.complete(d, p) }, ' ', '/', ':'),
      vscode.languages.registerHoverProvider(SELECTOR, { provideHover: (d, p) => this.hover(d, p) }),
      vscode.languages.registerDocumentSymbolProvider(SELECTOR, { provideDocumentSymbols: (d) => this.symbols(d) }),
      vscode.languages.registerFoldingRangeProvider(SELECTOR, { provideFoldingRanges: (d) => this.folding(d) }),
      vscode.languages.registerDocumentLinkProvider(SELECTOR, {
        provideDocumentLinks: (d) =>
          documentLinks(this.analyze(d).tree).map((l) => {
            const link = new vscode.DocumentLink(toRange(l.range), vscode.Uri.file(path.resolve(path.dirname(d.uri.fsPath), l.path)));
            link.tooltip = `Open ${l.path}`;
            return link;
          }),
      }),
      vscode.languages.registerCodeActionsProvider(SELECTOR, { provideCodeActions: (d, _r, c) => this.quickFixes(d, c) }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.languages.registerInlayHintsProvider(SELECTOR, { onDidChangeInlayHints: this.hintsChanged.event, provideInlayHints: (d, r, t) => this.inlayHints(d, r, t) }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }

  /** The current parse of a document (parsing is fast; done on demand). */
  analyze(doc: vscode.TextDocument): Analysis {
    const key = doc.uri.toString();
    const hit = this.analyses.get(key);
    if (hit && hit.version === doc.version) return hit;
    const file = doc.uri.fsPath;
    const parsed = parseScenario(doc.getText(), file);
    // Secrets are resolved at run time from SecretStorage; the editor does not need their values.
    const resolved = resolvePlan(parsed.tree, { file, env: process.env, secret: () => '<secret>' });
    const a: Analysis = { version: doc.version, tree: parsed.tree, plan: resolved.plan, diagnostics: [...parsed.diagnostics, ...resolved.diagnostics] };
    this.analyses.set(key, a);
    return a;
  }

  /** Token hints of the document's current version, computing them when needed (tests await this). */
  async tokenHints(doc: vscode.TextDocument): Promise<TokenHintsResult | undefined> {
    const key = doc.uri.toString();
    const have = this.hintResults.get(key);
    if (have && have.version === doc.version) return have.result;
    const version = doc.version;
    const raw = await this.worker.hints({
      text: doc.getText(),
      file: doc.uri.fsPath,
      defaultTokenizer: settings().defaultTokenizer,
      tokenizerOverride: this.tokenizerOverride,
      hfCacheDir: defaultHubCache(process.env),
    });
    if (!raw || doc.version !== version) return undefined;
    const problem = raw.tokenizerProblem;
    const result = problem?.code === 'needs-download' ? this.explainMissing(raw, problem.spec) : raw;
    if (problem?.code === 'needs-download') this.offerDownload(problem.spec, doc);
    this.hintResults.set(key, { version, result });
    this.publish(doc);
    this.hintsChanged.fire();
    this.refreshView();
    return result;
  }

  /** The consent of a hub id this session, if it was asked for (tests await `done`). */
  downloadConsent(id: string): DownloadConsent | undefined {
    return this.consent.get(id);
  }

  /**
   * Once per hub id per session, in a trusted workspace: ask, and download only on [Download].
   * [Not now] (or closing the notification) is remembered. A failed download shows the core's
   * message as an error with [Retry]; the hints then show the failure.
   */
  private offerDownload(id: string, doc: vscode.TextDocument): void {
    if (this.consent.has(id) || !vscode.workspace.isTrusted) return;
    const entry: DownloadConsent = { state: 'asking', done: Promise.resolve('asking') };
    this.consent.set(id, entry);
    entry.done = (async (): Promise<DownloadConsentState> => {
      let decision: DownloadDecision | undefined;
      try {
        decision = await this.askDownloadConsent(id);
      } catch {
        decision = undefined;
      }
      if (decision !== 'download') {
        entry.state = 'declined';
        this.recount();
        return entry.state;
      }
      return this.download(id, entry, path.dirname(doc.uri.fsPath));
    })();
  }

  private async download(id: string, entry: DownloadConsent, scenarioDir: string): Promise<DownloadConsentState> {
    entry.state = 'downloading';
    entry.error = undefined;
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `llmload: downloading tokenizer ${id}…` }, () =>
        this.worker.download({ tokenizer: id, scenarioDir, hubUrl: hubEndpoint(process.env), hfCacheDir: defaultHubCache(process.env) }),
      );
      entry.state = 'downloaded';
    } catch (e) {
      entry.state = 'failed';
      entry.error = (e as Error).message;
      void vscode.window.showErrorMessage(`llmload: ${entry.error}`, 'Retry').then((pick) => {
        if (pick === 'Retry' && entry.state === 'failed') entry.done = this.download(id, entry, scenarioDir);
      });
    }
    this.recount();
    return entry.state;
  }

  /** A needs-download result, told in the words of this session's consent (asked, declined, failed, untrusted). */
  private explainMissing(result: TokenHintsResult, id: string): TokenHintsResult {
    const c = this.consent.get(id);
    const why = !vscode.workspace.isTrusted
      ? 'This workspace is not trusted, so llmload does not download tokenizers here.'
      : c?.state === 'declined'
        ? 'You chose Not now: llmload will not ask again in this session (reload the window to be asked again).'
        : c?.state === 'failed'
          ? `The download failed: ${c.error ?? 'unknown error'}`
          : c?.state === 'downloading'
            ? 'Downloading…'
            : 'llmload asks before downloading it.';
    // Counts from a bundled tokenizer of the same family stay; without one, a failed download says so where counts would be.
    const label = c?.state === 'failed' && !result.tokenizer?.fallbackFor ? `⟵ no counts: tokenizer ${id} could not be downloaded` : undefined;
    const hints = result.hints.map((h): TokenHint => ({ ...h, label: label ?? h.label, tooltip: `${h.tooltip}\n\n${why}` }));
    return { ...result, hints, note: `${result.note ?? ''} ${why}`.trim() };
  }

  recount(): void {
    this.worker.clearCache();
    this.hintResults.clear();
    for (const d of vscode.workspace.textDocuments) if (d.languageId === LANGUAGE_ID) void this.tokenHints(d).catch(() => undefined);
    this.hintsChanged.fire();
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (doc.languageId !== LANGUAGE_ID) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.publish(doc);
        void this.tokenHints(doc).catch(() => undefined);
      }, delay),
    );
  }

  private forget(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.analyses.delete(key);
    this.hintResults.delete(key);
    this.collection.delete(doc.uri);
  }

  /** Problems: the parser's and resolver's diagnostics, plus token-limit checks of the same version. */
  private publish(doc: vscode.TextDocument): void {
    if (doc.isClosed) return;
    const a = this.analyze(doc);
    const hints = this.hintResults.get(doc.uri.toString());
    const limits = hints && hints.version === doc.version ? hints.result.limits : [];
    this.collection.set(doc.uri, [...a.diagnostics, ...limits].map(toDiagnostic));
  }

  private refreshView(): void {
    const editor = vscode.window.activeTextEditor;
    for (const e of vscode.window.visibleTextEditors) {
      if (e.document.languageId !== LANGUAGE_ID) continue;
      const h = this.hintResults.get(e.document.uri.toString());
      const ranges = h && h.version === e.document.version ? h.result.hints.filter((x) => x.warn).map((x) => toRange(x.range)) : [];
      e.setDecorations(this.warnDecoration, ranges);
    }
    if (editor?.document.languageId === LANGUAGE_ID) {
      const h = this.hintResults.get(editor.document.uri.toString())?.result;
      const tok = h?.tokenizer;
      this.status.text = tok ? `$(symbol-number) ${tok.name}` : '$(symbol-number) no tokenizer';
      this.status.detail = (h?.model ? `model ${h.model}` : '') + (tok ? ` · tokenizer from ${tok.chosenBy === 'scenario' ? 'the scenario' : tok.chosenBy === 'model' ? 'the model name' : 'the settings'}` : h?.note ? ` · ${h.note}` : '');
      this.status.severity = tok ? vscode.LanguageStatusSeverity.Information : vscode.LanguageStatusSeverity.Warning;
    }
  }

  private async inlayHints(doc: vscode.TextDocument, range: vscode.Range, token: vscode.CancellationToken): Promise<vscode.InlayHint[]> {
    const result = await this.tokenHints(doc).catch(() => undefined);
    if (!result || token.isCancellationRequested) return [];
    return result.hints
      .filter((h) => range.contains(toPos(h.at)))
      .map((h) => {
        const hint = new vscode.InlayHint(toPos(h.at), (h.warn ? '⚠ ' : '') + h.label);
        hint.paddingLeft = true;
        hint.tooltip = h.tooltip;
        return hint;
      });
  }

  private async complete(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.CompletionItem[]> {
    const answer = completionsAt(doc.getText(), pos, BUNDLED_TOKENIZERS);
    if (answer.kind === 'none') return [];
    const replace = toRange(answer.replace);
    if (answer.kind === 'items') {
      return answer.items.map((i) => {
        const kind =
          i.kind === 'keyword' ? vscode.CompletionItemKind.Keyword : i.kind === 'metric' ? vscode.CompletionItemKind.Field : i.kind === 'unit' ? vscode.CompletionItemKind.Unit : vscode.CompletionItemKind.Value;
        const item = new vscode.CompletionItem(i.label, kind);
        item.detail = i.detail;
        item.range = replace;
        if (i.snippet) {
          item.insertText = new vscode.SnippetString(i.snippet);
          item.documentation = new vscode.MarkdownString().appendCodeblock(i.snippet.replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\\\$/g, '$'), 'llmload');
        }
        return item;
      });
    }
    // File paths relative to the scenario's folder.
    const base = path.dirname(doc.uri.fsPath);
    const typedDir = answer.typed.includes('/') ? answer.typed.slice(0, answer.typed.lastIndexOf('/') + 1) : '';
    const dir = vscode.Uri.file(path.resolve(base, typedDir || '.'));
    let entries: [string, vscode.FileType][] = [];
    try {
      entries = await vscode.workspace.fs.readDirectory(dir);
    } catch {
      return [];
    }
    return entries
      .filter(([name]) => !name.startsWith('.'))
      .map(([name, type]) => {
        const isDir = (type & vscode.FileType.Directory) !== 0;
        const item = new vscode.CompletionItem(typedDir + name + (isDir ? '/' : ''), isDir ? vscode.CompletionItemKind.Folder : vscode.CompletionItemKind.File);
        item.range = replace;
        if (isDir) item.command = { title: 'more', command: 'editor.action.triggerSuggest' };
        return item;
      });
  }

  /** A quick fix for every "did you mean" among the diagnostics under the cursor. */
  private quickFixes(doc: vscode.TextDocument, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const a = this.analyze(doc);
    const out: vscode.CodeAction[] = [];
    for (const vd of context.diagnostics) {
      if (vd.source !== 'llmload') continue;
      const d = a.diagnostics.find((x) => x.message === vd.message && toRange(x.range).isEqual(vd.range));
      const fix = d && quickFixFor(d, doc.getText());
      if (!fix) continue;
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [vd];
      action.isPreferred = true;
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(doc.uri, toRange(fix.range), fix.text);
      out.push(action);
    }
    return out;
  }

  private hover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const a = this.analyze(doc);
    const h = hoverAt(a.tree, a.plan, pos);
    if (!h) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(h.markdown), toRange(h.range));
  }

  private symbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const kinds: Record<SymbolInfo['kind'], vscode.SymbolKind> = {
      prompt: vscode.SymbolKind.String,
      dataset: vscode.SymbolKind.Array,
      load: vscode.SymbolKind.Event,
      expect: vscode.SymbolKind.Boolean,
      expectation: vscode.SymbolKind.Boolean,
      setting: vscode.SymbolKind.Property,
      scenario: vscode.SymbolKind.File,
      turn: vscode.SymbolKind.Field,
      target: vscode.SymbolKind.Interface,
    };
    const convert = (s: SymbolInfo): vscode.DocumentSymbol => {
      const range = toRange(s.range);
      const sel = toRange(s.selectionRange);
      const out = new vscode.DocumentSymbol(s.name || s.kind, s.detail, kinds[s.kind], range, range.contains(sel) ? sel : range);
      out.children = s.children.map(convert);
      return out;
    };
    return documentSymbols(this.analyze(doc).tree).map(convert);
  }

  private folding(doc: vscode.TextDocument): vscode.FoldingRange[] {
    return foldingRanges(this.analyze(doc).tree).map((f) => new vscode.FoldingRange(f.start, f.end));
  }
}
