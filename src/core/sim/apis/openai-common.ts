/**
 * What the OpenAI-style APIs (chat, completions, responses) share: the error body, the request
 * fields they read alike, the function a request calls, usage, and the end of a chunk stream.
 */
import type { SimRequest } from '../generation';
import { sseData } from './frames';
import { isRecord, offeredTool } from './request-fields';
import type { FinishSummary, ResponseContext } from './types';

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

/** Reads `model`, `stream`, `stream_options.include_usage` and `seed`, which the OpenAI-style APIs read alike; a string error when one is malformed. */
export function openAiCommon(body: Record<string, unknown>): Pick<SimRequest, 'model' | 'stream' | 'includeUsage' | 'seed'> | string {
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') return 'stream must be a boolean';
  const so = body.stream_options;
  if (so !== undefined && so !== null && !isRecord(so)) return 'stream_options must be an object';
  const includeUsage = isRecord(so) && so.include_usage === true;
  const seed = body.seed;
  if (seed !== undefined && seed !== null && (typeof seed !== 'number' || !Number.isInteger(seed))) return 'seed must be an integer';
  return {
    model: typeof body.model === 'string' ? body.model : undefined,
    stream: body.stream === true,
    includeUsage,
    seed: typeof seed === 'number' ? seed : undefined,
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

/** The frames after a chunk stream's finish chunk: the usage chunk when asked for, then `[DONE]`. */
export function openAiStreamEnd(ctx: ResponseContext, head: Record<string, unknown>, s: FinishSummary): string[] {
  const frames: string[] = [];
  if (ctx.request.includeUsage) frames.push(sseData({ ...head, choices: [], usage: openAiUsage(s) }));
  frames.push('data: [DONE]\n\n');
  return frames;
}

/** An error inside a 200 chunk stream, then `[DONE]`. */
export function openAiStreamError(message: string): string[] {
  return [sseData({ error: { message, type: 'server_error', param: null, code: 'internal_error' } }), 'data: [DONE]\n\n'];
}
