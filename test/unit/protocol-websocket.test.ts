// The websocket API over a real loopback WebSocket server (the ws package): the prompt goes out as
// the scenario's message template, replies are mapped by JSON paths, failures are classified.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { createClient, type ClientPlan, type WebSocketApiConfig } from '../../src/core/protocols';
import type { PromptPlan } from '../../src/core/scenario/plan';
import { fixture } from '../fixtures/streams/helpers';

const MESSAGES = fixture('ws-messages.jsonl').toString('utf8').split('\n').filter(Boolean);
const CONFIG: WebSocketApiConfig = {
  message: { op: 'generate', input: '{{prompt}}', model: '{{model}}', max: '{{max_tokens}}' },
  answer: 'text',
  thinking: 'thinking',
  id: 'id',
  usage: { prompt_tokens: 'usage.input', completion_tokens: 'usage.output' },
  done: 'done',
};

let http: Server;
let wss: WebSocketServer;
let base = '';
const got: { path: string; message: unknown; auth?: string }[] = [];

async function sendAll(ws: WebSocket, msgs: string[]): Promise<void> {
  for (const m of msgs) {
    if (ws.readyState !== ws.OPEN) return;
    await new Promise<void>((resolve) => ws.send(m, () => resolve()));
    await sleep(5);
  }
}

before(async () => {
  http = createServer();
  wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    if (req.url === '/reject') {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\ncontent-length: 12\r\n\r\nbad api key!');
      return;
    }
    if (req.url === '/busy') {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nretry-after: 3\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('message', (data) => {
        got.push({ path: req.url ?? '', message: JSON.parse(String(data)), auth: req.headers.authorization });
        const route = async () => {
          switch (req.url) {
            case '/ok':
              await sendAll(ws, MESSAGES);
              break;
            case '/err':
              await sendAll(ws, [MESSAGES[2], JSON.stringify({ error: { message: 'engine overloaded' } })]);
              break;
            case '/close':
              await sendAll(ws, MESSAGES.slice(0, 3));
              ws.close(1011, 'internal error');
              break;
            case '/garbage':
              await sendAll(ws, ['<<<not json>>>']);
              break;
            case '/stall':
              await sendAll(ws, MESSAGES.slice(0, 3));
              for (let i = 0; i < 150 && ws.readyState === ws.OPEN; i++) await sleep(20);
              break;
          }
        };
        route().catch(() => ws.terminate());
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
after(() => {
  for (const c of wss.clients) c.terminate();
  wss.close();
  http.closeAllConnections();
  http.close();
});

const prompt: PromptPlan = { name: 'p', weight: 1, messages: [{ role: 'user', content: 'Say hello' }], params: { max_tokens: 16 } };

async function run(path: string, timeouts: ClientPlan['timeouts'] = { total_ms: 5000 }, signal?: AbortSignal) {
  const c = createClient({ api: 'websocket', model: 'ws-model', timeouts, headers: { 'x-trace': '1' }, key: 'wkey' }, `${base}${path}`, { websocket: CONFIG });
  try {
    return await c.send(prompt, signal);
  } finally {
    await c.close();
  }
}

test('websocket: template sent, messages mapped to thinking/answer/stats/done', async () => {
  const r = await run('/ok');
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.http_status, 101);
  assert.deepEqual(r.packets.map((p) => p.kind), ['other', 'thinking', 'answer', 'answer', 'stats', 'done']);
  assert.equal(r.thinking_text, 'planning');
  assert.equal(r.answer_text, 'Hello, wörld');
  assert.deepEqual(r.usage, { prompt_tokens: 3, completion_tokens: 4 });
  assert.equal(r.response_id, 'ws-1');
  assert.equal(r.complete, true);
  assert.equal(r.packets[2].bytes, Buffer.byteLength(MESSAGES[2]));
  for (let i = 1; i < r.packets.length; i++) assert.ok(r.packets[i].t_ms >= r.packets[i - 1].t_ms);
  const sent = got.find((g) => g.path === '/ok')!;
  assert.deepEqual(sent.message, { op: 'generate', input: 'Say hello', model: 'ws-model', max: 16 });
  assert.equal(sent.auth, 'Bearer wkey');
});

test('websocket: an error message is stream_error; answer before it kept', async () => {
  const r = await run('/err');
  assert.equal(r.error?.kind, 'stream_error');
  assert.match(r.error!.message, /engine overloaded/);
  assert.equal(r.answer_text, 'Hello');
});

test('websocket: the server closing before done is disconnect', async () => {
  const r = await run('/close');
  assert.equal(r.error?.kind, 'disconnect');
  assert.match(r.error!.message, /1011/);
  assert.deepEqual(r.packets.map((p) => p.kind), ['other', 'thinking', 'answer']);
});

test('websocket: non-JSON message is bad_stream', async () => {
  const r = await run('/garbage');
  assert.equal(r.error?.kind, 'bad_stream');
});

test('websocket: upgrade refused with 401 is http_4xx with the body; 429 keeps retry-after', async () => {
  const r = await run('/reject');
  assert.equal(r.error?.kind, 'http_4xx');
  assert.equal(r.http_status, 401);
  assert.match(r.error!.message, /bad api key!/);
  const b = await run('/busy');
  assert.equal(b.error?.kind, 'http_429');
  assert.equal(b.error?.retry_after, '3');
});

test('websocket: nothing listening is connect', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const c = createClient({ api: 'websocket', model: 'm', timeouts: { total_ms: 3000 }, headers: {} }, `ws://127.0.0.1:${port}/x`, { websocket: CONFIG });
  const r = await c.send(prompt);
  await c.close();
  assert.equal(r.error?.kind, 'connect');
});

test('websocket: stall and cancel keep the packets', async () => {
  const r = await run('/stall', { total_ms: 5000, stall_ms: 150 });
  assert.equal(r.error?.kind, 'timeout_stall');
  assert.equal(r.answer_text, 'Hello');
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 120);
  const c = await run('/stall', { total_ms: 5000 }, ac.signal);
  assert.equal(c.error?.kind, 'cancelled');
  assert.equal(c.thinking_text, 'planning');
});
