/**
 * What Ollama's chat (`/api/chat`) and generate (`/api/generate`) share: the request fields they
 * read alike, the closing `done: true` record's counts and durations, and the API's fixed parts
 * (NDJSON stream, `{"error": "..."}` errors, no keep-alives, thinking in its own field).
 */
import type { SimRequest } from '../generation';
import { ndjsonLine } from './frames';
import { isRecord } from './request-fields';
import type { FinishSummary, SimApi } from './types';

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

/** An Ollama API from its own request parser, stream encoder and complete body. */
export function ollamaApi(parts: Pick<SimApi, 'parse' | 'encoder' | 'completeBody'>): SimApi {
  return {
    name: 'ollama',
    idPrefix: 'ollama-sim-',
    streamContentType: 'application/x-ndjson',
    thinkTags: () => false,
    errorBody: (_status, message) => ({ error: message }),
    ...parts,
  };
}

/** The error line inside a 200 stream. */
export const ollamaStreamError = (message: string): string[] => [ndjsonLine({ error: message })];
