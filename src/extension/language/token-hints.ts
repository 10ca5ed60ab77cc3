/**
 * Token-count hints for a scenario text: one after each prompt's header (the count the server sees:
 * templated for chat APIs), one after each turn (its text alone), one per dataset (how many
 * prompts, min–max), and the limit checks (context window, max_tokens, buckets) as diagnostics.
 * The same numbers `llmload tokens` prints. Runs in the language worker, never on the editor's
 * thread; no `vscode` import.
 */
import path from 'node:path';
import type { Diagnostic, Position, Range } from '../../core/scenario/diagnostics';
import { loadDatasetPrompts, parseScenario, resolvePlan } from '../../core/scenario';
import type { ApiKind, DatasetPlan, PromptPlan, RunPlan } from '../../core/scenario/plan';
import {
  checkTokenLimits,
  countPrompt,
  countStats,
  guessBundledFromModel,
  loadTokenizer,
  syntheticDatasetPrompts,
  TokenizerError,
  type LimitSubject,
  type LoadedTokenizer,
  type TokenizerErrorCode,
} from '../../core/tokenize';
import { formatTokenHint, formatTokens, tokenSubjects } from './analysis';
import { resolveLeniently, type LastGoodResolution } from './lenient-plan';

/** APIs whose server applies the model's chat template (as `llmload tokens` counts). */
export const CHAT_APIS: ReadonlySet<ApiKind> = new Set(['openai-chat', 'openai-responses', 'anthropic', 'ollama']);

/** Most dataset prompts counted for one hint; the hint says when a dataset has more. */
export const MAX_DATASET_PROMPTS = 2000;

export interface TokenHint {
  at: Position;
  label: string;
  tooltip: string;
  /** The line(s) the hint is about. */
  range: Range;
  /** A limit is crossed here (a warning decoration goes on the range). */
  warn: boolean;
  /** What was counted (for Count Tokens' report): a prompt as served, one turn, or a dataset's prompts. */
  subject?: { kind: 'prompt' | 'turn' | 'dataset'; name: string; tokens?: number; prompts?: number; counted?: number; min?: number; max?: number; mean?: number };
}

export interface TokenHintsResult {
  /** The tokenizer used and how it was chosen; undefined when none could be loaded. */
  tokenizer?: { name: string; source: string; chosenBy: 'scenario' | 'model' | 'default'; /** The hub id this bundled tokenizer stands in for until it is downloaded. */ fallbackFor?: string };
  model?: string;
  hints: TokenHint[];
  /** Limit checks (warnings and errors), ranged. */
  limits: Diagnostic[];
  /** Why there are no counts (no tokenizer, a parse error, ...). */
  note?: string;
  /**
   * The file has errors: counts are for the blocks that still resolve (the broken blocks' first
   * lines are listed; they get no count); borrowed = directives taken from the last good resolution.
   */
  partial?: { droppedLines: number[]; borrowed: (keyof LastGoodResolution)[] };
  /** What to remember as the last good resolution of this file (set only when the whole file resolved). */
  resolved?: LastGoodResolution;
  /** The chosen tokenizer could not be loaded: 'needs-download' = a hub id not in the cache (ask the user). */
  tokenizerProblem?: { spec: string; code: TokenizerErrorCode | 'other'; message: string };
}

export interface TokenHintsOptions {
  /** Absolute path of the scenario (relative @file and dataset paths resolve against its folder). */
  file: string;
  /** Tokenizer when the scenario has none and its model does not name a bundled one. */
  defaultTokenizer?: string;
  /** Overrides the scenario's and the default tokenizer (Select Tokenizer). */
  tokenizerOverride?: string;
  /** Folder of the bundled code (holds tokenizers/); default this module's folder. */
  codeDir?: string;
  env?: Record<string, string | undefined>;
  /** The Hugging Face hub cache to look in (the editor's, read on its side); default the core's. */
  hfCacheDir?: string;
  /** The last time this file resolved: api, model and tokenizer to count with while it has errors. */
  lastGood?: LastGoodResolution;
}

export function chooseTokenizer(plan: Pick<RunPlan, 'tokenizer' | 'model'>, opts: Pick<TokenHintsOptions, 'defaultTokenizer' | 'tokenizerOverride'>): { spec: string; chosenBy: 'scenario' | 'model' | 'default' } | undefined {
  if (opts.tokenizerOverride) return { spec: opts.tokenizerOverride, chosenBy: 'default' };
  if (plan.tokenizer) return { spec: plan.tokenizer, chosenBy: 'scenario' };
  const guess = plan.model ? guessBundledFromModel(plan.model) : undefined;
  if (guess) return { spec: guess, chosenBy: 'model' };
  if (opts.defaultTokenizer) return { spec: opts.defaultTokenizer, chosenBy: 'default' };
  return undefined;
}

/** Resolves the text leniently: secrets are never needed to count tokens. */
export function planForCounting(text: string, file: string, env: Record<string, string | undefined> = process.env): RunPlan | undefined {
  const { tree } = parseScenario(text, file);
  return resolvePlan(tree, { file, env, secret: () => '<secret>' }).plan;
}

