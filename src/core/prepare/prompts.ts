/**
 * Before a run: turns the scenario's datasets into prompts (jsonl and sharegpt files read, synthetic
 * prompts generated to exact token lengths) and counts every prompt's input tokens as the server
 * will see them. Tokenizing happens in the tokenization worker, never on a thread that times
 * packets, and all of it before the first request is sent.
 */
import path from 'node:path';
import { loadDatasetPrompts } from '../scenario/datasets';
import type { PromptPlan, RunPlan } from '../scenario/plan';
import { guessBundledFromModel } from '../tokenize/bundled';
import type { TokenizeClient } from '../tokenize/client';
import { TokenizerError, type LoadTokenizerOptions, type TokenizerErrorCode } from '../tokenize/load';
import { CHAT_APIS } from '../tokenize/plan-counts';

export class PrepareError extends Error {
  constructor(
    message: string,
    /** Set when the tokenizer could not be had: 'needs-download' = not cached and no agreement to download. */
    readonly tokenizerCode?: TokenizerErrorCode,
  ) {
    super(message);
    this.name = 'PrepareError';
  }
}

/** Tokenizer failures that are about getting the files: the user can fix them (agree, go online). */
const DOWNLOAD_CODES: ReadonlySet<TokenizerErrorCode> = new Set(['needs-download', 'download-failed']);

export interface PreparedRun {
  /** The plan with every dataset's prompts appended to its prompt blocks. */
  plan: RunPlan;
  /** Input tokens of each prompt by name, as the server sees them (chat template applied for chat APIs). */
  inputTokens: Map<string, number>;
  /** The tokenizer used, and how it was chosen; absent when none could be had. */
  tokenizer?: { name: string; guessed: boolean };
  /** What a person should know (e.g. counts skipped), one line each. */
  notes: string[];
}

export interface PrepareOptions {
  /** The folder dataset paths are relative to; defaults to the scenario file's. */
  baseDir?: string;
  /** Needed for synthetic datasets and for input counts; without it, prompts are not counted. */
  tokenize?: TokenizeClient;
  /** The user agreed to download a Hugging Face tokenizer that is not cached (`--download-tokenizer`). Default false. */
  allowDownload?: boolean;
  /**
   * A tokenizer that needs a download (not agreed to) or whose download failed fails the
   * preparation (PrepareError with tokenizerCode) instead of leaving the prompts uncounted with a
   * note. The CLI sets it; default false.
   */
  failOnTokenizerDownload?: boolean;
}

function chosenTokenizer(plan: RunPlan): { name: string; guessed: boolean } | undefined {
  if (plan.tokenizer) return { name: plan.tokenizer, guessed: false };
  const g = guessBundledFromModel(plan.model);
  return g ? { name: g, guessed: true } : undefined;
}

export async function prepareRun(plan: RunPlan, opts: PrepareOptions = {}): Promise<PreparedRun> {
  const baseDir = opts.baseDir ?? (plan.file ? path.dirname(plan.file) : process.cwd());
  const notes: string[] = [];
  const tokenizer = chosenTokenizer(plan);
  const loadOptions: LoadTokenizerOptions = { scenarioDir: baseDir, allowDownload: opts.allowDownload ?? false };
  const codeOf = (e: unknown): TokenizerErrorCode | undefined => (e instanceof TokenizerError ? e.code : undefined);
  const prompts: PromptPlan[] = [...plan.prompts];
  for (const ds of plan.datasets) {
    if (ds.kind === 'synthetic') {
      if (!tokenizer || !opts.tokenize) {
        throw new PrepareError(`dataset "${ds.name}" is synthetic and needs a tokenizer to build prompts of exact lengths: add a line like \`tokenizer qwen3\``);
      }
      try {
        prompts.push(...(await opts.tokenize.syntheticDataset(tokenizer.name, ds, plan.seed, loadOptions)));
      } catch (e) {
        throw new PrepareError(`dataset "${ds.name}": ${(e as Error).message}`, codeOf(e));
      }
    } else {
      try {
        prompts.push(...loadDatasetPrompts(ds, baseDir, notes));
      } catch (e) {
        throw new PrepareError(`dataset "${ds.name}": ${(e as Error).message}`);
      }
    }
  }
  if (prompts.length === 0) throw new PrepareError('the scenario has no prompt to send: add a `prompt` block or a `dataset`');

  const inputTokens = new Map<string, number>();
  if (tokenizer && opts.tokenize) {
    try {
      const counts = await opts.tokenize.countPrompts(tokenizer.name, prompts, loadOptions);
      const served = CHAT_APIS.has(plan.api) ? 'chat' : 'raw';
      counts.forEach((c, i) => inputTokens.set(prompts[i]!.name, c[served]));
      if (tokenizer.guessed) notes.push(`input tokens counted with the bundled ${tokenizer.name} tokenizer, guessed from the model name; a \`tokenizer\` line makes it explicit`);
    } catch (e) {
      const code = codeOf(e);
      if (opts.failOnTokenizerDownload && code && DOWNLOAD_CODES.has(code)) throw new PrepareError((e as Error).message, code);
      notes.push(`input tokens not counted: ${(e as Error).message}`);
    }
  } else if (plan.buckets.length > 0) {
    notes.push('no tokenizer for this model: token buckets use the server\'s prompt_tokens only; add a `tokenizer` line to count prompts');
  }
  return { plan: { ...plan, prompts, datasets: plan.datasets }, inputTokens, tokenizer, notes };
}
