/**
 * Token limits, checked before a run: a prompt longer than the context window is an error (the
 * server rejects or silently truncates it); a prompt plus its `max_tokens` over the window is a
 * warning (generation gets cut short or refused); a prompt outside the bucket its dataset claims
 * is a warning (results would land in the wrong bucket).
 */
import type { Diagnostic, Range } from '../scenario/diagnostics';
import { bucketLabel } from './counts';

export interface LimitSubject {
  /** What the message names: `prompt "explain"`, `dataset long, prompt 3`. */
  label: string;
  /** Input tokens as the server sees them (the templated chat count for chat APIs). */
  tokens: number;
  maxTokens?: number;
  /** Where the diagnostic points; the start of the file when absent. */
  range?: Range;
  /** The input-size bucket the prompt's dataset says it belongs to: `from <= tokens < to`. */
  bucket?: { from: number; to: number };
}

export interface LimitOptions {
  /** The scenario's `context` value, in tokens. Wins over modelMaxLength. */
  context?: number;
  /** `model_max_length` of the tokenizer. */
  modelMaxLength?: number;
}

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The context window and what set it, or undefined when neither is known. */
export function contextWindow(opts: LimitOptions): { tokens: number; from: 'context' | 'model_max_length' } | undefined {
  if (opts.context !== undefined && opts.context > 0) return { tokens: opts.context, from: 'context' };
  if (opts.modelMaxLength !== undefined && opts.modelMaxLength > 0) return { tokens: opts.modelMaxLength, from: 'model_max_length' };
  return undefined;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

export function checkTokenLimits(subjects: readonly LimitSubject[], opts: LimitOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const win = contextWindow(opts);
  const source = win?.from === 'context' ? 'the scenario\'s `context`' : "the tokenizer's model_max_length";
  for (const s of subjects) {
    const range = s.range ?? START;
    if (win && s.tokens > win.tokens) {
      out.push({
        severity: 'error',
        range,
        message: `${s.label} is ${fmt(s.tokens)} tokens, over the ${fmt(win.tokens)}-token context window (${source}): the server will reject or truncate it`,
      });
    } else if (win && s.maxTokens !== undefined && s.tokens + s.maxTokens > win.tokens) {
      out.push({
        severity: 'warning',
        range,
        message: `${s.label}: ${fmt(s.tokens)} input + ${fmt(s.maxTokens)} max_tokens = ${fmt(s.tokens + s.maxTokens)}, over the ${fmt(win.tokens)}-token context window (${source}): generation may be cut short or refused`,
      });
    }
    if (s.bucket && !(s.tokens >= s.bucket.from && s.tokens < s.bucket.to)) {
      out.push({
        severity: 'warning',
        range,
        message: `${s.label} is ${fmt(s.tokens)} tokens, outside its dataset's bucket ${bucketLabel(s.bucket)} (${fmt(s.bucket.from)} to ${s.bucket.to === Infinity ? 'no limit' : `under ${fmt(s.bucket.to)}`})`,
      });
    }
  }
  return out;
}
