/**
 * The `websocket` API: one WebSocket per request (the `ws` package). After the socket opens, the
 * prompt is sent as one JSON message (the scenario's template); every message received is one
 * event, read through the same JSON-path mapping as the generic SSE API. `sent_at` is taken when
 * the prompt message is handed to the socket, so the handshake is not part of TTFT. Never rejects.
 */
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import type { PromptPlan, RunPlan, Timeouts } from '../scenario/plan';
import type { ProtocolClient, SentRequest } from './http-client';
import { MappedEventHandler, mappedBody, type WebSocketApiConfig } from './json-mapping';
import { makeSplitter } from './openai-chat';
import { sentRequestOf } from './sent-request';
import { StreamRecord } from './stream-record';
import type { ThinkTagOptions } from './think-tags';
import { classifyTransportError, describeError } from './transport-errors';
import type { ErrorKind } from './types';

export const WS_ERROR_BODY_LIMIT = 4096;

export interface WebSocketClientOptions {
  config?: WebSocketApiConfig;
  think_tags?: ThinkTagOptions | false;
}

type WsPlan = Pick<RunPlan, 'model' | 'headers' | 'key'>;

export class WebSocketProtocolClient implements ProtocolClient {
  private readonly open = new Set<WebSocket>();
  private closed = false;

  constructor(
    private readonly plan: WsPlan,
    private readonly url: string,
    private readonly timeouts: Timeouts,
    private readonly opts: WebSocketClientOptions = {},
  ) {}

  send(prompt: PromptPlan, signal?: AbortSignal): Promise<SentRequest> {
    const message = JSON.stringify(mappedBody(this.opts.config?.message, prompt, this.plan.model));
    const headers: Record<string, string> = {};
    if (this.plan.key) headers.authorization = `Bearer ${this.plan.key}`;
    for (const [k, v] of Object.entries(this.plan.headers ?? {})) headers[k.toLowerCase()] = v;
    const handler = new MappedEventHandler(this.opts.config ?? {}, makeSplitter(this.opts.think_tags));
    return new Promise<SentRequest>((resolve) => {
      const rec = new StreamRecord();
      let sentAt = performance.now();
      let opened = false;
      let finished = false;
      let status: number | null = null;
      let firstByte: number | undefined;
      let packetsSeen = 0;
      let total: NodeJS.Timeout | undefined;
      let ttft: NodeJS.Timeout | undefined;
      let stall: NodeJS.Timeout | undefined;
      let ws: WebSocket | undefined;

      const finish = (now: number): void => {
        if (finished) return;
        finished = true;
        clearTimeout(total);
        clearTimeout(ttft);
        clearTimeout(stall);
        signal?.removeEventListener('abort', onAbort);
        if (ws) {
          this.open.delete(ws);
          if (ws.readyState === WebSocket.OPEN) ws.close(1000);
          else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        }
        resolve(sentRequestOf(rec, sentAt, status, now - sentAt, firstByte));
      };
      const fail = (kind: ErrorKind, message: string): void => {
        if (finished) return;
        if (!rec.complete) rec.fail(kind, message);
        if (ws && ws.readyState !== WebSocket.CLOSED) ws.terminate();
        finish(performance.now());
      };
      const onAbort = (): void => fail('cancelled', 'cancelled by the caller');
      const armClock = (): void => {
        clearTimeout(total);
        clearTimeout(ttft);
        const { total_ms, ttft_ms } = this.timeouts;
        if (total_ms > 0) total = setTimeout(() => fail('timeout_total', `no end of stream within ${total_ms} ms`), total_ms);
        if (ttft_ms !== undefined && ttft_ms > 0) ttft = setTimeout(() => fail('timeout_ttft', `no output within ${ttft_ms} ms`), ttft_ms);
      };

      if (this.closed) {
        rec.fail('cancelled', 'client is closed');
        finish(performance.now());
        return;
      }
      if (signal?.aborted) {
        rec.fail('cancelled', 'aborted before sending');
        finish(performance.now());
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      armClock();
      try {
        ws = new WebSocket(this.url, { headers, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
      } catch (err) {
        rec.fail('connect', `cannot open WebSocket: ${describeError(err)}`);
        finish(performance.now());
        return;
      }
      this.open.add(ws);
      const socket = ws;
      socket.on('unexpected-response', (req, res: IncomingMessage) => {
        status = res.statusCode ?? null;
        firstByte = performance.now() - sentAt;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (): void => {
          const text = Buffer.concat(chunks).toString('utf8').trim();
          const s = status ?? 0;
          const kind: ErrorKind = s === 429 ? 'http_429' : s >= 500 ? 'http_5xx' : 'http_4xx';
          const ra = res.headers['retry-after'];
          if (!rec.error) rec.fail(kind, `HTTP ${s}${text ? `: ${text}` : ''}`, typeof ra === 'string' ? ra : undefined);
          req.destroy();
          finish(performance.now());
        };
        res.on('data', (c: Buffer) => {
          if (size < WS_ERROR_BODY_LIMIT) {
            chunks.push(c.subarray(0, WS_ERROR_BODY_LIMIT - size));
            size += Math.min(c.length, WS_ERROR_BODY_LIMIT - size);
          }
          if (size >= WS_ERROR_BODY_LIMIT) done();
        });
        res.on('end', done);
        res.on('error', done);
      });
      socket.on('upgrade', (res: IncomingMessage) => {
        status = res.statusCode ?? 101;
      });
      socket.on('open', () => {
        if (finished) return;
        opened = true;
        sentAt = performance.now();
        firstByte = undefined;
        armClock();
        socket.send(message, (err) => {
          if (err) fail('disconnect', `sending the prompt failed: ${describeError(err)}`);
        });
      });
      socket.on('message', (data: WebSocket.RawData) => {
        const t = performance.now() - sentAt;
        if (finished) return;
        if (firstByte === undefined) firstByte = t;
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        const text = buf.toString('utf8');
        try {
          if (!handler.handle(rec, t, text, buf.length)) {
            rec.add(t, 'other', buf.length, text);
            rec.fail('bad_stream', `message is not JSON: ${text.slice(0, 200)}`);
          }
        } catch (err) {
          rec.fail('bad_stream', `decoder failed: ${describeError(err)}`);
        }
        if (rec.packet_count !== packetsSeen) {
          packetsSeen = rec.packet_count;
          const stallMs = this.timeouts.stall_ms;
          if (stallMs !== undefined && stallMs > 0) {
            clearTimeout(stall);
            stall = setTimeout(() => fail('timeout_stall', `no packet for ${stallMs} ms`), stallMs);
          }
          if (rec.first_output_ms !== undefined && ttft) {
            clearTimeout(ttft);
            ttft = undefined;
          }
        }
        if (rec.complete || rec.error) finish(performance.now());
      });
      socket.on('error', (err: Error) => {
        if (finished) return;
        if (!rec.complete) rec.fail(classifyTransportError(err, opened), describeError(err));
        finish(performance.now());
      });
      socket.on('close', (code: number, reason: Buffer) => {
        if (finished) return;
        if (!rec.complete) rec.fail(opened ? 'disconnect' : 'connect', `socket closed (${code}${reason.length ? ` ${reason.toString('utf8')}` : ''}) before the done marker`);
        finish(performance.now());
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const ws of this.open) ws.terminate();
    this.open.clear();
  }
}
