/**
 * The mirror's HTTP front: every request goes to the primary, and the primary's answer streams
 * back to the client byte for byte as it arrives (status and headers kept, hop-by-hop headers
 * dropped), with no buffering beyond what the client's socket asks for (backpressure pauses the
 * upstream read). A client that goes away mid-stream cancels the primary request. A timed API's
 * answer is kept as it passes (bytes and arrival times, ./forwarding-exchange.ts) and handed to
 * the hooks (./session.ts) when it ended; the hooks never hold the client up.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import type { ApiKind } from '../scenario/plan';
import { forwardExchange, type ExchangeSink } from './forwarding-exchange';
import type { HeaderMap } from './secrets';
import type { StreamLog } from './stream-log';

/** Request bodies above this size are refused (413): an LLM request is a few MB at most. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Headers of one hop only (RFC 9110 7.6.1), never forwarded; `host` and `content-length` are set by the client library. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);
const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface IncomingCall {
  method: string;
  path: string;
  headers: HeaderMap;
  body: Buffer;
  /** performance.now() when the body was in. */
  arrived: number;
}

export interface CallPlan {
  /** The API whose decoder times the primary's answer; undefined: passed through untimed. */
  api?: ApiKind;
  /** Run once the primary request is on its socket (it hands the request to the worker); before `done` when it never got there. */
  after?(): void;
  /** Called with the primary's answer as it arrived once it ended (or failed, or was cancelled); timed APIs only. */
  done?(log: StreamLog): void;
}

export interface ProxyHooks {
  begin(call: IncomingCall): CallPlan;
}

export interface RunningProxy {
  url: string;
  port: number;
  /** Requests whose primary answer is still streaming. */
  readonly active: number;
  close(): Promise<void>;
}

function forwardHeaders(h: http.IncomingHttpHeaders, drop: Set<string>): HeaderMap {
  const out: HeaderMap = {};
  // `connection: x-foo` names more hop-by-hop headers.
  const named = new Set(
    String(h.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const [k, v] of Object.entries(h)) if (!drop.has(k) && !named.has(k) && v !== undefined) out[k] = v;
  // The answer must be readable by the decoder as it passes: ask for it uncompressed (every client accepts identity).
  if (out['accept-encoding'] !== undefined) out['accept-encoding'] = 'identity';
  return out;
}

export async function startProxy(opts: { host: string; port: number; primary: string; hooks: ProxyHooks }): Promise<RunningProxy> {
  const base = new URL(opts.primary);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, { connections: 4096, pipelining: 1 });
  let active = 0;
  const sockets = new Set<import('node:net').Socket>();

  const server = http.createServer((req, res) => {
    req.socket.setNoDelay(true);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        if (!refused) {
          refused = true;
          res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `llmload mirror: request body above ${MAX_BODY_BYTES} bytes` } }));
        }
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      const call: IncomingCall = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers as HeaderMap, body: Buffer.concat(chunks, size), arrived: performance.now() };
      let plan: CallPlan;
      try {
        plan = opts.hooks.begin(call);
      } catch {
        plan = {};
      }
      forward(call, plan, res);
    });
  });

  function forward(call: IncomingCall, plan: CallPlan, res: http.ServerResponse): void {
    active++;
    let ended = false;
    const sink: ExchangeSink = {
      onHead(status, raw) {
        // The primary's head as it came (order, case, duplicates), less the hop-by-hop headers.
        const out: string[] = [];
        for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP_BY_HOP_RESPONSE.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
        res.writeHead(status, out);
        res.flushHeaders();
      },
      onData: (chunk) => res.write(chunk),
      onDrain(resume) {
        res.once('drain', resume);
      },
      onEnd() {
        ended = true;
        res.end();
      },
      onError(err, headSent) {
        ended = true;
        if (headSent || res.headersSent) res.destroy();
        else res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'llmload mirror: the primary failed', type: 'bad_gateway', code: (err as NodeJS.ErrnoException).code ?? null } }));
      },
    };
    // The hooks hear of the request once it is on the primary's socket (or, when it never got
    // there, before its answer): nothing they do runs ahead of the request's own write.
    let told = plan.after === undefined;
    const sent = (): void => {
      if (told) return;
      told = true;
      plan.after!();
    };
    const path = prefix && !call.path.startsWith(`${prefix}/`) ? prefix + call.path : call.path;
    const ex = forwardExchange(pool, { path, method: call.method, headers: forwardHeaders(call.headers as http.IncomingHttpHeaders, HOP_BY_HOP), body: call.method === 'GET' || call.method === 'HEAD' ? null : call.body }, { sink, log: plan.api !== undefined, onSent: sent });
    res.on('close', () => {
      if (!ended && !res.writableFinished) ex.abort('cancelled', 'the client disconnected');
    });
    void ex.result.then((log) => {
      active--;
      sent();
      if (!ended && !res.writableEnded) res.destroy();
      if (log) plan.done?.(log);
    });
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    port,
    get active() {
      return active;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      // Answers cut by the close resolve as cancelled; their records are written before returning.
      for (let i = 0; active > 0 && i < 1000; i++) await new Promise((r) => setTimeout(r, 5));
      await pool.destroy();
    },
  };
}
