/**
 * OpenAI (legacy) Completions (`POST /v1/completions`): `text_completion` SSE chunks with
 * `choices[].text`, a finish chunk, an optional usage chunk, and `data: [DONE]`. Raw text has no
 * reasoning field, so thinking comes as `<think>`…`</think>` inside the text.
 */
import type { Chunk, Generation } from '../generation';
import { openAiError, openAiStreamOptions, openAiUsage } from './openai-chat';
import {
  isRecord,
  optionalPositiveInt,
  sseData,
  type FinishSummary,
  type ParsedRequest,
  type ResponseContext,
  type SimApi,
  type StreamEncoder,
} from './types';

function promptText(prompt: unknown): string | undefined {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt) && prompt.length > 0) {
    if (prompt.every((p) => typeof p === 'string')) return prompt.join('\n');
    // Token ids: count each as 4 characters so the estimate gives one token per id.
    if (prompt.every((p) => typeof p === 'number')) return 'x'.repeat(prompt.length * 4);
  }
  return undefined;
}

function parse(body: unknown): ParsedRequest {
  if (!isRecord(body)) return { error: 'request body must be a JSON object' };
  if (body.prompt === undefined) return { error: "'prompt' is a required property" };
  const text = promptText(body.prompt);
  if (text === undefined) return { error: "'prompt' must be a string, an array of strings or an array of token ids" };
  const maxTokens = optionalPositiveInt(body, 'max_tokens');
  if (typeof maxTokens === 'string') return { error: maxTokens };
  const so = openAiStreamOptions(body);
  if (typeof so === 'string') return { error: so };
  return {
    request: {
      model: typeof body.model === 'string' ? body.model : undefined,
      promptText: text,
      maxTokens,
      stream: so.stream,
      includeUsage: so.includeUsage,
      seed: so.seed,
      thinking: true,
    },
  };
}

function encoder(ctx: ResponseContext): StreamEncoder {
  const head = { id: ctx.id, object: 'text_completion', created: ctx.created, model: ctx.model };
  const usageNull = ctx.request.includeUsage ? { usage: null } : {};
  const frame = (text: string, finishReason: string | null = null): string =>
    sseData({ ...head, choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }], ...usageNull });
  return {
    start: () => [],
    keepAlive: () => ': keep-alive\n\n',
    chunk: (c: Chunk) => [frame(c.text)],
    finish(s) {
      const frames = [frame('', s.finishReason)];
      if (ctx.request.includeUsage) frames.push(sseData({ ...head, choices: [], usage: openAiUsage(s) }));
      frames.push('data: [DONE]\n\n');
      return frames;
    },
    streamError: (message) => [sseData({ error: { message, type: 'server_error', param: null, code: 'internal_error' } }), 'data: [DONE]\n\n'],
    garbage: () => [`data: {"id":"${ctx.id}","choices":[{"text":"\u0000<<not json>>\n\n`],
  };
}

function completeBody(ctx: ResponseContext, gen: Generation, s: FinishSummary): unknown {
  return {
    id: ctx.id,
    object: 'text_completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, text: gen.thinkingText + gen.answerText, logprobs: null, finish_reason: s.finishReason }],
    usage: openAiUsage(s),
  };
}

export const openAiCompletions: SimApi = {
  name: 'openai-completions',
  idPrefix: 'cmpl-sim-',
  streamContentType: 'text/event-stream; charset=utf-8',
  parse,
  thinkTags: () => true,
  errorBody: openAiError,
  encoder,
  completeBody,
};
