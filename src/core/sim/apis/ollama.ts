/**
 * Ollama chat (`POST /api/chat`): NDJSON, one JSON object per line, `message.thinking` for thinking
 * and `message.content` for the answer, then a final `done: true` record with done_reason,
 * prompt_eval_count, eval_count and durations in nanoseconds. `stream` defaults to true.
 * Ollama sends no keep-alives; errors are `{"error": "..."}`.
 */
import type { Chunk, Generation } from '../generation';
import { isoNow, ndjsonLine as line } from './frames';
import { doneRecord, ollamaApi, ollamaCommon, ollamaStreamError } from './ollama-common';
import { isRecord, messageTexts, offeredTool } from './request-fields';
import type { FinishSummary, ParsedRequest, ResponseContext, StreamEncoder } from './types';

function parse(body: unknown): ParsedRequest {
  if (!isRecord(body)) return { error: 'request body must be a JSON object' };
  if (typeof body.model !== 'string' || body.model === '') return { error: 'model is required' };
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return { error: 'messages is required and must be a non-empty array' };
  const texts = messageTexts(messages);
  if (typeof texts === 'number') return { error: `messages[${texts}] must be an object with a string role` };
  const common = ollamaCommon(body);
  if (typeof common === 'string') return { error: common };
  if (body.tools !== undefined && !Array.isArray(body.tools)) return { error: 'tools must be an array' };
  return {
    request: {
      model: body.model,
      promptText: texts.join('\n'),
      ...common,
      tool: offeredTool(body.tools, (t) => (isRecord(t.function) ? t.function.name : undefined), false),
    },
  };
}

/** Ollama's tool call: arguments as an object ({} when they were cut short). */
function toolCalls(name: string | undefined, args: string): unknown[] {
  let parsed: unknown = {};
  try {
    parsed = JSON.parse(args);
  } catch {
    // cut short by a length limit
  }
  return [{ function: { name, arguments: parsed } }];
}

function encoder(ctx: ResponseContext): StreamEncoder {
  // Ollama does not stream tool arguments: the whole call comes in one record.
  let args = '';
  let toolSent = false;
  const toolRecord = (): string =>
    line({ model: ctx.model, created_at: isoNow(), message: { role: 'assistant', content: '', tool_calls: toolCalls(ctx.request.tool, args) }, done: false });
  return {
    start: () => [],
    keepAlive: () => undefined,
    chunk(c: Chunk, final?: FinishSummary) {
      if (c.phase === 'tool') {
        args += c.text;
        if (!final) return [];
        toolSent = true;
        return [toolRecord()];
      }
      const message = c.phase === 'thinking' ? { role: 'assistant', content: '', thinking: c.text } : { role: 'assistant', content: c.text };
      return [line({ model: ctx.model, created_at: isoNow(), message, done: false })];
    },
    finish(s) {
      const frames = args !== '' && !toolSent ? [toolRecord()] : [];
      toolSent = true;
      frames.push(line({ model: ctx.model, created_at: isoNow(), message: { role: 'assistant', content: '' }, ...doneRecord(s) }));
      return frames;
    },
    streamError: ollamaStreamError,
    garbage: () => ['{"model":"' + ctx.model + '","message":\u0000<<not json>>\n'],
  };
}

function completeBody(ctx: ResponseContext, gen: Generation, s: FinishSummary): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: gen.answerText };
  if (gen.thinkingTokens > 0) message.thinking = gen.thinkingText;
  if (gen.toolName) message.tool_calls = toolCalls(gen.toolName, gen.toolArguments);
  return { model: ctx.model, created_at: isoNow(), message, ...doneRecord(s) };
}

export const ollama = ollamaApi({ parse, encoder, completeBody });
