/**
 * What a failed HTTP response means: its status and body become one error kind. A prompt longer
 * than the server's context is `context_exceeded` whatever the engine's wording (the table below,
 * one row per engine, each from the engine's own messages); a redirect is `redirect` with its
 * location (POSTs are not followed: the body would be re-sent to a place the scenario never named);
 * 429 is `http_429`, other 5xx `http_5xx`, the rest `http_4xx`.
 */
import type { ErrorKind } from './types';

export interface HttpFailure {
  kind: ErrorKind;
  message: string;
}

/**
 * How each engine says "the prompt does not fit the context", matched against the error body
 * (case-insensitive). Every row is an engine's own wording; the test table holds a real body each.
 */
export const CONTEXT_EXCEEDED_PATTERNS: ReadonlyArray<{ engine: string; pattern: RegExp }> = [
  // llama.cpp server: type exceed_context_size_error, "request (5008 tokens) exceeds the available context size (4096 tokens)"
  { engine: 'llama.cpp', pattern: /exceed_context_size_error|exceeds the available context size/i },
  // OpenAI: code context_length_exceeded; vLLM and OpenAI: "This model's maximum context length is N tokens"
  { engine: 'OpenAI', pattern: /context_length_exceeded|maximum context length is \d+/i },
  // OpenAI Responses API: "Your input exceeds the context window of this model"
  { engine: 'OpenAI Responses', pattern: /exceeds the context window/i },
  // vLLM: "The decoder prompt (length N) is longer than the maximum model length of M"
  { engine: 'vLLM', pattern: /longer than the maximum model length/i },
  // SGLang and Together: "The input (N tokens) is longer than the model's context length (M tokens)"
  { engine: 'SGLang', pattern: /longer than the model'?s context length|exceeds the model'?s maximum context length/i },
  // TGI: "Input validation error: `inputs` tokens + `max_new_tokens` must be <= N" / "`inputs` must have less than N tokens"
  { engine: 'TGI', pattern: /`?inputs`? tokens \+ `?max_new_tokens`? must be <=|`?inputs`? must have less than \d+ tokens/i },
  // Anthropic: "prompt is too long: 208656 tokens > 200000 maximum", "input length and `max_tokens` exceed context limit"
  { engine: 'Anthropic', pattern: /prompt is too long|exceed context limit/i },
  // Ollama: "the input length exceeds the context length"
  { engine: 'Ollama', pattern: /input length exceeds the context length/i },
  // Mistral: "Prompt contains N tokens, too large for model with M maximum context length"
  { engine: 'Mistral', pattern: /too large for model with \d+ maximum context length/i },
];

/** The engine whose context-exceeded wording `text` matches, or undefined. */
export function contextExceededEngine(text: string): string | undefined {
  if (text.length === 0) return undefined;
  for (const row of CONTEXT_EXCEEDED_PATTERNS) if (row.pattern.test(text)) return row.engine;
  return undefined;
}

/** Context-exceeded errors come as 400, 413 or 422 (TGI), or as 500 from some Ollama versions. */
function mayBeContextError(status: number): boolean {
  return status === 400 || status === 413 || status === 422 || status === 500;
}

/**
 * The failure a response with `status` (>= 300) and `body` (its first bytes, as text) stands for.
 * `location` is the redirect target when the server gave one.
 */
export function classifyHttpFailure(status: number, body: string, location?: string): HttpFailure {
  const text = body.trim();
  if (status >= 300 && status < 400) {
    const to = location ? ` to ${location}` : ' without a location';
    return { kind: 'redirect', message: `HTTP ${status}: redirected${to} (not followed: point the target at the final URL)` };
  }
  const message = `HTTP ${status}${text ? `: ${text}` : ''}`;
  if (mayBeContextError(status) && contextExceededEngine(text) !== undefined) return { kind: 'context_exceeded', message };
  if (status === 429) return { kind: 'http_429', message };
  if (status >= 500) return { kind: 'http_5xx', message };
  return { kind: 'http_4xx', message };
}

/** An error event inside a 200 stream: `context_exceeded` when its text says so, else `stream_error`. */
export function streamErrorKind(message: string): ErrorKind {
  return contextExceededEngine(message) !== undefined ? 'context_exceeded' : 'stream_error';
}
