/**
 * `llmload tokens FILE...`: each prompt's token count as the server sees it (chat = templated,
 * raw = the message contents alone), each dataset's min/mean/max and histogram over the
 * scenario's buckets, and the limit checks. The same numbers the editor shows inline.
 * Exit 0 when all counts fit, 1 when a prompt exceeds the context window, 2 when a scenario is
 * invalid, 3 when its tokenizer cannot be loaded.
 */
import path from 'node:path';
import { formatDiagnostic, type Diagnostic, type Range } from '../core/scenario/diagnostics';
import { loadDatasetPrompts, loadScenario } from '../core/scenario';
import type { ApiKind, DatasetPlan, PromptPlan, RunPlan } from '../core/scenario/plan';
import {
  checkTokenLimits,
  contextWindow,
  countPrompt,
  countStats,
  bucketLabel,
  bucketRanges,
  guessBundledFromModel,
  loadTokenizer,
  syntheticDatasetPrompts,
  type LimitSubject,
  type LoadedTokenizer,
  type PromptCount,
} from '../core/tokenize';

interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** APIs whose server applies the model's chat template to the messages. */
const CHAT_APIS: ReadonlySet<ApiKind> = new Set(['openai-chat', 'openai-responses', 'anthropic', 'ollama']);

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

function lineOf(text: string, pattern: RegExp): Range | undefined {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => pattern.test(l));
  if (i < 0) return undefined;
  const character = lines[i]!.length - lines[i]!.trimStart().length;
  return { start: { line: i, character }, end: { line: i, character: lines[i]!.length } };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Which tokenizer a plan counts with, and how it was chosen. */
function tokenizerSpec(plan: RunPlan): { spec: string; note: string } | undefined {
  if (plan.tokenizer) return { spec: plan.tokenizer, note: '' };
  const guess = guessBundledFromModel(plan.model);
  if (guess) return { spec: guess, note: ` (guessed from model ${plan.model}; set \`tokenizer\` to be sure)` };
  return undefined;
}

export async function runTokens(files: string[], io: Io): Promise<number> {
  if (files.length === 0) {
    io.err('usage: llmload tokens FILE...');
    return 2;
  }
  let worst = 0;
  for (const file of files) worst = Math.max(worst, await tokensOf(file, io));
  return worst;
}

async function tokensOf(file: string, io: Io): Promise<number> {
  const abs = path.resolve(file);
  const loaded = loadScenario(abs, { env: process.env, secret: (name) => process.env[name] });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.plan || errors.length > 0) {
    for (const d of errors) io.err(formatDiagnostic(file, d));
    if (errors.length === 0) io.err(`${file}: the scenario could not be resolved`);
    return 2;
  }
  const plan = loaded.plan;
  const dir = path.dirname(abs);
  const chosen = tokenizerSpec(plan);
  if (!chosen) {
    io.err(`${file}: no tokenizer to count with: add a \`tokenizer\` line (a bundled name such as qwen3, a folder, or a Hugging Face model id)`);
    return 3;
  }
  let tok: LoadedTokenizer;
  try {
    tok = await loadTokenizer(chosen.spec, { scenarioDir: dir, allowDownload: false });
  } catch (e) {
    io.err(`${file}: ${(e as Error).message}`);
    return 3;
  }
  const chatApi = CHAT_APIS.has(plan.api);
  const context = (plan as RunPlan & { context?: number }).context;
  const win = contextWindow({ context, modelMaxLength: tok.modelMaxLength });
  io.out(
    `${file}: tokenizer ${tok.name} (${tok.source})${chosen.note}; ` +
      (win ? `context ${n(win.tokens)} (${win.from === 'context' ? 'context' : 'model_max_length'})` : 'context window unknown') +
      `; the server sees the ${chatApi ? 'chat' : 'raw'} count`,
  );
  if (chatApi && !tok.applyChatTemplate) io.out('  (this tokenizer has no chat template: chat counts are raw counts)');

  const subjects: LimitSubject[] = [];
  const served = (c: PromptCount): number => (chatApi ? c.chat : c.raw);
  const width = Math.max(0, ...plan.prompts.map((p) => p.name.length)) + 2;
  for (const p of plan.prompts) {
    const c = countPrompt(tok, p);
    const range = lineOf(loaded.text, new RegExp(`^\\s*prompt\\s+"${escape(p.name)}"`));
    io.out(
      `  prompt ${`"${p.name}"`.padEnd(width)} chat ${n(c.chat).padStart(7)}  raw ${n(c.raw).padStart(7)}  turns ${c.turns.map(n).join('+')}` +
        (p.params.max_tokens !== undefined ? `  max_tokens ${n(p.params.max_tokens)}` : ''),
    );
    subjects.push({ label: `prompt "${p.name}"`, tokens: served(c), maxTokens: p.params.max_tokens, range });
  }

  let unreadable = false;
  for (const ds of plan.datasets ?? []) {
    const range = datasetRange(loaded.text, ds);
    let prompts: PromptPlan[];
    try {
      prompts = ds.kind === 'synthetic' ? syntheticDatasetPrompts(tok, ds, { fallbackSeed: plan.seed }) : loadDatasetPrompts(ds, dir);
    } catch (e) {
      io.err(`${file}: dataset "${ds.name}": ${(e as Error).message}`);
      unreadable = true;
      continue;
    }
    const counts = prompts.map((p) => countPrompt(tok, p));
    const chat = countStats(counts.map((c) => c.chat), plan.buckets);
    const raw = countStats(counts.map((c) => c.raw));
    io.out(
      `  dataset "${ds.name}" (${ds.kind}, ${n(chat.n)} prompts)  chat min ${n(chat.min)} mean ${n(chat.mean)} max ${n(chat.max)}` +
        `  raw min ${n(raw.min)} mean ${n(raw.mean)} max ${n(raw.max)}`,
    );
    if (chat.histogram.length > 0) {
      io.out(`    buckets (${chatApi ? 'chat' : 'raw'}): ` + countStats(counts.map(served), plan.buckets).histogram.map((h) => `${bucketLabel(h)} ${h.count}`).join(', '));
    }
    const bucket = claimedBucket(ds, plan.buckets);
    prompts.forEach((p, i) =>
      subjects.push({ label: `dataset "${ds.name}" prompt ${p.name}`, tokens: served(counts[i]!), maxTokens: p.params.max_tokens, range, bucket }),
    );
  }

  const limits = checkTokenLimits(subjects, { context, modelMaxLength: tok.modelMaxLength });
  for (const d of sortDiagnostics(limits)) (d.severity === 'error' ? io.err : io.out)(formatDiagnostic(file, d));
  if (unreadable) return 2;
  return limits.some((d) => d.severity === 'error') ? 1 : 0;
}

function datasetRange(text: string, ds: DatasetPlan): Range | undefined {
  return lineOf(text, new RegExp(`^\\s*dataset\\s+${ds.kind}\\b.*${escape(ds.kind === 'synthetic' ? '' : path.basename(ds.path))}`));
}

/**
 * The result bucket a synthetic dataset claims: the one of the scenario's buckets its whole input
 * range falls in. The chat template's tokens can push a prompt over that bucket's top.
 */
function claimedBucket(ds: DatasetPlan, bounds: number[]): { from: number; to: number } | undefined {
  if (ds.kind !== 'synthetic') return undefined;
  return bucketRanges(bounds).find((r) => ds.input.min >= r.from && ds.input.max < r.to);
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.range.start.line - b.range.start.line);
}
