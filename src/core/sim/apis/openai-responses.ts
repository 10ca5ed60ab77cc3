/**
 * OpenAI Responses (`POST /v1/responses`): typed SSE events with `event:` lines and a
 * `sequence_number`: response.created, response.in_progress, a reasoning output item with
 * response.reasoning_summary_text.delta events, a message output item with
 * response.output_text.delta events, then response.completed (or response.incomplete when
 * max_output_tokens cut it) carrying usage. There is no [DONE] marker.
 */
import type { Chunk, Generation } from '../generation';
import { sseEvent } from './frames';
import { chatTool, openAiCommon, openAiError } from './openai-common';
import { contentText, isRecord, optionalPositiveInt } from './request-fields';
import type { FinishSummary, ParsedRequest, ResponseContext, SimApi, StreamEncoder } from './types';

function parse(body: unknown): ParsedRequest {
  if (!isRecord(body)) return { error: 'request body must be a JSON object' };
  const input = body.input;
  if (input === undefined) return { error: "'input' is a required property" };
  const texts: string[] = [];
  if (typeof body.instructions === 'string') texts.push(body.instructions);
  if (typeof input === 'string') texts.push(input);
  else if (Array.isArray(input) && input.length > 0) {
    for (const [i, item] of input.entries()) {
      if (!isRecord(item)) return { error: `input[${i}] must be an object` };
      texts.push(contentText(item.content));
    }
  } else return { error: "'input' must be a string or a non-empty array of items" };
  const maxTokens = optionalPositiveInt(body, 'max_output_tokens');
  if (typeof maxTokens === 'string') return { error: maxTokens };
  const common = openAiCommon(body);
  if (typeof common === 'string') return { error: common };
  const reasoning = isRecord(body.reasoning) ? body.reasoning : undefined;
  if (body.tools !== undefined && !Array.isArray(body.tools)) return { error: 'tools must be an array' };
  // Responses always end with usage (in response.completed).
  return { request: { ...common, promptText: texts.join('\n'), maxTokens, includeUsage: true, thinking: reasoning?.effort !== 'none', tool: chatTool(body) } };
}

function usage(s: FinishSummary): Record<string, unknown> {
  return {
    input_tokens: s.promptTokens,
    input_tokens_details: { cached_tokens: s.cachedTokens },
    output_tokens: s.completionTokens,
    output_tokens_details: { reasoning_tokens: s.reasoningTokens },
    total_tokens: s.promptTokens + s.completionTokens,
  };
}

const serial = (ctx: ResponseContext): string => ctx.id.replace(/^resp_/, '');

function reasoningItem(ctx: ResponseContext, text: string): Record<string, unknown> {
  if (ctx.profile.responses_reasoning === 'text') {
    return { id: `rs_${serial(ctx)}`, type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text }] };
  }
  return { id: `rs_${serial(ctx)}`, type: 'reasoning', summary: [{ type: 'summary_text', text }] };
}