export async function computeTokenHints(text: string, opts: TokenHintsOptions): Promise<TokenHintsResult> {
  // While the file has errors, the blocks that still resolve are counted (see lenient-plan.ts).
  const lenient = resolveLeniently(text, opts.file, opts.env ?? process.env, opts.lastGood);
  const { tree, plan } = lenient;
  if (!plan) return { hints: [], limits: [], note: 'the scenario has errors; token counts appear once it resolves' };
  const result = await computeForPlan(tree, plan, opts);
  if (lenient.repaired) {
    result.partial = { droppedLines: lenient.droppedLines, borrowed: lenient.borrowed };
    const n = lenient.droppedLines.length;
    result.note = `${result.note ? result.note + '; ' : ''}the file has errors: counts shown for the blocks that resolve${n ? ` (${n} block(s) with errors left out)` : ''}`;
  } else {
    result.resolved = { api: plan.api, model: plan.model || undefined, tokenizer: plan.tokenizer };
  }
  return result;
}

async function computeForPlan(tree: ReturnType<typeof parseScenario>['tree'], plan: RunPlan, opts: TokenHintsOptions): Promise<TokenHintsResult> {
  const chosen = chooseTokenizer(plan, opts);
  if (!chosen) return { hints: [], limits: [], model: plan.model, note: 'no tokenizer: add a `tokenizer` line or pick one (llmload: Select Tokenizer)' };
  let tok: LoadedTokenizer;
  let fallback: { spec: string; code: TokenizerErrorCode | 'other'; message: string } | undefined;
  try {
    // Never a download here: that needs the user's agreement, asked for by the editor (see LanguageFeatures).
    tok = await loadTokenizer(chosen.spec, { scenarioDir: path.dirname(opts.file), allowDownload: false, codeDir: opts.codeDir, hfCacheDir: opts.hfCacheDir });
  } catch (e) {
    const code = e instanceof TokenizerError ? e.code : 'other';
    // The editor asks before any download: until then the id is "not downloaded yet", not "not allowed".
    const message = code === 'needs-download' ? `tokenizer ${chosen.spec} is not downloaded yet: not in the Hugging Face cache on this machine.` : (e as Error).message;
    // Counts offline: a hub id of a family with a bundled tokenizer (Qwen/Qwen3-8B -> qwen3) counts with it, said in the note.
    const family = code === 'needs-download' || code === 'download-failed' ? guessBundledFromModel(chosen.spec) : undefined;
    const bundled = family && family !== chosen.spec ? await loadTokenizer(family, { codeDir: opts.codeDir }).catch(() => undefined) : undefined;
    if (bundled) {
      tok = bundled;
      fallback = { spec: chosen.spec, code, message };
    } else return {
      // A folder that is not there is the user's typo (the note says so); a download is worth a hint where counts would be.
      hints: code === 'needs-download' || code === 'download-failed' ? problemHints(tree, chosen.spec, code, message) : [],
      limits: [],
      model: plan.model,
      note: `tokenizer ${chosen.spec}: ${message}`,
      tokenizerProblem: { spec: chosen.spec, code, message },
    };
  }
  const result = countWith(tree, plan, opts, tok, chosen.chosenBy);
  if (fallback) {
    const why = `counted with the bundled ${tok.name} tokenizer (the same family) until ${fallback.spec} is downloaded`;
    for (const h of result.hints) h.tooltip += ` — ${why}`;
    result.tokenizer = { ...result.tokenizer!, fallbackFor: fallback.spec };
    result.note = `${fallback.message} Meanwhile ${why}.`;
    result.tokenizerProblem = fallback;
  }
  return result;
}

