/**
 * The simulator's HTTP front end: routes each API's path, reads and validates the request, answers
 * HTTP-level faults, and plays the planned response as a stream or one JSON body. Also hands
 * WebSocket upgrades on /v1/ws to the WebSocket front end. close() ends every open response and
 * connection promptly.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { doubledV1Hint } from './apis/base-urls';
import { ollamaInfo } from './apis/ollama-info';
import { openAiError } from './apis/openai-common';
import { apiForPath } from './apis/registry';
import { isRecord } from './apis/request-fields';
import { createCore, REASONING_FORMAT_HEADER, RESPONSE_ID_HEADER } from './core';
import { FAULT_HEADER } from './faults';
import type { SimProfile } from './profiles';
import { httpSink, playComplete, playStream } from './player';
import { answerQuestion, SIM_ANSWER_HEADER } from './answers';
import { wallClockMs, type SendLog } from './send-log';
import { attachWebSocket, WS_PATH } from './websocket';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The context length GET /v1/models reports (vLLM's `max_model_len`), read by runs before the load; not enforced. */
export const SIM_MAX_MODEL_LEN = 131_072;

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

const headerValue = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  const { profile } = opts;
  const core = createCore(profile, opts.seed, opts.sendLogCapacity);

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const api = apiForPath(path);
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      const created = Math.floor(Date.now() / 1000);
      sendJson(res, 200, { object: 'list', data: [{ id: profile.model, object: 'model', created, owned_by: 'llmload-sim', max_model_len: SIM_MAX_MODEL_LEN }] });
      return;
    }
    const ollamaAnswer = ollamaInfo(req.method ?? 'GET', path, profile, api !== undefined, () => readBody(req));
    if (ollamaAnswer) {
      const a = await ollamaAnswer;
      sendJson(res, a.status, a.body, a.headers);
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      // Prometheus text in vLLM's metric names (see docs/simulator.md and docs/server-metrics.md): the
      // engine model's own on engine profiles, a minimal one on the fast profiles (metrics-text.ts).
      const text = core.engine.metricsText(profile.model);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
      return;
    }
    if (req.method === 'GET' && (path === '/health' || path === '/info')) {
      sendJson(res, 200, path === '/health' ? {} : { model_id: profile.model, router: 'llmload-sim' });
      return;
    }
    if (!api) {
      const hint = path === WS_PATH ? ' (the WebSocket endpoint needs an Upgrade request)' : doubledV1Hint(path, req.headers.host);
      sendJson(res, 404, openAiError(404, `no route for ${req.method} ${path}${hint}`));
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, api.errorBody(405, `method ${req.method} not allowed on ${path}; use POST`), { allow: 'POST' });
      return;
    }
    const raw = await readBody(req);
    const received = wallClockMs();
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
    // Options may also come in the body (`"llmload_sim": {"fault": ..., "reasoning_format": ...}`), for
    // clients that can add body fields but not headers; a header wins.
    const inBody = isRecord(body) && isRecord(body.llmload_sim) ? body.llmload_sim : {};
    const option = (header: string, key: string): string | undefined =>
      headerValue(req, header) ?? (typeof inBody[key] === 'string' ? (inBody[key] as string) : undefined);
    const p = core.prepare(api, parsed.request, option(FAULT_HEADER, 'fault'), option(REASONING_FORMAT_HEADER, 'reasoning_format'));
    if (p.kind === 'reject') {
      sendJson(res, p.status, api.errorBody(p.status, p.message), p.headers);
      return;
    }
    p.gen = answerQuestion(p.gen, headerValue(req, SIM_ANSWER_HEADER), p.profile, opts.seed, parsed.request, core.engine.pressure());
    const idHeader = { [RESPONSE_ID_HEADER]: p.ctx.id };
    const sendTimes = core.sendLog.open(p.ctx.id, received);
    const play = { gen: p.gen, fault: p.fault, engine: core.engine, sendTimes, plannedOutputTokens: p.plannedOutputTokens };
    const running = parsed.request.stream
      ? playStream({ ...play, sink: httpSink(res, api.streamContentType, idHeader), encoder: api.encoder(p.ctx), profile: p.profile })
      : playComplete({ ...play, res, api, ctx: p.ctx, headers: idHeader });
    core.track(running);
  };

  const server = http.createServer({ noDelay: true, keepAlive: true, requestTimeout: 0 }, (req, res) => {
    if (core.closing) {
      res.destroy();
      return;
    }
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, openAiError(500, `simulator error: ${(e as Error).message}`));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  const ws = attachWebSocket(server, core);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: a load test may open thousands of connections at once.
    server.listen({ port: opts.port, host: opts.host, backlog: 8192 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  return {
    url: `http://${hostForUrl}:${port}/v1`,
    port,
    sendLog: core.sendLog,
    async close() {
      if (core.closing) return;
      core.setClosing();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      core.abortAll();
      ws.closeAll();
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
