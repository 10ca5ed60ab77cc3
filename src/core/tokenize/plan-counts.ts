/**
 * Every count of a scenario in one pass: each prompt block (chat, raw, per turn), each dataset
 * (min/mean/max and a histogram over the scenario's buckets) and the limit diagnostics. What
 * `llmload tokens` prints and what the editor shows inline; run it in the worker for the editor.
 */
import type { Diagnostic, Range } from '../scenario/diagnostics';
import { loadDatasetPrompts } from '../scenario/datasets';
import type { ApiKind, DatasetPlan, PromptPlan, RunPlan } from '../scenario/plan';
import { bucketRanges, countPrompt, countStats, type CountStats, type PromptCount } from './counts';
import { checkTokenLimits, contextWindow, type LimitSubject } from './limits';
import type { LoadedTokenizer } from './load';
import { syntheticDatasetPrompts } from './synthetic';

/** APIs whose server applies the model's chat template to the messages. */
export const CHAT_APIS: ReadonlySet<ApiKind> = new Set(['openai-chat', 'openai-responses', 'anthropic', 'ollama']);

export interface PromptCounts {
  name: string;
  counts: PromptCount;
  /** The count the server sees: chat for chat APIs, raw otherwise. */
  served: number;
  maxTokens?: number;
  /** The `prompt "NAME"` line, when the scenario text was given. */
  range?: Range;
}

export interface DatasetCounts {
  name: string;
  kind: DatasetPlan['kind'];
  chat: CountStats;
  raw: CountStats;
  /** Stats of the served counts, with the histogram over the scenario's buckets. */
  served: CountStats;
  range?: Range;
  /** Why the dataset could not be read or generated; its stats are then empty. */
  error?: string;
}

export interface PlanCounts {
  tokenizer: { name: string; source: LoadedTokenizer['source']; location: string };
  served: 'chat' | 'raw';
  /** False when the tokenizer has no chat template, so chat counts are raw counts. */
  templated: boolean;
  context?: { tokens: number; from: 'context' | 'model_max_length' };
  prompts: PromptCounts[];
  datasets: DatasetCounts[];
  diagnostics: Diagnostic[];
}

export interface CountPlanOptions {
  /** Folder dataset paths are relative to (the scenario's). */
  baseDir: string;
  /** The scenario text, to point counts and diagnostics at their lines. */
  text?: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function lineOf(text: string | undefined, pattern: RegExp, nth = 0): Range | undefined {
  if (text === undefined) return undefined;
  const lines = text.split(/\r?\n/);
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!pattern.test(lines[i]!)) continue;
    if (seen++ < nth) continue;
    const l = lines[i]!;
    return { start: { line: i, character: l.length - l.trimStart().length }, end: { line: i, character: l.length } };
  }
  return undefined;
}

/**
 * The result bucket a synthetic dataset claims: the one of the scenario's buckets its whole input
 * range falls in. The chat template's tokens can push a prompt over that bucket's top.
 */
function claimedBucket(ds: DatasetPlan, bounds: number[]): { from: number; to: number } | undefined {
  if (ds.kind !== 'synthetic') return undefined;
  return bucketRanges(bounds).find((r) => ds.input.min >= r.from && ds.input.max < r.to);
}

export function countPlan(tok: LoadedTokenizer, plan: RunPlan, opts: CountPlanOptions): PlanCounts {
  const chatApi = CHAT_APIS.has(plan.api);
  const served = (c: PromptCount): number => (chatApi ? c.chat : c.raw);
  const context = plan.context;
  const subjects: LimitSubject[] = [];

  const prompts = plan.prompts.map((p): PromptCounts => {
    const counts = countPrompt(tok, p);
    const range = lineOf(opts.text, new RegExp(`^\\s*prompt\\s+"${escape(p.name)}"`));
    subjects.push({ label: `prompt "${p.name}"`, tokens: served(counts), maxTokens: p.params.max_tokens, range });
    return { name: p.name, counts, served: served(counts), maxTokens: p.params.max_tokens, range };
  });

  const kindsSeen = new Map<string, number>();
  const datasets = (plan.datasets ?? []).map((ds): DatasetCounts => {
    const nth = kindsSeen.get(ds.kind) ?? 0;
    kindsSeen.set(ds.kind, nth + 1);
    const range = lineOf(opts.text, new RegExp(`^\\s*dataset\\s+${ds.kind}\\b`), nth);
    let records: PromptPlan[];
    try {
      records = ds.kind === 'synthetic' ? syntheticDatasetPrompts(tok, ds, { fallbackSeed: plan.seed }) : loadDatasetPrompts(ds, opts.baseDir);
    } catch (e) {
      const empty = countStats([], plan.buckets);
      return { name: ds.name, kind: ds.kind, chat: empty, raw: empty, served: empty, range, error: (e as Error).message };
    }
    const counts = records.map((p) => countPrompt(tok, p));
    const bucket = claimedBucket(ds, plan.buckets);
    records.forEach((p, i) =>
      subjects.push({ label: `dataset "${ds.name}" prompt ${p.name}`, tokens: served(counts[i]!), maxTokens: p.params.max_tokens, range, bucket }),
    );
    return {
      name: ds.name,
      kind: ds.kind,
      chat: countStats(counts.map((c) => c.chat)),
      raw: countStats(counts.map((c) => c.raw)),
      served: countStats(counts.map(served), plan.buckets),
      range,
    };
  });

  const diagnostics = checkTokenLimits(subjects, { context, modelMaxLength: tok.modelMaxLength });
  for (const d of datasets) {
    if (d.error) diagnostics.push({ severity: 'error', range: d.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message: `dataset "${d.name}": ${d.error}` });
  }
  diagnostics.sort((a, b) => a.range.start.line - b.range.start.line);
  return {
    tokenizer: { name: tok.name, source: tok.source, location: tok.location },
    served: chatApi ? 'chat' : 'raw',
    templated: tok.applyChatTemplate !== undefined,
    context: contextWindow({ context, modelMaxLength: tok.modelMaxLength }),
    prompts,
    datasets,
    diagnostics,
  };
}
