/**
 * Anthropic Messages (`POST /v1/messages`): SSE with `event:` lines: message_start, ping
 * keep-alives, a `thinking` content block (thinking_delta, then signature_delta), a `text` block
 * (text_delta), content_block_stop for each, message_delta with stop_reason and usage, and
 * message_stop. Errors use `{"type":"error","error":{"type","message"}}`.
 */
import type { Chunk, Generation } from '../generation';
import { hashString } from '../random';
import { sseEvent } from './frames';
import { contentText, isRecord, messageTexts, offeredTool, optionalPositiveInt } from './request-fields';
import type { FinishSummary, ParsedRequest, ResponseContext, SimApi, StreamEncoder } from './types';

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function errorBody(status: number, message: string): unknown {
  return { type: 'error', error: { type: errorType(status), message } };
}

function parse(body: unknown): ParsedRequest {
  if (!isRecord(body)) return { error: 'request body must be a JSON object' };
  const messages = body.messages;
  if (messages === undefined) return { error: 'messages: Field required' };
  if (!Array.isArray(messages) || messages.length === 0) return { error: 'messages: must be a non-empty array' };
  const texts = messageTexts(messages);
  if (typeof texts === 'number') return { error: `messages.${texts}: must be an object with a string 'role'` };
  if (body.max_tokens === undefined) return { error: 'max_tokens: Field required' };
  const maxTokens = optionalPositiveInt(body, 'max_tokens');
  if (typeof maxTokens === 'string') return { error: maxTokens };
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return { error: 'stream: must be a boolean' };
  const thinking = isRecord(body.thinking) ? body.thinking : undefined;
  if (body.tools !== undefined && !Array.isArray(body.tools)) return { error: 'tools: must be an array' };
  const choice = isRecord(body.tool_choice) ? body.tool_choice : undefined;
  const tool =
    choice?.type === 'tool' && typeof choice.name === 'string'
      ? choice.name
      : offeredTool(body.tools, (t) => t.name, choice?.type === 'none');
  return {
    request: {
      model: typeof body.model === 'string' ? body.model : undefined,
      promptText: [contentText(body.system), ...texts].filter((t) => t !== '').join('\n'),
      maxTokens,
      stream: body.stream === true,
      includeUsage: true,
      thinking: thinking?.type !== 'disabled',
      tool,
    },
  };
}

/** Anthropic counts cached input apart: input_tokens is only the uncached part. */
function inputUsage(promptTokens: number, cachedTokens: number): Record<string, number> {
  return { input_tokens: promptTokens - cachedTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: cachedTokens };
}

const stopReason = (s: FinishSummary): string =>
  s.finishReason === 'length' ? 'max_tokens' : s.finishReason === 'tool_calls' ? 'tool_use' : 'end_turn';
const toolUseId = (ctx: ResponseContext): string => `toolu_${ctx.id.replace(/^msg_/, '')}`;

/** The tool input as an object; {} when the arguments were cut short. */
function toolInput(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return {};
  }
}
const signature = (ctx: ResponseContext, text: string): string =>
  Buffer.from(`sim-signature:${ctx.id}:${hashString(text).toString(16)}`).toString('base64');

function encoder(ctx: ResponseContext): StreamEncoder {
  let index = -1;
  let open: 'thinking' | 'text' | 'tool_use' | undefined;
  let thinking = '';
  const closeBlock = (): string[] => {
    if (!open) return [];
    const frames: string[] = [];
    if (open === 'thinking') {
      frames.push(sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: signature(ctx, thinking) } }));
    }
    frames.push(sseEvent('content_block_stop', { type: 'content_block_stop', index }));
    open = undefined;
    return frames;
  };
  const openBlock = (type: 'thinking' | 'text' | 'tool_use'): string[] => {
    const frames = closeBlock();
    index++;
    open = type;
    const block =
      type === 'thinking'
        ? { type: 'thinking', thinking: '', signature: '' }
        : type === 'tool_use'
          ? { type: 'tool_use', id: toolUseId(ctx), name: ctx.request.tool, input: {} }
          : { type: 'text', text: '' };
    frames.push(sseEvent('content_block_start', { type: 'content_block_start', index, content_block: block }));
    return frames;
  };
  return {
    start: () => [
      sseEvent('message_start', {
        type: 'message_start',
        message: {
          id: ctx.id,
          type: 'message',
          role: 'assistant',
          model: ctx.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...inputUsage(ctx.promptTokens, ctx.cachedTokens), output_tokens: 1 },
        },
      }),
    ],
    keepAlive: () => 'event: ping\ndata: {"type": "ping"}\n\n',
    chunk(c: Chunk) {
      const type = c.phase === 'thinking' ? 'thinking' : c.phase === 'tool' ? 'tool_use' : 'text';
      const frames = open === type ? [] : openBlock(type);
      if (type === 'tool_use') {
        frames.push(sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: c.text } }));
      } else if (type === 'thinking') {
        thinking += c.text;
        frames.push(sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: c.text } }));
      } else {
        frames.push(sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: c.text } }));
      }
      return frames;
    },
    finish(s) {
      return [
        ...closeBlock(),
        sseEvent('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: stopReason(s), stop_sequence: null },
          usage: { ...inputUsage(s.promptTokens, s.cachedTokens), output_tokens: s.completionTokens },
        }),
        sseEvent('message_stop', { type: 'message_stop' }),
      ];
    },
    streamError: (message) => [sseEvent('error', { type: 'error', error: { type: 'overloaded_error', message } })],
    garbage: () => ['event: content_block_delta\ndata: {"type":"content_block_delta","index":\u0000<<not json>>\n\n'],
  };
}

function completeBody(ctx: ResponseContext, gen: Generation, s: FinishSummary): unknown {
  const content: unknown[] = [];
  if (gen.thinkingTokens > 0) content.push({ type: 'thinking', thinking: gen.thinkingText, signature: signature(ctx, gen.thinkingText) });
  if (gen.answerTokens > 0) content.push({ type: 'text', text: gen.answerText });
  if (gen.toolName) content.push({ type: 'tool_use', id: toolUseId(ctx), name: gen.toolName, input: toolInput(gen.toolArguments) });
  return {
    id: ctx.id,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stopReason(s),
    stop_sequence: null,
    usage: { ...inputUsage(s.promptTokens, s.cachedTokens), output_tokens: s.completionTokens },
  };
}

export const anthropic: SimApi = {
  name: 'anthropic',
  idPrefix: 'msg_sim',
  streamContentType: 'text/event-stream; charset=utf-8',
  parse,
  thinkTags: () => false,
  errorBody,
  encoder,
  completeBody,
};
