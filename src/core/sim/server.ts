/**
 * The simulator's HTTP server: routes each API's path, reads and validates the request, applies
 * HTTP-level faults, plans the response with a per-request seeded generator, and plays it.
 * Tracks every open response so close() ends them all promptly.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropic } from './apis/anthropic';
import { ollama } from './apis/ollama';
import { openAiChat, openAiError } from './apis/openai-chat';
import { openAiCompletions } from './apis/openai-completions';
import { openAiResponses } from './apis/openai-responses';
import { tgiGenerate, tgiStream } from './apis/tgi';
import type { SimApi } from './apis/types';
import { createEngine } from './admission';
import { FAULT_HEADER, drawFault, parseFaultHeader, type FaultRequest } from './faults';
import { planGeneration } from './generation';
import { REASONING_FORMATS, type ReasoningFormat, type SimProfile } from './profiles';
import { createRng, hashString } from './random';
import { httpSink, playComplete, playStream, type RunningResponse } from './responder';
import { SendLog } from './send-log';

export const RESPONSE_ID_HEADER = 'x-llmload-sim-response-id';
export const REASONING_FORMAT_HEADER = 'x-llmload-sim-reasoning-format';
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** How many distinct prompts the per-prompt occurrence counter remembers before it starts over. */
const MAX_PROMPTS_REMEMBERED = 50_000;

export interface SimServerOptions {
  host: string;
  port: number;
  profile: SimProfile;
  seed: number;
  sendLogCapacity: number;
}

export interface SimServer {
  url: string;
  port: number;
  sendLog: SendLog;
  close(): Promise<void>;
}

/** POST routes: path -> API. */
const ROUTES: Record<string, SimApi> = {
  '/v1/chat/completions': openAiChat,
  '/v1/completions': openAiCompletions,
  '/v1/responses': openAiResponses,
  '/v1/messages': anthropic,
  '/api/chat': ollama,
  '/generate_stream': tgiStream,
  '/generate': tgiGenerate,
};

export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  const { profile, seed } = opts;
  const engine = createEngine(profile.max_concurrency, profile.batch_slowdown);
  const sendLog = new SendLog(opts.sendLogCapacity);
  const faultRng = createRng(hashString(`faults|${seed}`));
  const occurrences = new Map<number, number>();
  const open = new Set<RunningResponse>();
  let counter = 0;
  let closing = false;

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const api = ROUTES[path];
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      const created = Math.floor(Date.now() / 1000);
      sendJson(res, 200, { object: 'list', data: [{ id: profile.model, object: 'model', created, owned_by: 'llmload-sim' }] });
      return;
    }
    if (req.method === 'GET' && path === '/api/tags') {
      sendJson(res, 200, { models: [{ name: profile.model, model: profile.model, modified_at: new Date(0).toISOString(), size: 0, digest: '' }] });
      return;
    }
    if (req.method === 'GET' && (path === '/health' || path === '/info')) {
      sendJson(res, 200, path === '/health' ? {} : { model_id: profile.model, router: 'llmload-sim' });
      return;
    }
    if (!api) {
      sendJson(res, 404, openAiError(404, `no route for ${req.method} ${path}`));
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, api.errorBody(405, `method ${req.method} not allowed on ${path}; use POST`), { allow: 'POST' });
      return;
    }
    const raw = await readBody(req);
    if (raw === undefined) {
      sendJson(res, 413, api.errorBody(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (e) {
      sendJson(res, 400, api.errorBody(400, `request body is not valid JSON: ${(e as Error).message}`));
      return;
    }
    const parsed = api.parse(body);
    if (!parsed.request) {
      sendJson(res, 400, api.errorBody(400, parsed.error ?? 'invalid request'));
      return;
    }
    const request = parsed.request;

    let fault: FaultRequest | undefined;
    const faultHeader = req.headers[FAULT_HEADER];
    if (typeof faultHeader === 'string' && faultHeader.trim() !== '') {
      const f = parseFaultHeader(faultHeader);
      if ('error' in f) {
        sendJson(res, 400, api.errorBody(400, f.error));
        return;
      }
      fault = f;
    } else {
      fault = drawFault(profile, faultRng);
    }
    let responseProfile = profile;
    const formatHeader = req.headers[REASONING_FORMAT_HEADER];
    if (typeof formatHeader === 'string') {
      if (!REASONING_FORMATS.includes(formatHeader as ReasoningFormat)) {
        sendJson(res, 400, api.errorBody(400, `${REASONING_FORMAT_HEADER} must be one of ${REASONING_FORMATS.join(', ')}`));
        return;
      }
      responseProfile = { ...profile, reasoning_format: formatHeader as ReasoningFormat };
    }

    const id = `${api.idPrefix}${++counter}`;
    const idHeader = { [RESPONSE_ID_HEADER]: id };
    if (fault?.kind === 'http_429') {
      const retryAfter = String(fault.arg ?? profile.retry_after_s);
      sendJson(res, 429, api.errorBody(429, 'simulated rate limit: too many requests'), { ...idHeader, 'retry-after': retryAfter });
      return;
    }
    if (fault?.kind === 'http_500') {
      sendJson(res, 500, api.errorBody(500, 'simulated internal server error'), idHeader);
      return;
    }
    if (fault?.kind === 'http_400') {
      sendJson(res, 400, api.errorBody(400, 'simulated bad request'), idHeader);
      return;
    }

    // Same simulator seed + same prompt + same occurrence (or request seed) = same response.
    const promptHash = hashString(request.promptText);
    let occurrence = request.seed;
    if (occurrence === undefined) {
      if (occurrences.size >= MAX_PROMPTS_REMEMBERED && !occurrences.has(promptHash)) occurrences.clear();
      occurrence = occurrences.get(promptHash) ?? 0;
      occurrences.set(promptHash, occurrence + 1);
    }
    const rng = createRng(hashString(`${seed}|${occurrence}|${promptHash}`));
    const gen = planGeneration({
      profile: responseProfile,
      request,
      rng,
      fault: fault?.kind,
      faultArg: fault?.arg,
      thinkTags: api.thinkTags(responseProfile),
    });
    const ctx = {
      id,
      model: request.model ?? profile.model,
      created: Math.floor(Date.now() / 1000),
      request,
      profile: responseProfile,
      promptTokens: gen.promptTokens,
    };
    const sendTimes = sendLog.open(id);
    const running = request.stream
      ? playStream({
          sink: httpSink(res, api.streamContentType, idHeader),
          encoder: api.encoder(ctx),
          profile: responseProfile,
          gen,
          fault,
          engine,
          sendTimes,
        })
      : playComplete({ res, api, ctx, gen, fault, engine, sendTimes, headers: idHeader });
    open.add(running);
    void running.ended.then(() => open.delete(running));
  };

  const server = http.createServer({ noDelay: true, keepAlive: true, requestTimeout: 0 }, (req, res) => {
    if (closing) {
      res.destroy();
      return;
    }
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, openAiError(500, `simulator error: ${(e as Error).message}`));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  return {
    url: `http://${hostForUrl}:${port}/v1`,
    port,
    sendLog,
    async close() {
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const r of open) r.abort();
      open.clear();
      server.closeAllConnections();
      await closed;
    },
  };
}

/** The request body as text, or undefined when it is larger than the limit. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else parts.push(b);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}
