/**
 * A loopback stand-in for a real serving engine, shaped after what llama.cpp's `llama-server` and
 * vLLM send on the wire (see /work/shared/notes/real-servers.md): readiness endpoints, the
 * published context limit, the context-exceeded rejection, a prompt cache, and OpenAI chat and
 * completions streams whose usage counts the prompt with a real tokenizer.
 *
 *   llama.cpp: `503 {"error":{"message":"Loading model","type":"unavailable_error","code":503}}` on
 *     /health and the APIs while loading (GET /v1/models already answers, as in recent releases),
 *     `{"status":"ok"}` after; GET /props `default_generation_settings.n_ctx` per slot and
 *     `total_slots`; a prompt over n_ctx gets `400 exceed_context_size_error` with Connection: close.
 *   vLLM: /health 200 with an empty body; GET /v1/models `data[].max_model_len`; /props is 404; a
 *     prompt over max_model_len gets vLLM's `400 BadRequestError` "maximum context length".
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedTokenizer } from '../../src/core/tokenize';

export interface StandinOptions {
  shape: 'llama.cpp' | 'vllm';
  /** The tokenizer the "server" counts prompts with. */
  tok: LoadedTokenizer;
  /** llama.cpp: 503 Loading model for this long after the first request (a server started just before the run). */
  loadingMs?: number;
  /** Context per request (llama.cpp: per slot). */
  nCtx?: number;
  /** llama.cpp total_slots. */
  slots?: number;
  /** Reuse a prompt's KV cache when the same prompt comes again (llama.cpp's default). */
  promptCache?: boolean;
  model?: string;
}

export interface SentBody {
  path: string;
  t_ms: number;
  body: Record<string, unknown>;
}

export interface Standin {
  url: string;
  /** Every request, by path and method: `POST /v1/chat/completions`. */
  hits: Array<{ method: string; path: string; t_ms: number; status: number }>;
  /** Bodies of the POSTs. */
  bodies: SentBody[];
  /** When the server became (or becomes) ready, ms after start (Infinity before the first request). */
  readonly readyAt: number;
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number => {
  const text = body === '' ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
  return status;
};

export async function startStandin(o: StandinOptions): Promise<Standin> {
  const t0 = performance.now();
  const loadingMs = o.loadingMs ?? 0;
  const nCtx = o.nCtx ?? 4096;
  const model = o.model ?? 'tiny';
  const seen = new Set<string>();
  const hits: Standin['hits'] = [];
  const bodies: SentBody[] = [];
  let firstHit: number | undefined;
  const loading = (): boolean => o.shape === 'llama.cpp' && performance.now() - (firstHit ??= performance.now()) < loadingMs;
  const loadingError = { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      const t_ms = performance.now() - t0;
      const status = handle(req.method ?? 'GET', path, Buffer.concat(chunks).toString('utf8'), res, t_ms);
      hits.push({ method: req.method ?? 'GET', path, t_ms, status });
    });
  });

  function handle(method: string, path: string, raw: string, res: http.ServerResponse, t_ms: number): number {
    if (method === 'GET' && path === '/health') {
      if (loading()) return json(res, 503, loadingError);
      return o.shape === 'vllm' ? json(res, 200, '') : json(res, 200, { status: 'ok' });
    }
    if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
      const entry: Record<string, unknown> = { id: model, object: 'model', created: 0, owned_by: o.shape === 'vllm' ? 'vllm' : 'llamacpp' };
      if (o.shape === 'vllm') Object.assign(entry, { root: model, parent: null, max_model_len: nCtx });
      else entry.meta = { n_ctx_train: 32768 };
      return json(res, 200, { object: 'list', data: [entry] });
    }
    if (method === 'GET' && path === '/props' && o.shape === 'llama.cpp') {
      if (loading()) return json(res, 503, loadingError);
      return json(res, 200, { default_generation_settings: { n_ctx: nCtx, params: {} }, total_slots: o.slots ?? 4, model_path: `/models/${model}.gguf`, build_info: 'standin' });
    }
    const chat = path === '/v1/chat/completions';
    if (method !== 'POST' || (!chat && path !== '/v1/completions')) {
      return o.shape === 'vllm' ? json(res, 404, { detail: 'Not Found' }) : json(res, 404, { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } });
    }
    if (loading()) return json(res, 503, loadingError);
    const body = JSON.parse(raw) as Record<string, unknown>;
    bodies.push({ path, t_ms, body });
    const messages = (body.messages ?? []) as Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
    const text = chat ? o.tok.applyChatTemplate!(messages, { addGenerationPrompt: true }) : String(body.prompt);
    const promptTokens = o.tok.count(text);
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 4;
    if (promptTokens > nCtx || (o.shape === 'vllm' && promptTokens + maxTokens > nCtx)) {
      if (o.shape === 'llama.cpp') {
        return json(
          res,
          400,
          {
            error: {
              code: 400,
              message: `request (${promptTokens} tokens) exceeds the available context size (${nCtx} tokens), try increasing it`,
              type: 'exceed_context_size_error',
              n_prompt_tokens: promptTokens,
              n_ctx: nCtx,
            },
          },
          { connection: 'close' },
        );
      }
      return json(res, 400, {
        object: 'error',
        message: `This model's maximum context length is ${nCtx} tokens. However, you requested ${promptTokens + maxTokens} tokens (${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
        type: 'BadRequestError',
        param: null,
        code: 400,
      });
    }
    const cached = o.promptCache && seen.has(text) ? promptTokens - 1 : 0;
    seen.add(text);
    const words = ['Hello', ' there', ' friend', '.'].slice(0, Math.max(1, Math.min(4, maxTokens)));
    const base = { id: 'cmpl-1', created: 0, model, system_fingerprint: 'b1-standin' };
    const usage = { prompt_tokens: promptTokens, completion_tokens: words.length, total_tokens: promptTokens + words.length, prompt_tokens_details: { cached_tokens: cached } };
    const timings = { cache_n: cached, prompt_n: promptTokens - cached, prompt_ms: 1, predicted_n: words.length, predicted_ms: 1 };
    const events: unknown[] = [];
    if (chat) {
      events.push({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }] });
      for (const w of words) events.push({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: w }, finish_reason: null }] });
      events.push({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      events.push({ ...base, object: 'chat.completion.chunk', choices: [], usage, timings });
    } else {
      for (const w of words) events.push({ ...base, object: 'text_completion', choices: [{ index: 0, text: w, finish_reason: null }] });
      events.push({ ...base, object: 'text_completion', choices: [{ index: 0, text: '', finish_reason: 'stop' }], usage, timings });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'keep-alive': 'timeout=5, max=100' });
    res.end(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n');
    return 200;
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    hits,
    bodies,
    get readyAt() {
      return firstHit === undefined ? Infinity : firstHit - t0 + loadingMs;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
