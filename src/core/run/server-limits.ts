/**
 * The server's own context limit, read where the server publishes it, before a run:
 *   vLLM, SGLang     GET <base>/models   `data[].max_model_len` (prompt + output, per request)
 *   llama.cpp        GET <root>/props    `default_generation_settings.n_ctx` (per slot: `-c 16384 -np 4`
 *                                        gives 4,096 per request), `total_slots`
 *   TGI              GET <root>/info     `max_input_tokens` (older `max_input_length`) for the prompt,
 *                                        `max_total_tokens` for prompt + output
 * Asked in that order for the OpenAI-style APIs (and anthropic, sse), `/info` for tgi; the first
 * that publishes a limit wins. Ollama sets its window per request (`num_ctx`) and websocket targets
 * are not HTTP: nothing is read for them. A limit that cannot be read is simply absent.
 */
import type { ApiKind } from '../scenario/plan';
import { modelsUrl, probeGet, serverRoot } from './probe-http';
import type { ServerLimit } from '../types/server-facts';

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** vLLM / SGLang `/v1/models`: the model's entry (by id, else the first with a length) and its max_model_len. */
export function limitFromModels(body: unknown, model: string | undefined, endpoint = '/v1/models'): ServerLimit | undefined {
  const data = obj(body)?.data;
  if (!Array.isArray(data)) return undefined;
  const entries = data.map(obj).filter((e): e is Record<string, unknown> => e !== undefined && int(e.max_model_len) !== undefined);
  const e = entries.find((x) => x.id === model) ?? entries[0];
  if (!e) return undefined;
  const n = int(e.max_model_len)!;
  return { context: n, engine: 'vllm', endpoint, source: `${endpoint} max_model_len ${n}${typeof e.id === 'string' && entries.length > 1 ? ` of ${e.id}` : ''}` };
}

/** llama.cpp `/props`: `default_generation_settings.n_ctx` is each slot's context. */
export function limitFromProps(body: unknown, endpoint = '/props'): ServerLimit | undefined {
  const o = obj(body);
  const n = int(obj(o?.default_generation_settings)?.n_ctx);
  if (n === undefined) return undefined;
  const slots = int(o?.total_slots);
  return {
    context: n,
    engine: 'llama.cpp',
    endpoint,
    source: `llama.cpp ${endpoint} n_ctx ${n} per slot${slots !== undefined ? `, ${slots} slot${slots === 1 ? '' : 's'}` : ''}`,
    ...(slots !== undefined ? { slots } : {}),
  };
}

/** TGI `/info`: max_input_tokens (older max_input_length) and max_total_tokens. */
export function limitFromTgiInfo(body: unknown, endpoint = '/info'): ServerLimit | undefined {
  const o = obj(body);
  if (!o) return undefined;
  const inputField = int(o.max_input_tokens) !== undefined ? 'max_input_tokens' : 'max_input_length';
  const input = int(o[inputField]);
  const total = int(o.max_total_tokens);
  if (input === undefined && total === undefined) return undefined;
  const parts = [input !== undefined ? `${inputField} ${input}` : '', total !== undefined ? `max_total_tokens ${total}` : ''].filter(Boolean);
  return {
    ...(total !== undefined ? { context: total } : {}),
    ...(input !== undefined ? { max_input: input } : {}),
    engine: 'tgi',
    endpoint,
    source: `TGI ${endpoint} ${parts.join(', ')}`,
  };
}

type Reader = { url: string; read(body: unknown, path: string): ServerLimit | undefined };

/** Where an API's servers publish their limit, in the order asked. */
export function limitReaders(api: ApiKind, baseUrl: string, model?: string): Reader[] {
  const root = serverRoot(baseUrl);
  switch (api) {
    case 'websocket':
    case 'ollama':
      return [];
    case 'tgi':
      return [{ url: `${root}/info`, read: (b, p) => limitFromTgiInfo(b, p) }];
    default:
      return [
        { url: modelsUrl(baseUrl), read: (b, p) => limitFromModels(b, model, p) },
        { url: `${root}/props`, read: (b, p) => limitFromProps(b, p) },
      ];
  }
}

/** The first limit the server publishes, or undefined. Never throws. */
export async function readServerLimit(
  api: ApiKind,
  baseUrl: string,
  opts: { model?: string; headers?: Record<string, string>; probe_timeout_ms?: number } = {},
): Promise<ServerLimit | undefined> {
  for (const r of limitReaders(api, baseUrl, opts.model)) {
    const res = await probeGet(r.url, opts.headers ?? {}, opts.probe_timeout_ms ?? 5000);
    if (res.status !== 200) continue;
    const limit = r.read(json(res.body), res.path);
    if (limit) return limit;
  }
  return undefined;
}
