/**
 * Token limits, checked before a run: a prompt longer than the context window is an error (the
 * server rejects or silently truncates it); a prompt plus its `max_tokens` over the window is a
 * warning (generation gets cut short or refused); a prompt outside the bucket its dataset claims
 * is a warning (results would land in the wrong bucket).
 */
import type { Diagnostic, Range } from '../scenario/diagnostics';
import { bucketLabel } from './counts';
import type { AppliedLimit } from '../types/server-facts';

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

/** `16k` for 16000, `4Ki` for 4096 when that is how it divides, else the digits. */
function kTokens(n: number): string {
  return n % 1000 === 0 ? `${n / 1000}k` : n % 1024 === 0 && n >= 1024 ? `${n / 1024}Ki` : fmt(n);
}

/**
 * The context window a run's prompts are checked against: the smaller of the server's published
 * limit and the scenario's (`context`, else the tokenizer's model_max_length), with its source.
 */
export function appliedContextLimit(scenario: LimitOptions, server?: { context?: number; source: string }): AppliedLimit | undefined {
  const own = contextWindow(scenario);
  const fromScenario: AppliedLimit | undefined = own && {
    tokens: own.tokens,
    from: own.from,
    text: own.from === 'context' ? `the scenario's context ${kTokens(own.tokens)}` : `the tokenizer's model_max_length ${fmt(own.tokens)}`,
  };
  const fromServer: AppliedLimit | undefined =
    server?.context !== undefined ? { tokens: server.context, from: 'server', text: `the server's limit (${server.source})` } : undefined;
  if (fromServer && (!fromScenario || fromServer.tokens <= fromScenario.tokens)) return fromServer;
  return fromScenario;
}

export interface RunLimitSubject {
  /** `prompt "long"`, `dataset "d" prompt d:3`. */
  label: string;
  tokens: number;
  maxTokens?: number;
}

/**
 * Warnings before a run for prompts over a limit: over the context window (the server rejects
 * them: their records will say so), over a prompt-only limit (TGI max_input_tokens), or whose
 * `max_tokens` does not fit beside them. A run is not stopped by them (a person may want to measure
 * the rejection); many prompts over the same limit give one line with the longest named.
 */
export function runLimitWarnings(
  subjects: readonly RunLimitSubject[],
  window: AppliedLimit | undefined,
  maxInput?: { tokens: number; text: string },
): string[] {
  const out: string[] = [];
  const group = (over: RunLimitSubject[], what: (s: RunLimitSubject) => string, tail: string): void => {
    if (over.length === 0) return;
    if (over.length <= 3) {
      for (const s of over) out.push(`${what(s)}: ${tail}`);
      return;
    }
    const longest = over.reduce((a, b) => (b.tokens > a.tokens ? b : a));
    out.push(`${over.length} of ${subjects.length} prompts are over it, the longest ${what(longest)}: ${tail}`);
  };
  if (maxInput) {
    const over = subjects.filter((s) => s.tokens > maxInput.tokens);
    group(over, (s) => `${s.label} is ${fmt(s.tokens)} input tokens, over the ${fmt(maxInput.tokens)}-token input limit (${maxInput.text})`, 'the server will reject it');
  }
  if (window) {
    const over = subjects.filter((s) => s.tokens > window.tokens && !(maxInput && s.tokens > maxInput.tokens));
    group(over, (s) => `${s.label} is ${fmt(s.tokens)} tokens, over the ${fmt(window.tokens)}-token context window (${window.text})`, 'the server will reject it (records say context_exceeded)');
    const tight = subjects.filter((s) => s.tokens <= window.tokens && s.maxTokens !== undefined && s.tokens + s.maxTokens > window.tokens);
    group(
      tight,
      (s) => `${s.label}: ${fmt(s.tokens)} input + ${fmt(s.maxTokens!)} max_tokens = ${fmt(s.tokens + s.maxTokens!)}, over the ${fmt(window.tokens)}-token context window (${window.text})`,
      'generation may be cut short or refused',
    );
  }
  return out;
}
