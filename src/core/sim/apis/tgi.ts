/**
 * Hugging Face TGI (`POST /generate_stream`, and `POST /generate` without streaming): SSE written
 * as `data:{json}` (no space, as TGI's server writes it), one event per token with
 * `token: {id, text, logprob, special}`; the last token's event also carries `generated_text` and
 * `details` {finish_reason, generated_tokens, input_length, seed}. TGI returns raw text, so thinking
 * comes as `<think>`…`</think>` inside it. Errors are `{"error": "...", "error_type": "..."}`.
 */
import type { Chunk, Generation } from '../generation';
import { hashString } from '../random';
import { isRecord } from './request-fields';
import type { FinishSummary, ParsedRequest, ResponseContext, SimApi, StreamEncoder } from './types';

const tgiFinish = (s: FinishSummary): string => (s.finishReason === 'length' ? 'length' : 'eos_token');
const data = (value: unknown): string => `data:${JSON.stringify(value)}\n\n`;

function token(text: string, special = false): Record<string, unknown> {
  const h = hashString(text);
  return { id: special ? 2 : 3 + (h % 32000), text, logprob: -((h % 2000) / 1000), special };
}

function parseWith(stream: boolean) {
  return (body: unknown): ParsedRequest => {
    if (!isRecord(body)) return { error: 'request body must be a JSON object' };
    if (typeof body.inputs !== 'string') return { error: 'inputs must be a string' };
    if (body.inputs === '') return { error: 'Input validation error: `inputs` cannot be empty' };
    const params = body.parameters === undefined ? {} : body.parameters;
    if (!isRecord(params)) return { error: 'parameters must be an object' };
    const max = params.max_new_tokens;
    if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
      return { error: 'Input validation error: `max_new_tokens` must be strictly positive' };
    }
    const seed = params.seed;
    return {
      request: {
        promptText: body.inputs,
        maxTokens: typeof max === 'number' ? max : undefined,
        stream,
        includeUsage: true,
        seed: typeof seed === 'number' && Number.isInteger(seed) ? seed : undefined,
        thinking: true,
      },
    };
  };
}

function details(s: FinishSummary): Record<string, unknown> {
  return { finish_reason: tgiFinish(s), generated_tokens: s.completionTokens, input_length: s.promptTokens, seed: null };
}

function encoder(_ctx: ResponseContext): StreamEncoder {
  let index = 0;
  let generated = '';
  let finalSent = false;
  return {
    start: () => [],
    keepAlive: () => ':\n\n',
    chunk(c: Chunk, final?: FinishSummary) {
      index++;
      generated += c.text;
      if (final) {
        finalSent = true;
        return [data({ index, token: token(c.text), generated_text: generated, details: details(final) })];
      }
      return [data({ index, token: token(c.text), generated_text: null, details: null })];
    },
    finish(s) {
      if (finalSent) return [];
      // No output chunk carried the end (no output at all, or a fault came after the last one): an end-of-sequence token does.
      index++;
      return [data({ index, token: token('</s>', true), generated_text: generated, details: details(s) })];
    },
    streamError: (message) => [data({ error: message, error_type: 'generation' })],
    garbage: () => ['data:{"index":1,"token":\u0000<<not json>>\n\n'],
  };
}

function completeBody(_ctx: ResponseContext, gen: Generation, s: FinishSummary): unknown {
  return { generated_text: gen.thinkingText + gen.answerText, details: details(s) };
}

const base = {
  idPrefix: 'tgi-sim-',
  streamContentType: 'text/event-stream',
  thinkTags: () => true,
  errorBody: (status: number, message: string) => ({ error: message, error_type: status === 429 ? 'overloaded' : status >= 500 ? 'generation' : 'validation' }),
  encoder,
  completeBody,
};

export const tgiStream: SimApi = { ...base, name: 'tgi', parse: parseWith(true) };
export const tgiGenerate: SimApi = { ...base, name: 'tgi', parse: parseWith(false) };
