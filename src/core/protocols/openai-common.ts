/**
 * Pieces the OpenAI-compatible adapters share: usage objects in their several spellings, reasoning
 * text in its several fields, content parts, and sampling parameters.
 */
import type { RequestParams } from '../scenario/plan';
import { isObject, nonEmptyString } from './adapter';
import type { Usage } from './types';
import { completionWithReasoning } from './usage-convention';

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Reads a usage object: Chat/Completions (`prompt_tokens`, `completion_tokens`,
 * `completion_tokens_details.reasoning_tokens`, `prompt_tokens_details.cached_tokens`) and
 * Responses/Anthropic (`input_tokens`, `output_tokens`, `output_tokens_details.reasoning_tokens` or
 * `.thinking_tokens`, `input_tokens_details.cached_tokens`, `cache_read_input_tokens`), DeepSeek's
 * `prompt_cache_hit_tokens`. `completion_tokens` comes out counting the reasoning tokens whatever
 * the server's convention (`total_tokens`, or else `answerChunks`, the answer packets with text
 * seen so far, tells it: see usage-convention.ts).
 */
export function readUsage(u: unknown, answerChunks = 0): Usage {
  const out: Usage = {};
  if (!isObject(u)) return out;
  const prompt = num(u.prompt_tokens) ?? num(u.input_tokens);
  const completion = num(u.completion_tokens) ?? num(u.output_tokens);
  const cDetails = isObject(u.completion_tokens_details) ? u.completion_tokens_details : isObject(u.output_tokens_details) ? u.output_tokens_details : undefined;
  const pDetails = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : isObject(u.input_tokens_details) ? u.input_tokens_details : undefined;
  const reasoning = num(cDetails?.reasoning_tokens) ?? num(cDetails?.thinking_tokens) ?? num(u.reasoning_tokens);
  const cached = num(pDetails?.cached_tokens) ?? num(u.cache_read_input_tokens) ?? num(u.cached_tokens) ?? num(u.prompt_cache_hit_tokens);
  const total = num(u.total_tokens);
  if (prompt !== undefined) out.prompt_tokens = prompt;
  if (completion !== undefined) {
    // completion_tokens always counts the reasoning tokens, whatever the server's convention
    const c = completionWithReasoning(prompt, completion, reasoning, total, answerChunks);
    out.completion_tokens = c.completion;
    if (c.reasoning !== undefined) out.reasoning_tokens = c.reasoning;
  } else if (reasoning !== undefined) out.reasoning_tokens = reasoning;
  if (cached !== undefined) out.cached_tokens = cached;
  return out;
}

/**
 * Reasoning text of a chat delta or message: `reasoning_content` (vLLM, SGLang, DeepSeek),
 * `reasoning` (vLLM >= 0.10, OpenRouter, Ollama's OpenAI API), or the text/summary entries of
 * `reasoning_details` (OpenRouter). The first field present wins, so a server that sends the same
 * text twice under two names is not counted twice.
 */
export function reasoningText(delta: Record<string, unknown>): string {
  if (nonEmptyString(delta.reasoning_content)) return delta.reasoning_content;
  if (nonEmptyString(delta.reasoning)) return delta.reasoning;
  if (Array.isArray(delta.reasoning_details)) {
    let text = '';
    for (const d of delta.reasoning_details) {
      if (!isObject(d)) continue;
      if (typeof d.text === 'string') text += d.text;
      else if (typeof d.summary === 'string') text += d.summary;
    }
    return text;
  }
  return '';
}

/** Text of one content part, or of a Mistral thinking part's `thinking` list: `{"type":"text","text"}` or a string. */
function partText(p: unknown): string {
  if (typeof p === 'string') return p;
  if (isObject(p) && (p.type === 'text' || p.type === undefined) && typeof p.text === 'string') return p.text;
  return '';
}

/**
 * Calls `fn` for the text of each part of a content array, in order, adjacent parts of one kind
 * joined: Mistral's `{"type":"thinking","thinking":[{"type":"text","text"}…]}` is thinking, a
 * `{"type":"text","text"}` part (or a bare string) is answer; images, references and unknown
 * parts carry no output text.
 */
export function forEachContentPart(parts: readonly unknown[], fn: (kind: 'thinking' | 'answer', text: string) => void): void {
  let kind: 'thinking' | 'answer' | undefined;
  let text = '';
  for (const p of parts) {
    let k: 'thinking' | 'answer';
    let t: string;
    if (isObject(p) && p.type === 'thinking') {
      k = 'thinking';
      t = Array.isArray(p.thinking) ? p.thinking.map(partText).join('') : typeof p.thinking === 'string' ? p.thinking : '';
    } else {
      k = 'answer';
      t = partText(p);
    }
    if (t.length === 0) continue;
    if (kind !== undefined && k !== kind) {
      fn(kind, text);
      text = '';
    }
    kind = k;
    text += t;
  }
  if (kind !== undefined) fn(kind, text);
}

/** The sampling parameters that were given, under their OpenAI names. */
export function samplingParams(p: RequestParams, maxTokensName = 'max_tokens'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.max_tokens !== undefined) out[maxTokensName] = p.max_tokens;
  if (p.temperature !== undefined) out.temperature = p.temperature;
  if (p.top_p !== undefined) out.top_p = p.top_p;
  if (p.stop !== undefined) out.stop = p.stop;
  if (p.seed !== undefined) out.seed = p.seed;
  return out;
}