function countWith(tree: ReturnType<typeof parseScenario>['tree'], plan: RunPlan, opts: TokenHintsOptions, tok: LoadedTokenizer, chosenBy: 'scenario' | 'model' | 'default'): TokenHintsResult {
  const chat = CHAT_APIS.has(plan.api);
  const kind = chat ? 'chat' : 'raw';
  const hints: TokenHint[] = [];
  const subjects: LimitSubject[] = [];
  const limitRanges: Range[] = [];
  const byName = new Map(plan.prompts.map((p) => [p.name, p]));
  const counts = new Map<string, ReturnType<typeof countPrompt>>();
  const countOf = (p: PromptPlan) => {
    let c = counts.get(p.name);
    if (!c) counts.set(p.name, (c = countPrompt(tok, p)));
    return c;
  };
  const datasetCounts: (DatasetSummary | undefined)[] = [];
  for (const s of tokenSubjects(tree)) {
    if (s.kind === 'dataset') {
      const ds = plan.datasets[s.dataset!];
      if (!ds) continue;
      const d = (datasetCounts[s.dataset!] = countDataset(tok, ds, plan, opts.file, chat));
      if (d.error) {
        hints.push({ at: s.at, label: `⟵ ${d.error}`, tooltip: d.error, range: s.range, warn: true });
        continue;
      }
      hints.push({
        at: s.at,
        label: formatTokenHint('dataset', { prompts: d.total, min: d.min, max: d.max }, tok.name),
        tooltip: `${d.counted.toLocaleString('en-US')} of ${d.total.toLocaleString('en-US')} prompts counted with ${tok.name} (${kind}); mean ${formatTokens(d.mean)} tok`,
        range: s.range,
        warn: false,
        subject: { kind: 'dataset', name: ds.name, prompts: d.total, counted: d.counted, min: d.min, max: d.max, mean: d.mean, tokens: d.served.reduce((a, b) => a + b, 0) },
      });
      for (const [i, n] of d.served.entries()) subjects.push({ label: `dataset "${ds.name}" prompt ${i + 1}`, tokens: n, maxTokens: d.maxTokens, range: s.range });
      limitRanges.push(s.range);
      continue;
    }
    const p = byName.get(s.prompt!);
    if (!p) continue;
    const c = countOf(p);
    if (s.kind === 'prompt') {
      const served = chat ? c.chat : c.raw;
      hints.push({
        at: s.at,
        label: formatTokenHint('prompt', { tokens: served }, tok.name),
        tooltip: `${served.toLocaleString('en-US')} tokens as the server sees this prompt (${kind}, ${tok.name}); chat ${c.chat.toLocaleString('en-US')}, raw ${c.raw.toLocaleString('en-US')}` +
          (p.params.max_tokens !== undefined ? `; max_tokens ${p.params.max_tokens.toLocaleString('en-US')}` : ''),
        range: s.range,
        warn: false,
        subject: { kind: 'prompt', name: p.name, tokens: served },
      });
      subjects.push({ label: `prompt "${p.name}"`, tokens: served, maxTokens: p.params.max_tokens, range: s.range });
      limitRanges.push(s.range);
    } else {
      const n = c.turns[s.turn!];
      if (n === undefined) continue;
      hints.push({ at: s.at, label: formatTokenHint('turn', { tokens: n }), tooltip: `${n.toLocaleString('en-US')} tokens in this turn's text (${tok.name})`, range: s.range, warn: false, subject: { kind: 'turn', name: `${p.name} turn ${s.turn! + 1}`, tokens: n } });
    }
  }
  const limits = checkTokenLimits(subjects, { modelMaxLength: tok.modelMaxLength });
  // A hint whose line has a limit diagnostic is marked.
  for (const h of hints) {
    if (limits.some((d) => d.range.start.line === h.range.start.line)) {
      h.warn = true;
      h.tooltip += ' — ' + limits.filter((d) => d.range.start.line === h.range.start.line).map((d) => d.message).join('; ');
    }
  }
  return { tokenizer: { name: tok.name, source: tok.source, chosenBy }, model: plan.model, hints, limits };
}

/**
 * Where counts would be, when a hub tokenizer is not downloaded: one warning hint at the end of the
 * `tokenizer` line (else of the first prompt or dataset header) saying why, so the problem shows
 * where the user looks instead of counts silently missing.
 */
function problemHints(tree: ReturnType<typeof parseScenario>['tree'], spec: string, code: 'needs-download' | 'download-failed', message: string): TokenHint[] {
  const label =
    code === 'needs-download' ? `⟵ no counts: tokenizer ${spec} is not in the Hugging Face cache` : `⟵ no counts: tokenizer ${spec} could not be downloaded`;
  const line = tree.statements.find((s) => s.kind === 'tokenizer');
  const lines = tree.text.split(/\r?\n/);
  if (line) {
    const l = line.range.start.line;
    const at = { line: l, character: (lines[l] ?? '').length };
    return [{ at, label, tooltip: message, range: { start: { line: l, character: 0 }, end: at }, warn: true }];
  }
  const first = tokenSubjects(tree).find((s) => s.kind !== 'turn');
  return first ? [{ at: first.at, label, tooltip: message, range: first.range, warn: true }] : [];
}

interface DatasetSummary {
  total: number;
  counted: number;
  min: number;
  max: number;
  mean: number;
  served: number[];
  maxTokens?: number;
  error?: string;
}

function countDataset(tok: LoadedTokenizer, ds: DatasetPlan, plan: RunPlan, file: string, chat: boolean): DatasetSummary {
  let prompts: PromptPlan[];
  try {
    prompts = ds.kind === 'synthetic' ? syntheticDatasetPrompts(tok, ds, { fallbackSeed: plan.seed }) : loadDatasetPrompts(ds, path.dirname(file));
  } catch (e) {
    return { total: 0, counted: 0, min: 0, max: 0, mean: 0, served: [], error: (e as Error).message };
  }
  const slice = prompts.slice(0, MAX_DATASET_PROMPTS);
  const served = slice.map((p) => {
    const c = countPrompt(tok, p);
    return chat ? c.chat : c.raw;
  });
  const st = countStats(served);
  return { total: prompts.length, counted: slice.length, min: st.min, max: st.max, mean: st.mean, served, maxTokens: slice[0]?.params.max_tokens };
}
