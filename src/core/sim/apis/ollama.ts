/**
 * Ollama chat (`POST /api/chat`): NDJSON, one JSON object per line, `message.thinking` for thinking
 * and `message.content` for the answer, then a final `done: true` record with done_reason,
 * prompt_eval_count, eval_count and durations in nanoseconds. `stream` defaults to true.
 * Ollama sends no keep-alives; errors are `{"error": "..."}`.
 */
import type { Chunk, Generation } from '../generation';
import {
  contentText,
  isRecord,
  isoNow,
  type FinishSummary,
  type ParsedRequest,
  type ResponseContext,
  type SimApi,
  type StreamEncoder,
} from './types';

function parse(body: unknown): ParsedRequest {
  if (!isRecord(body)) return { error: 'request body must be a JSON object' };
  if (typeof body.model !== 'string' || body.model === '') return { error: 'model is required' };
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return { error: 'messages is required and must be a non-empty array' };
  const texts: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m) || typeof m.role !== 'string') return { error: `messages[${i}] must be an object with a string role` };
    texts.push(contentText(m.content));
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return { error: 'stream must be a boolean' };
  const options = isRecord(body.options) ? body.options : {};
  const numPredict = options.num_predict;
  if (numPredict !== undefined && (typeof numPredict !== 'number' || !Number.isInteger(numPredict))) {
    return { error: 'options.num_predict must be an integer' };
  }
  const seed = options.seed;
  return {
    request: {
      model: body.model,
      promptText: texts.join('\n'),
      // Ollama: -1 means no limit.
      maxTokens: typeof numPredict === 'number' && numPredict > 0 ? numPredict : undefined,
      stream: body.stream !== false,
      includeUsage: true,
      seed: typeof seed === 'number' && Number.isInteger(seed) ? seed : undefined,
      thinking: body.think !== false,
    },
  };
}

const ns = (ms: number): number => Math.round(ms * 1e6);

function doneRecord(s: FinishSummary): Record<string, unknown> {
  return {
    done_reason: s.finishReason,
    done: true,
    total_duration: ns(s.totalMs),
    load_duration: 0,
    // Ollama counts only the prompt tokens it evaluated: a reused prefix is left out.
    prompt_eval_count: s.promptTokens - s.cachedTokens,
    prompt_eval_duration: ns(s.prefillMs),
    eval_count: s.completionTokens,
    eval_duration: ns(s.decodeMs),
  };
}

function encoder(ctx: ResponseContext): StreamEncoder {
  const line = (value: unknown): string => JSON.stringify(value) + '\n';
  return {
    start: () => [],
    keepAlive: () => undefined,
    chunk(c: Chunk) {
      const message = c.phase === 'thinking' ? { role: 'assistant', content: '', thinking: c.text } : { role: 'assistant', content: c.text };
      return [line({ model: ctx.model, created_at: isoNow(), message, done: false })];
    },
    finish: (s) => [line({ model: ctx.model, created_at: isoNow(), message: { role: 'assistant', content: '' }, ...doneRecord(s) })],
    streamError: (message) => [line({ error: message })],
    garbage: () => ['{"model":"' + ctx.model + '","message":\u0000<<not json>>\n'],
  };
}

function completeBody(ctx: ResponseContext, gen: Generation, s: FinishSummary): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: gen.answerText };
  if (gen.thinkingTokens > 0) message.thinking = gen.thinkingText;
  return { model: ctx.model, created_at: isoNow(), message, ...doneRecord(s) };
}

export const ollama: SimApi = {
  name: 'ollama',
  idPrefix: 'ollama-sim-',
  streamContentType: 'application/x-ndjson',
  parse,
  thinkTags: () => false,
  errorBody: (_status, message) => ({ error: message }),
  encoder,
  completeBody,
};
