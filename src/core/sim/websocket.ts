/**
 * The simulator's WebSocket front end: upgrades on /v1/ws (or any path; the `ws` package), one JSON request
 * per text message, any number of requests per connection (replies carry the response `id` and
 * the client's `request_id`). An http_* fault in the upgrade request's fault header refuses the
 * handshake with that status; other faults in the header apply to every request of the connection
 * unless a message names its own `fault`.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { parseWsRequest, websocketApi, wsErrorMessage } from './apis/websocket-messages';
import { FAULT_HEADER, parseFaultHeader } from './faults';
import { playStream, type FrameSink } from './player';
import { RESPONSE_ID_HEADER, type SimCore } from './core';
import { wallClockMs } from './send-log';

export const WS_PATH = '/v1/ws';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 429: 'Too Many Requests', 500: 'Internal Server Error', 404: 'Not Found' };

function refuse(socket: Duplex, status: number, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: { message: `simulated ${status}`, code: status } });
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(lines.join('\r\n') + '\r\n\r\n' + body);
}

export function attachWebSocket(server: http.Server, core: SimCore): { closeAll(): void } {
  const wss = new WebSocketServer({ noServer: true });

  server.on('upgrade', (req, socket, head) => {
    // Any path upgrades (the simulator has one WebSocket endpoint; WS_PATH is its documented
    // name), so a builtin target's base URL works as the WebSocket URL too.
    if (core.closing) {
      socket.destroy();
      return;
    }
    const header = req.headers[FAULT_HEADER];
    const connectionFault = typeof header === 'string' && header.trim() !== '' ? header : undefined;
    if (connectionFault) {
      const f = parseFaultHeader(connectionFault);
      if ('error' in f) return refuse(socket, 400);
      if (f.kind === 'http_429') return refuse(socket, 429, { 'retry-after': String(f.arg ?? core.profile.retry_after_s) });
      if (f.kind === 'http_500') return refuse(socket, 500);
      if (f.kind === 'http_400') return refuse(socket, 400);
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, core, connectionFault));
  });

  return {
    closeAll() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function serveConnection(ws: WebSocket, core: SimCore, connectionFault: string | undefined): void {
  const closeHandlers = new Set<() => void>();
  ws.on('close', () => {
    for (const fn of closeHandlers) fn();
    closeHandlers.clear();
  });
  ws.on('error', () => ws.terminate());

  ws.on('message', (data, isBinary) => {
    const received = wallClockMs();
    if (isBinary) {
      ws.send(wsErrorMessage('openai', 400, 'send requests as JSON text messages'));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(data.toString());
    } catch (e) {
      ws.send(wsErrorMessage('openai', 400, `message is not valid JSON: ${(e as Error).message}`));
      return;
    }
    const parsed = parseWsRequest(body);
    if (!parsed.request) {
      ws.send(wsErrorMessage(parsed.format, 400, parsed.error ?? 'invalid request', undefined, parsed.requestId));
      return;
    }
    const api = websocketApi(parsed.requestId, parsed.format);
    const p = core.prepare(api, parsed.request, parsed.fault ?? connectionFault, parsed.reasoningFormat);
    if (p.kind === 'reject') {
      ws.send(wsErrorMessage(parsed.format, p.status, p.message, p.headers[RESPONSE_ID_HEADER], parsed.requestId));
      return;
    }
    let ended = false;
    const onEnd: (() => void)[] = [];
    const finishResponse = (): void => {
      if (ended) return;
      ended = true;
      for (const fn of onEnd) fn();
    };
    const sink: FrameSink = {
      open: () => undefined,
      write: (frame) => ws.send(frame),
      end: finishResponse,
      endEarly: () => {
        finishResponse();
        ws.close(1000, 'simulated disconnect');
      },
      reset: () => {
        finishResponse();
        ws.terminate();
      },
      destroy: () => {
        finishResponse();
        ws.terminate();
      },
      get finished() {
        return ended || ws.readyState !== WebSocket.OPEN;
      },
      onClose: (fn) => {
        onEnd.push(fn);
        closeHandlers.add(fn);
      },
    };
    const running = playStream({
      sink,
      encoder: api.encoder(p.ctx),
      profile: p.profile,
      gen: p.gen,
      fault: p.fault,
      engine: core.engine,
      sendTimes: core.sendLog.open(p.ctx.id, received),
      plannedOutputTokens: p.plannedOutputTokens,
    });
    core.track(running);
    void running.ended.then(() => {
      // Forget this response's handler on the connection once it is over.
      for (const fn of onEnd) closeHandlers.delete(fn);
    });
  });
}
