/**
 * Ollama chat (`POST /api/chat`): NDJSON, one JSON object per line, `message.thinking` for thinking
 * and `message.content` for the answer, then a final `done: true` record with done_reason,
 * prompt_eval_count, eval_count and durations in nanoseconds. `stream` defaults to true.
 * Ollama sends no keep-alives; errors are `{"error": "..."}`.
 */
import type { Chunk, Generation, SimRequest } from '../generation';
import {
  contentText,
  isRecord,
  isoNow,
  offeredTool,
  type FinishSummary,
  type ParsedRequest,
  type ResponseContext,
  type SimApi,
  type StreamEncoder,
} from './types';

function parse(body: unknown): ParsedRequest {
  if (!isRecord(body)) return { error: 'request body must be a JSON object' };
  if (typeof body.model !== 'string' || body.model === '') return { error: 'model is required' };
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return { error: 'messages is required and must be a non-empty array' };
  const texts: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m) || typeof m.role !== 'string') return { error: `messages[${i}] must be an object with a string role` };
    texts.push(contentText(m.content));
  }
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

/** The fields /api/chat and /api/generate read alike: `stream` (default true), `think`, `options.num_predict` and `options.seed`. */
export function ollamaCommon(body: Record<string, unknown>): Pick<SimRequest, 'maxTokens' | 'stream' | 'includeUsage' | 'seed' | 'thinking'> | string {
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return 'stream must be a boolean';
  const options = isRecord(body.options) ? body.options : {};
  const numPredict = options.num_predict;
  if (numPredict !== undefined && (typeof numPredict !== 'number' || !Number.isInteger(numPredict))) {
    return 'options.num_predict must be an integer';
  }
  const seed = options.seed;
  return {
    // Ollama: -1 means no limit.
    maxTokens: typeof numPredict === 'number' && numPredict > 0 ? numPredict : undefined,
    stream: body.stream !== false,
    includeUsage: true,
    seed: typeof seed === 'number' && Number.isInteger(seed) ? seed : undefined,
    // `think` is true, false, or a level ("high", "medium", "low"); only false turns thinking off.
    thinking: body.think !== false,
  };
}

const ns = (ms: number): number => Math.round(ms * 1e6);

export function doneRecord(s: FinishSummary): Record<string, unknown> {
  return {
    done_reason: s.finishReason === 'length' ? 'length' : 'stop',
    done: true,
    total_duration: ns(s.totalMs),
    load_duration: 0,
    // Ollama counts only the prompt tokens it evaluated: a reused prefix is left out.
    prompt_eval_count: s.promptTokens - s.cachedTokens,
    prompt_eval_duration: ns(s.prefillMs),
    eval_count: s.completionTokens,
    eval_duration: ns(s.decodeMs),
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
  const line = (value: unknown): string => JSON.stringify(value) + '\n';
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
    streamError: (message) => [line({ error: message })],
    garbage: () => ['{"model":"' + ctx.model + '","message":\u0000<<not json>>\n'],
  };
}

function completeBody(ctx: ResponseContext, gen: Generation, s: FinishSummary): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: gen.answerText };
  if (gen.thinkingTokens > 0) message.thinking = gen.thinkingText;
  if (gen.toolName) message.tool_calls = toolCalls(gen.toolName, gen.toolArguments);
  return { model: ctx.model, created_at: isoNow(), message, ...doneRecord(s) };
}

export const ollama: SimApi = {
  name: 'ollama',
  idPrefix: 'ollama-sim-',
  streamContentType: 'application/x-ndjson',
  parse,
  thinkTags: () => false,
  errorBody: (_status, message) => ({ error: message }),
  encoder,
  completeBody,
};
