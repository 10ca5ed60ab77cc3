/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`): `chat.completion.chunk` SSE with a role
 * chunk, reasoning deltas (`reasoning_content`, `reasoning`, or `<think>` tags in `content`),
 * content deltas, a finish chunk, an optional usage chunk, and `data: [DONE]`.
 */
import type { Chunk, Generation } from '../generation';
import type { ReasoningFormat, SimProfile } from '../profiles';
import {
  contentText,
  isRecord,
  offeredTool,
  optionalPositiveInt,
  sseData,
  type FinishSummary,
  type ParsedRequest,
  type ResponseContext,
  type SimApi,
  type StreamEncoder,
} from './types';

export function openAiError(status: number, message: string): unknown {
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : status === 404 ? 'not_found_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } };
}

export function openAiUsage(s: FinishSummary): Record<string, unknown> {
  return {
    prompt_tokens: s.promptTokens,
    completion_tokens: s.completionTokens,
    total_tokens: s.promptTokens + s.completionTokens,
    prompt_tokens_details: { cached_tokens: s.cachedTokens },
    completion_tokens_details: { reasoning_tokens: s.reasoningTokens },
  };
}

/** Reads `stream`, `stream_options.include_usage` and `seed`, shared by the OpenAI-style APIs. */
export function openAiStreamOptions(body: Record<string, unknown>): { stream: boolean; includeUsage: boolean; seed?: number } | string {
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') return 'stream must be a boolean';
  const so = body.stream_options;
  if (so !== undefined && so !== null && !isRecord(so)) return 'stream_options must be an object';
  const includeUsage = isRecord(so) && so.include_usage === true;
  const seed = body.seed;
  if (seed !== undefined && seed !== null && (typeof seed !== 'number' || !Number.isInteger(seed))) return 'seed must be an integer';
  return { stream: body.stream === true, includeUsage, seed: typeof seed === 'number' ? seed : undefined };
}

function parse(body: unknown): ParsedRequest {
  if (!isRecord(body)) return { error: 'request body must be a JSON object' };
  const messages = body.messages;
  if (messages === undefined) return { error: "'messages' is a required property" };
  if (!Array.isArray(messages) || messages.length === 0) return { error: "'messages' must be a non-empty array" };
  const texts: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m) || typeof m.role !== 'string') return { error: `messages[${i}] must be an object with a string 'role'` };
    texts.push(contentText(m.content));
  }
  let maxTokens = optionalPositiveInt(body, 'max_completion_tokens');
  if (maxTokens === undefined) maxTokens = optionalPositiveInt(body, 'max_tokens');
  if (typeof maxTokens === 'string') return { error: maxTokens };
  const so = openAiStreamOptions(body);
  if (typeof so === 'string') return { error: so };
  if (body.tools !== undefined && !Array.isArray(body.tools)) return { error: 'tools must be an array' };
  return {
    request: {
      model: typeof body.model === 'string' ? body.model : undefined,
      promptText: texts.join('\n'),
      maxTokens,
      stream: so.stream,
      includeUsage: so.includeUsage,
      seed: so.seed,
      thinking: true,
      tool: chatTool(body),
    },
  };
}

/** The function the model calls: the one `tool_choice` names, else the first of `tools`; none when `tool_choice` is "none". */
export function chatTool(body: Record<string, unknown>): string | undefined {
  const choice = body.tool_choice;
  const fnName = (t: Record<string, unknown>): unknown => (isRecord(t.function) ? t.function.name : t.name);
  if (isRecord(choice)) {
    const named = fnName(choice);
    if (typeof named === 'string' && named !== '') return named;
  }
  return offeredTool(body.tools, fnName, choice === 'none');
}

/** The delta (or message fields) carrying thinking text in each reasoning format (think_tags aside). */
function thinkingDelta(format: ReasoningFormat, text: string): Record<string, unknown> {
  if (format === 'reasoning') return { reasoning: text };
  // OpenRouter's structured field (OpenRouter also repeats the text in `reasoning`; left out here so
  // a client's reasoning_details path is tested on its own).
  if (format === 'reasoning_details') return { reasoning_details: [{ type: 'reasoning.text', text, format: 'unknown', index: 0 }] };
  return { reasoning_content: text };
}

const toolCallId = (ctx: ResponseContext): string => `call_${ctx.id.replace(/[^A-Za-z0-9]/g, '')}`;

function encoder(ctx: ResponseContext): StreamEncoder {
  const format = ctx.profile.reasoning_format;
  const head = { id: ctx.id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model };
  // OpenAI: when usage is requested every chunk carries `usage: null` except the final usage chunk.
  const usageNull = ctx.request.includeUsage ? { usage: null } : {};
  const frame = (delta: Record<string, unknown>, finishReason: string | null = null): string =>
    sseData({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...usageNull });
  let toolStarted = false;
  return {
    start: () => [frame({ role: 'assistant', content: '' })],
    keepAlive: () => ': keep-alive\n\n',
    chunk(c: Chunk) {
      if (c.phase === 'tool') {
        // The first piece names the call; later pieces only extend its arguments.
        const call = toolStarted
          ? { index: 0, function: { arguments: c.text } }
          : { index: 0, id: toolCallId(ctx), type: 'function', function: { name: ctx.request.tool, arguments: c.text } };
        toolStarted = true;
        return [frame({ tool_calls: [call] })];
      }
      if (c.phase === 'answer' || format === 'think_tags') return [frame({ content: c.text })];
      return [frame(thinkingDelta(format, c.text))];
    },
    finish(s) {
      const frames = [frame({}, s.finishReason)];
      if (ctx.request.includeUsage) frames.push(sseData({ ...head, choices: [], usage: openAiUsage(s) }));
      frames.push('data: [DONE]\n\n');
      return frames;
    },
    streamError: (message) => [sseData({ error: { message, type: 'server_error', param: null, code: 'internal_error' } }), 'data: [DONE]\n\n'],
    garbage: () => [`data: {"id":"${ctx.id}","choices":[{"delta":{"content":"\u0000<<not json>>\n\n`],
  };
}

function completeBody(ctx: ResponseContext, gen: Generation, s: FinishSummary): unknown {
  const format = ctx.profile.reasoning_format;
  const message: Record<string, unknown> = { role: 'assistant' };
  if (format === 'think_tags') message.content = gen.thinkingText + gen.answerText;
  else {
    message.content = gen.answerText;
    if (gen.thinkingTokens > 0) Object.assign(message, thinkingDelta(format, gen.thinkingText));
  }
  if (gen.toolName) {
    message.content = null;
    message.tool_calls = [{ id: toolCallId(ctx), type: 'function', function: { name: gen.toolName, arguments: gen.toolArguments } }];
  }
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: s.finishReason }],
    usage: openAiUsage(s),
  };
}

export const openAiChat: SimApi = {
  name: 'openai-chat',
  idPrefix: 'chatcmpl-sim-',
  streamContentType: 'text/event-stream; charset=utf-8',
  parse,
  thinkTags: (profile: SimProfile) => profile.reasoning_format === 'think_tags',
  errorBody: openAiError,
  encoder,
  completeBody,
};
