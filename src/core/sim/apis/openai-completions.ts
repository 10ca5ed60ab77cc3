/**
 * OpenAI (legacy) Completions (`POST /v1/completions`): `text_completion` SSE chunks with
 * `choices[].text`, a finish chunk, an optional usage chunk, and `data: [DONE]`. Raw text has no
 * reasoning field, so thinking comes as `<think>`…`</think>` inside the text.
 */
import type { Chunk, Generation } from '../generation';
import { sseData } from './frames';
import { openAiCommon, openAiError, openAiStreamEnd, openAiStreamError, openAiUsage } from './openai-common';
import { isRecord, optionalPositiveInt } from './request-fields';
import type { FinishSummary, ParsedRequest, ResponseContext, SimApi, StreamEncoder } from './types';

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
  const common = openAiCommon(body);
  if (typeof common === 'string') return { error: common };
  return { request: { ...common, promptText: text, maxTokens, thinking: true } };
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
    finish: (s) => [frame('', s.finishReason), ...openAiStreamEnd(ctx, head, s)],
    streamError: openAiStreamError,
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
