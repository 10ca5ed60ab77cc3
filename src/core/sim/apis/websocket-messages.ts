/**
 * The simulator's WebSocket message formats (`ws://HOST:PORT/v1/ws`). The client sends one JSON
 * text message per request, with the fields of an openai-chat request (`messages`, `max_tokens`,
 * `model`, `seed`, `stream_options`) plus optional `request_id` (echoed in every reply), `fault`
 * (like the fault header) and `llmload_sim: {fault, reasoning_format, ws_format}`.
 *
 * `ws_format: "openai"` (the default, what a generic WebSocket client maps by default): each reply
 * is an openai-chat `chat.completion.chunk` object as a text message (role chunk, thinking and answer
 * deltas, finish chunk, usage chunk), then the text message `[DONE]`; no keep-alives; errors as
 * `{"error": {...}}`.
 *
 * `ws_format: "fields"`: one distinct field per packet kind, so plain JSON paths can map them:
 *   {"id","event":"start","model"}            once, at once
 *   {"id","event":"ping"}                      keep-alive while waiting for the first token
 *   {"id","event":"delta","thinking":"..."}    thinking text
 *   {"id","event":"delta","answer":"..."}      answer text
 *   {"id","event":"done","done":true,"finish_reason","usage":{prompt_tokens,completion_tokens,reasoning_tokens}}
 *   {"id","event":"error","error":{"message","type","code"}}
 */
import type { Chunk, Generation } from '../generation';
import { openAiChat } from './openai-chat';
import { isRecord } from './request-fields';
import type { FinishSummary, ParsedRequest, ResponseContext, SimApi, StreamEncoder } from './types';

export type WsFormat = 'openai' | 'fields';

export interface WsRequest extends ParsedRequest {
  requestId?: string;
  fault?: string;
  reasoningFormat?: string;
  format: WsFormat;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Parses a request message, with the WebSocket-only options that are not part of SimRequest. */
export function parseWsRequest(body: unknown): WsRequest {
  const parsed = openAiChat.parse(body);
  const record = isRecord(body) ? body : {};
  const options = isRecord(record.llmload_sim) ? record.llmload_sim : {};
  const requestId = str(record.request_id);
  const format = str(options.ws_format) ?? 'openai';
  if (format !== 'openai' && format !== 'fields') return { error: 'llmload_sim.ws_format must be openai or fields', requestId, format: 'openai' };
  if (!parsed.request) return { ...parsed, requestId, format };
  return {
    // A WebSocket reply always streams, and the openai format always ends with a usage chunk.
    request: { ...parsed.request, stream: true, includeUsage: true },
    requestId,
    fault: str(record.fault) ?? str(options.fault),
    reasoningFormat: str(options.reasoning_format),
    format,
  };
}

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function wsErrorMessage(format: WsFormat, status: number, message: string, id?: string, requestId?: string): string {
  return JSON.stringify({
    ...(id ? { id } : {}),
    ...(requestId ? { request_id: requestId } : {}),
    ...(format === 'fields' ? { event: 'error' } : {}),
    error: { message, type: errorType(status), code: status },
  });
}

/** The openai-chat SSE encoder with the SSE framing taken off: each `data:` payload becomes a message, comments are dropped. */
function openAiEncoderFor(requestId: string | undefined) {
  return (ctx: ResponseContext): StreamEncoder => {
    const sse = openAiChat.encoder(ctx);
    const unwrap = (frames: string[]): string[] =>
      frames
        .filter((f) => f.startsWith('data: '))
        .map((f) => {
          const payload = f.slice(6, -2);
          if (!requestId || !payload.startsWith('{')) return payload;
          try {
            return JSON.stringify({ ...JSON.parse(payload), request_id: requestId });
          } catch {
            return payload;
          }
        });
    return {
      start: () => unwrap(sse.start()),
      keepAlive: () => undefined,
      chunk: (c, final) => unwrap(sse.chunk(c, final)),
      finish: (s) => unwrap(sse.finish(s)),
      streamError: (message) => unwrap(sse.streamError(message)).filter((m) => m !== '[DONE]'),
      garbage: () => unwrap(sse.garbage()),
    };
  };
}

function fieldsEncoderFor(requestId: string | undefined) {
  return (ctx: ResponseContext): StreamEncoder => {
    const head = { id: ctx.id, ...(requestId ? { request_id: requestId } : {}) };
    const msg = (fields: Record<string, unknown>): string => JSON.stringify({ ...head, ...fields });
    return {
      start: () => [msg({ event: 'start', model: ctx.model })],
      keepAlive: () => msg({ event: 'ping' }),
      chunk: (c: Chunk) => [
        msg(
          c.phase === 'thinking'
            ? { event: 'delta', thinking: c.text }
            : c.phase === 'tool'
              ? { event: 'delta', tool_call: { name: ctx.request.tool, arguments: c.text } }
              : { event: 'delta', answer: c.text },
        ),
      ],
      finish: (s: FinishSummary) => [
        msg({
          event: 'done',
          done: true,
          finish_reason: s.finishReason,
          usage: { prompt_tokens: s.promptTokens, cached_tokens: s.cachedTokens, completion_tokens: s.completionTokens, reasoning_tokens: s.reasoningTokens },
        }),
      ],
      streamError: (message) => [msg({ event: 'error', error: { message, type: 'server_error', code: 500 } })],
      garbage: () => [`{"id":"${ctx.id}","event":"delta","answer":\u0000<<not json>>`],
    };
  };
}

/** The WebSocket format as a SimApi (for planning and encoding); one per request because of `request_id`. */
export function websocketApi(requestId: string | undefined, format: WsFormat): SimApi {
  return {
    name: 'websocket',
    idPrefix: 'ws-sim-',
    streamContentType: 'application/json',
    parse: parseWsRequest,
    thinkTags: () => false,
    errorBody: (status, message) => JSON.parse(wsErrorMessage(format, status, message)),
    encoder: format === 'fields' ? fieldsEncoderFor(requestId) : openAiEncoderFor(requestId),
    completeBody: (_ctx: ResponseContext, _gen: Generation) => {
      throw new Error('the WebSocket endpoint only streams');
    },
  };
}
