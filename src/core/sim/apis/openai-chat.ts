/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`): `chat.completion.chunk` SSE with a role
 * chunk, reasoning deltas (`reasoning_content`, `reasoning`, or `<think>` tags in `content`),
 * content deltas, a finish chunk, an optional usage chunk, and `data: [DONE]`.
 */
import type { Chunk, Generation } from '../generation';
import type { ReasoningFormat, SimProfile } from '../profiles';
import { sseData } from './frames';
import { chatTool, openAiCommon, openAiError, openAiStreamEnd, openAiStreamError, openAiUsage } from './openai-common';
import { isRecord, messageTexts, optionalPositiveInt } from './request-fields';
import type { FinishSummary, ParsedRequest, ResponseContext, SimApi, StreamEncoder } from './types';

function parse(body: unknown): ParsedRequest {
  if (!isRecord(body)) return { error: 'request body must be a JSON object' };
  const messages = body.messages;
  if (messages === undefined) return { error: "'messages' is a required property" };
  if (!Array.isArray(messages) || messages.length === 0) return { error: "'messages' must be a non-empty array" };
  const texts = messageTexts(messages);
  if (typeof texts === 'number') return { error: `messages[${texts}] must be an object with a string 'role'` };
  let maxTokens = optionalPositiveInt(body, 'max_completion_tokens');
  if (maxTokens === undefined) maxTokens = optionalPositiveInt(body, 'max_tokens');
  if (typeof maxTokens === 'string') return { error: maxTokens };
  const common = openAiCommon(body);
  if (typeof common === 'string') return { error: common };
  if (body.tools !== undefined && !Array.isArray(body.tools)) return { error: 'tools must be an array' };
  return { request: { ...common, promptText: texts.join('\n'), maxTokens, thinking: true, tool: chatTool(body) } };
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
    finish: (s) => [frame({}, s.finishReason), ...openAiStreamEnd(ctx, head, s)],
    streamError: openAiStreamError,
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