function messageItem(ctx: ResponseContext, text: string, status: string): Record<string, unknown> {
  return {
    id: `msg_${serial(ctx)}`,
    type: 'message',
    status,
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
}

function functionCallItem(ctx: ResponseContext, name: string | undefined, args: string, status: string): Record<string, unknown> {
  return { id: `fc_${serial(ctx)}`, type: 'function_call', status, arguments: args, call_id: `call_${serial(ctx)}`, name };
}

function responseObject(ctx: ResponseContext, status: string, output: unknown[], s?: FinishSummary): Record<string, unknown> {
  return {
    id: ctx.id,
    object: 'response',
    created_at: ctx.created,
    status,
    model: ctx.model,
    output,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    max_output_tokens: ctx.request.maxTokens ?? null,
    usage: s ? usage(s) : null,
  };
}

function encoder(ctx: ResponseContext): StreamEncoder {
  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>): string => sseEvent(type, { type, sequence_number: seq++, ...fields });
  const rsId = `rs_${serial(ctx)}`;
  const msgId = `msg_${serial(ctx)}`;
  let phase: 'none' | 'thinking' | 'answer' | 'tool' = 'none';
  let thinking = '';
  let answer = '';
  let args = '';
  const fcId = `fc_${serial(ctx)}`;
  let outputIndex = -1;

  const rawText = ctx.profile.responses_reasoning === 'text';
  // Raw reasoning text is a content part of the reasoning item, opened and closed like the
  // message's output_text part (content_part.added / .done with a `reasoning_text` part), so a
  // client that builds the response from the events (the OpenAI SDK's stream helpers) has the part
  // at content_index 0 before the first delta.
  const closeThinking = (): string[] => rawText
    ? [
        ev('response.reasoning_text.done', { item_id: rsId, output_index: outputIndex, content_index: 0, text: thinking }),
        ev('response.content_part.done', { item_id: rsId, output_index: outputIndex, content_index: 0, part: { type: 'reasoning_text', text: thinking } }),
        ev('response.output_item.done', { output_index: outputIndex, item: reasoningItem(ctx, thinking) }),
      ]
    : [
        ev('response.reasoning_summary_text.done', { item_id: rsId, output_index: outputIndex, summary_index: 0, text: thinking }),
        ev('response.reasoning_summary_part.done', { item_id: rsId, output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text: thinking } }),
        ev('response.output_item.done', { output_index: outputIndex, item: reasoningItem(ctx, thinking) }),
      ];
  const closeAnswer = (): string[] => [
    ev('response.output_text.done', { item_id: msgId, output_index: outputIndex, content_index: 0, text: answer, logprobs: [] }),
    ev('response.content_part.done', { item_id: msgId, output_index: outputIndex, content_index: 0, part: { type: 'output_text', text: answer, annotations: [] } }),
    ev('response.output_item.done', { output_index: outputIndex, item: messageItem(ctx, answer, 'completed') }),
  ];
  const closeTool = (): string[] => [
    ev('response.function_call_arguments.done', { item_id: fcId, output_index: outputIndex, arguments: args }),
    ev('response.output_item.done', { output_index: outputIndex, item: functionCallItem(ctx, ctx.request.tool, args, 'completed') }),
  ];
  const output = (): unknown[] => {
    const items: unknown[] = [];
    if (thinking) items.push(reasoningItem(ctx, thinking));
    if (phase === 'answer') items.push(messageItem(ctx, answer, 'completed'));
    if (phase === 'tool') items.push(functionCallItem(ctx, ctx.request.tool, args, 'completed'));
    return items;
  };

  return {
    start: () => [
      ev('response.created', { response: responseObject(ctx, 'in_progress', []) }),
      ev('response.in_progress', { response: responseObject(ctx, 'in_progress', []) }),
    ],
    keepAlive: () => ': keep-alive\n\n',
    chunk(c: Chunk) {
      const frames: string[] = [];
      if (c.phase === 'thinking') {
        if (phase === 'none') {
          phase = 'thinking';
          outputIndex++;
          frames.push(
            ev('response.output_item.added', {
              output_index: outputIndex,
              item: rawText ? { id: rsId, type: 'reasoning', summary: [], content: [] } : { id: rsId, type: 'reasoning', summary: [] },
            }),
            rawText
              ? ev('response.content_part.added', { item_id: rsId, output_index: outputIndex, content_index: 0, part: { type: 'reasoning_text', text: '' } })
              : ev('response.reasoning_summary_part.added', { item_id: rsId, output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } }),
          );
        }
        thinking += c.text;
        frames.push(
          rawText
            ? ev('response.reasoning_text.delta', { item_id: rsId, output_index: outputIndex, content_index: 0, delta: c.text })
            : ev('response.reasoning_summary_text.delta', { item_id: rsId, output_index: outputIndex, summary_index: 0, delta: c.text }),
        );
        return frames;
      }
      if (c.phase === 'tool') {
        if (phase !== 'tool') {
          if (phase === 'thinking') frames.push(...closeThinking());
          phase = 'tool';
          outputIndex++;
          frames.push(ev('response.output_item.added', { output_index: outputIndex, item: functionCallItem(ctx, ctx.request.tool, '', 'in_progress') }));
        }
        args += c.text;
        frames.push(ev('response.function_call_arguments.delta', { item_id: fcId, output_index: outputIndex, delta: c.text }));
        return frames;
      }
      if (phase !== 'answer') {
        if (phase === 'thinking') frames.push(...closeThinking());
        phase = 'answer';
        outputIndex++;
        frames.push(
          ev('response.output_item.added', { output_index: outputIndex, item: { id: msgId, type: 'message', status: 'in_progress', role: 'assistant', content: [] } }),
          ev('response.content_part.added', { item_id: msgId, output_index: outputIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
        );
      }
      answer += c.text;
      frames.push(ev('response.output_text.delta', { item_id: msgId, output_index: outputIndex, content_index: 0, delta: c.text, logprobs: [] }));
      return frames;
    },
    finish(s) {
      const frames: string[] = [];
      if (phase === 'thinking') frames.push(...closeThinking());
      if (phase === 'answer') frames.push(...closeAnswer());
      if (phase === 'tool') frames.push(...closeTool());
      const status = s.finishReason === 'length' ? 'incomplete' : 'completed';
      frames.push(ev(`response.${status}`, { response: responseObject(ctx, status, output(), s) }));
      return frames;
    },
    streamError: (message) => [ev('error', { code: 'server_error', message, param: null })],
    garbage: () => ['event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":\u0000<<not json>>\n\n'],
  };
}

function completeBody(ctx: ResponseContext, gen: Generation, s: FinishSummary): unknown {
  const output: unknown[] = [];
  if (gen.thinkingTokens > 0) output.push(reasoningItem(ctx, gen.thinkingText));
  if (gen.answerTokens > 0) output.push(messageItem(ctx, gen.answerText, s.finishReason === 'length' ? 'incomplete' : 'completed'));
  if (gen.toolName) output.push(functionCallItem(ctx, gen.toolName, gen.toolArguments, s.finishReason === 'length' ? 'incomplete' : 'completed'));
  return responseObject(ctx, s.finishReason === 'length' ? 'incomplete' : 'completed', output, s);
}

export const openAiResponses: SimApi = {
  name: 'openai-responses',
  idPrefix: 'resp_sim',
  streamContentType: 'text/event-stream; charset=utf-8',
  parse,
  thinkTags: () => false,
  errorBody: openAiError,
  encoder,
  completeBody,
};
