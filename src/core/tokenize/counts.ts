/**
 * Token counts as the server sees them: a chat prompt is rendered with the model's chat template
 * (generation prompt included) and that text is counted, with no further special tokens added,
 * as `apply_chat_template(..., tokenize=True)` and vLLM's chat endpoint do.
 */
import { promptText } from '../protocols/prompt-text';
import type { PromptPlan } from '../scenario/plan';
import type { LoadedTokenizer } from './load';

export interface PromptCount {
  /** Tokens of the templated prompt the server builds; equals `raw` when the tokenizer has no chat template. */
  chat: number;
  /**
   * Tokens of the raw text an API without a chat template is sent: the message contents joined by
   * blank lines, exactly as promptText() builds it for the request (separators counted).
   */
  raw: number;
  /** Tokens of each message's content, in order. */
  turns: number[];
  /** False when no chat template was found, so `chat` is only the raw count. */
  templated: boolean;
}

export function countPrompt(tok: LoadedTokenizer, prompt: Pick<PromptPlan, 'messages'>): PromptCount {
  const turns = prompt.messages.map((m) => tok.count(m.content));
  // One message: the text sent is its content. Several: counted joined, as sent.
  const raw = prompt.messages.length === 1 ? turns[0]! : tok.count(promptText(prompt));
  if (!tok.applyChatTemplate || prompt.messages.length === 0) return { chat: raw, raw, turns, templated: false };
  const text = tok.applyChatTemplate(prompt.messages, { addGenerationPrompt: true });
  return { chat: tok.count(text), raw, turns, templated: true };
}

export interface BucketCount {
  /** Inclusive lower bound in tokens. */
  from: number;
  /** Exclusive upper bound; Infinity for the last, open bucket. */
  to: number;
  count: number;
}

export interface CountStats {
  n: number;
  min: number;
  mean: number;
  max: number;
  /** Counts per bucket: [0, b0), [b0, b1), ..., [bn, Infinity). Empty when no bounds are given. */
  histogram: BucketCount[];
}

/** The bucket bounds as ranges: [0, b0), [b0, b1), ..., [bn, Infinity). */
export function bucketRanges(bounds: readonly number[]): { from: number; to: number }[] {
  const sorted = [...new Set(bounds.filter((b) => Number.isFinite(b) && b > 0))].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const edges = [0, ...sorted, Infinity];
  return edges.slice(0, -1).map((from, i) => ({ from, to: edges[i + 1]! }));
}

/** Which range of `bucketRanges(bounds)` holds `tokens`; -1 when there are no bounds. */
export function bucketIndex(bounds: readonly number[], tokens: number): number {
  return bucketRanges(bounds).findIndex((r) => tokens >= r.from && tokens < r.to);
}

/** A bucket label in the scenario's units: `16k-32k`, `<1k`, `>=128Ki` (k = 1,000, Ki = 1,024). */
export function bucketLabel(r: { from: number; to: number }): string {
  const k = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : n % 1024 === 0 ? `${n / 1024}Ki` : String(n));
  if (r.from === 0) return `<${k(r.to)}`;
  if (r.to === Infinity) return `>=${k(r.from)}`;
  return `${k(r.from)}-${k(r.to)}`;
}

export function countStats(counts: readonly number[], bounds: readonly number[] = []): CountStats {
  const histogram = bucketRanges(bounds).map((r) => ({ ...r, count: 0 }));
  for (const c of counts) {
    const b = histogram.find((h) => c >= h.from && c < h.to);
    if (b) b.count++;
  }
  if (counts.length === 0) return { n: 0, min: 0, mean: 0, max: 0, histogram };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const c of counts) {
    if (c < min) min = c;
    if (c > max) max = c;
    sum += c;
  }
  return { n: counts.length, min, mean: sum / counts.length, max, histogram };
}
