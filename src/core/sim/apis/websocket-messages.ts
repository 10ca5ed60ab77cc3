/**
 * The simulator's WebSocket message format (`ws://HOST:PORT/v1/ws`), for testing the generic
 * `websocket` adapter. The client sends one JSON text message per request, with the fields of an
 * openai-chat request (`messages`, `max_tokens`, `model`, `seed`) plus optional `request_id` (echoed
 * in every reply) and `fault` (like the fault header). The server replies with JSON text messages,
 * each with a distinct field per kind so plain JSON paths can map them:
 *   {"id","event":"start","model"}            once, at once
 *   {"id","event":"ping"}                      keep-alive while waiting for the first token
 *   {"id","event":"delta","thinking":"..."}    thinking text
 *   {"id","event":"delta","answer":"..."}      answer text
 *   {"id","event":"done","done":true,"finish_reason","usage":{prompt_tokens,completion_tokens,reasoning_tokens}}
 *   {"id","event":"error","error":{"message","type","code"}}
 */
import type { Chunk, Generation } from '../generation';
import { openAiChat } from './openai-chat';
import {
  isRecord,
  type FinishSummary,
  type ParsedRequest,
  type ResponseContext,
  type SimApi,
  type StreamEncoder,
} from './types';

/** Parses a request message; also returns its `request_id` and `fault`, which are not part of SimRequest. */
export function parseWsRequest(body: unknown): ParsedRequest & { requestId?: string; fault?: string } {
  const parsed = openAiChat.parse(body);
  if (!parsed.request || !isRecord(body)) return parsed;
  return {
    request: { ...parsed.request, stream: true, includeUsage: true },
    requestId: typeof body.request_id === 'string' ? body.request_id : undefined,
    fault: typeof body.fault === 'string' ? body.fault : undefined,
  };
}

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function wsErrorMessage(status: number, message: string, id?: string, requestId?: string): string {
  return JSON.stringify({
    ...(id ? { id } : {}),
    ...(requestId ? { request_id: requestId } : {}),
    event: 'error',
    error: { message, type: errorType(status), code: status },
  });
}

function encoderFor(requestId: string | undefined) {
  return (ctx: ResponseContext): StreamEncoder => {
    const head = { id: ctx.id, ...(requestId ? { request_id: requestId } : {}) };
    const msg = (fields: Record<string, unknown>): string => JSON.stringify({ ...head, ...fields });
    return {
      start: () => [msg({ event: 'start', model: ctx.model })],
      keepAlive: () => msg({ event: 'ping' }),
      chunk: (c: Chunk) => [msg(c.phase === 'thinking' ? { event: 'delta', thinking: c.text } : { event: 'delta', answer: c.text })],
      finish: (s: FinishSummary) => [
        msg({
          event: 'done',
          done: true,
          finish_reason: s.finishReason,
          usage: { prompt_tokens: s.promptTokens, completion_tokens: s.completionTokens, reasoning_tokens: s.reasoningTokens },
        }),
      ],
      streamError: (message) => [msg({ event: 'error', error: { message, type: 'server_error', code: 500 } })],
      garbage: () => [`{"id":"${ctx.id}","event":"delta","answer":\u0000<<not json>>`],
    };
  };
}

/** The WebSocket format as a SimApi (for planning and encoding); one per request because of `request_id`. */
export function websocketApi(requestId: string | undefined): SimApi {
  return {
    name: 'websocket',
    idPrefix: 'ws-sim-',
    streamContentType: 'application/json',
    parse: parseWsRequest,
    thinkTags: () => false,
    errorBody: (status, message) => JSON.parse(wsErrorMessage(status, message)),
    encoder: encoderFor(requestId),
    completeBody: (_ctx: ResponseContext, _gen: Generation) => {
      throw new Error('the WebSocket endpoint only streams');
    },
  };
}
