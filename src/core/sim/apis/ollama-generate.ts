/**
 * Ollama generate (`POST /api/generate`): a raw prompt (with an optional `system`) instead of
 * messages; NDJSON records carry the answer in `response` and the thinking in `thinking`, then a
 * final `done: true` record with the same counts and durations as /api/chat. `stream` defaults to
 * true; errors are `{"error": "..."}`.
 */
import type { Chunk, Generation } from '../generation';
import { isoNow, ndjsonLine as line } from './frames';
import { doneRecord, ollamaApi, ollamaCommon, ollamaStreamError } from './ollama-common';
import { isRecord } from './request-fields';
import type { FinishSummary, ParsedRequest, ResponseContext, StreamEncoder } from './types';

function parse(body: unknown): ParsedRequest {
  if (!isRecord(body)) return { error: 'request body must be a JSON object' };
  if (typeof body.model !== 'string' || body.model === '') return { error: 'model is required' };
  if (typeof body.prompt !== 'string') return { error: 'prompt is required and must be a string' };
  if (body.system !== undefined && typeof body.system !== 'string') return { error: 'system must be a string' };
  const common = ollamaCommon(body);
  if (typeof common === 'string') return { error: common };
  const texts = typeof body.system === 'string' && body.system !== '' ? [body.system, body.prompt] : [body.prompt];
  return { request: { model: body.model, promptText: texts.join('\n'), ...common } };
}

function encoder(ctx: ResponseContext): StreamEncoder {
  const record = (fields: Record<string, unknown>): string => line({ model: ctx.model, created_at: isoNow(), ...fields });
  return {
    start: () => [],
    keepAlive: () => undefined,
    chunk: (c: Chunk) => [c.phase === 'thinking' ? record({ response: '', thinking: c.text, done: false }) : record({ response: c.text, done: false })],
    finish: (s: FinishSummary) => [record({ response: '', ...doneRecord(s) })],
    streamError: ollamaStreamError,
    garbage: () => ['{"model":"' + ctx.model + '","response":\u0000<<not json>>\n'],
  };
}

function completeBody(ctx: ResponseContext, gen: Generation, s: FinishSummary): unknown {
  const thinking = gen.thinkingTokens > 0 ? { thinking: gen.thinkingText } : {};
  return { model: ctx.model, created_at: isoNow(), response: gen.answerText, ...thinking, ...doneRecord(s) };
}

export const ollamaGenerate = ollamaApi({ parse, encoder, completeBody });
