// The openai-chat client over real loopback sockets: a node:http server in the test writes fixture
// bytes with controlled splits and pauses, or misbehaves in one specific way per route.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type ClientPlan, type ProtocolClient } from '../../src/core/protocols';
import type { PromptPlan } from '../../src/core/scenario/plan';

const fixture = (name: string): Buffer => readFileSync(path.join(__dirname, '../fixtures/streams', name));
const REASONING = fixture('openai-chat-reasoning.sse');

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  remotePort: number | undefined;
}
const seen: Seen[] = [];
let server: Server;
let base = '';

function sse(res: ServerResponse): void {
  res.socket?.setNoDelay(true);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}
/** Writes and waits until the bytes are handed to the kernel, then pauses so the reads stay apart. */
async function write(res: ServerResponse, data: string | Buffer, pauseMs = 15): Promise<void> {
  await new Promise<void>((resolve) => res.write(data, () => resolve()));
  await sleep(pauseMs);
}
const chunk = (delta: object, extra: object = {}) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-sock', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
  async ok(_req, res) {
    sse(res);
    // Split in the middle of the events, inside "é" (2 bytes) and "🚀" (4 bytes).
    const cuts = [REASONING.indexOf('caf') + 4, REASONING.indexOf('🚀') + 2, REASONING.indexOf('日本') + 1];
    let prev = 0;
    for (const c of [...cuts.sort((a, b) => a - b), REASONING.length]) {
      await write(res, REASONING.subarray(prev, c));
      prev = c;
    }
    res.end();
  },
  async split(req, res) {
    // ?at=N: one split at byte N.
    const at = Number(new URL(req.url ?? '', 'http://x').searchParams.get('at'));
    sse(res);
    await write(res, REASONING.subarray(0, at), 5);
    res.end(REASONING.subarray(at));
  },
  async json(_req, res) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'cmpl-json', choices: [{ index: 0, message: { role: 'assistant', content: 'Plain.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 4, completion_tokens: 2 } }));
  },
  async r429(_req, res) {
    res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
    res.end('{"error":{"message":"rate limited"}}');
  },
  async r400(_req, res) {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"max_tokens is too large"}}');
  },
  async r503(_req, res) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('x'.repeat(100_000)); // a long body is read only up to the bound
  },
  async midError(_req, res) {
    sse(res);
    await write(res, fixture('openai-chat-error-midstream.sse'));
    res.end();
  },
  async noDone(_req, res) {
    sse(res);
    await write(res, chunk({ content: 'partial' }));
    res.end();
  },
  async reset(_req, res) {
    sse(res);
    await write(res, chunk({ role: 'assistant', content: '' }));
    await write(res, chunk({ content: 'cut' }));
    // Let this shared event loop's poll phase read the bytes first: a reset drops unread bytes.
    await new Promise((resolve) => setImmediate(resolve));
    res.socket?.resetAndDestroy();
  },
  async garbage(_req, res) {
    sse(res);
    await write(res, 'this is not SSE\n\n');
    res.end();
  },
  async onlyPings(_req, res) {
    sse(res);
    for (let i = 0; i < 100 && !res.destroyed; i++) await write(res, ': ping\n\n', 20);
    res.end();
  },
  async stall(_req, res) {
    sse(res);
    await write(res, chunk({ role: 'assistant', content: '' }));
    await write(res, chunk({ content: 'first' }));
    // then silence until the client gives up (bounded: the server closes after 5 s)
    await sleep(5000);
    res.end();
  },
  async steadyThenStall(_req, res) {
    sse(res);
    // 12 packets 50 ms apart (600 ms of stream, three times the stall window), then silence
    for (let i = 0; i < 12 && !res.destroyed; i++) await write(res, chunk({ content: `${i} ` }), 50);
    await sleep(3000);
    res.end();
  },
  async slowForever(_req, res) {
    sse(res);
    for (let i = 0; i < 200 && !res.destroyed; i++) await write(res, chunk({ content: 'x' }), 20);
    res.end();
  },
  async doneOpen(_req, res) {
    sse(res);
    await write(res, REASONING);
    for (let i = 0; i < 150 && !res.destroyed; i++) await sleep(20); // keeps the response open, bounded
    res.end();
  },
  async silent(_req, res) {
    // Never answers; bounded: gives up after 3 s.
    for (let i = 0; i < 150 && !res.destroyed; i++) await sleep(20);
    res.destroy();
  },
  async jsonError(_req, res) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"model is loading","code":503}}');
  },
  async many(_req, res) {
    sse(res);
    for (let i = 0; i < 5; i++) await write(res, chunk({ content: `t${i} ` }), 10);
    await write(res, 'data: [DONE]\n\n', 0);
    res.end();
  },
  async hang(_req, res) {
    sse(res);
    await write(res, chunk({ reasoning_content: 'thinking...' }));
    await write(res, chunk({ content: 'a' }));
    for (let i = 0; i < 250 && !res.destroyed; i++) await sleep(20);
    res.end();
  },
};

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      seen.push({ url: req.url ?? '', headers: req.headers, body, remotePort: req.socket.remotePort });
      const route = routes[(req.url ?? '').split('/')[1] ?? ''];
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      route(req, res).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const plan = (timeouts: ClientPlan['timeouts'] = { total_ms: 5000 }): ClientPlan => ({
  api: 'openai-chat',
  model: 'test-model',
  timeouts,
  headers: { 'x-team': 'perf' },
  key: 'sk-test',
});
const prompt: PromptPlan = {
  name: 'p',
  weight: 1,
  messages: [{ role: 'user', content: 'Say hi' }],
  params: { max_tokens: 64, temperature: 0 },
  body: { temperature: 0.5, chat_template_kwargs: { enable_thinking: true } },
};

async function withClient<T>(route: string, fn: (c: ProtocolClient) => Promise<T>, timeouts?: ClientPlan['timeouts']): Promise<T> {
  const c = createClient(plan(timeouts), `${base}/${route}/v1`, { connections: 4 });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

test('streams a reasoning answer: request shape, packet kinds, clock, usage', async () => {
  const r = await withClient('ok', (c) => c.send(prompt));
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.http_status, 200);
  assert.equal(r.complete, true);
  assert.equal(r.thinking_text, 'Let me think about café ☕.');
  assert.equal(r.answer_text, 'Voilà: 🚀 日本語!');
  assert.deepEqual(r.usage, { prompt_tokens: 12, completion_tokens: 9, reasoning_tokens: 5, cached_tokens: 8 });
  assert.equal(r.response_id, 'chatcmpl-abc123');
  assert.equal(r.finish_reason, 'stop');
  const kinds = r.packets.map((p) => p.kind);
  assert.deepEqual(kinds, ['heartbeat', 'other', 'thinking', 'thinking', 'heartbeat', 'heartbeat', 'answer', 'answer', 'answer', 'other', 'stats', 'done']);
  // Clock: monotone, after the headers, and the reads were apart, so the first thinking packet
  // (completed by the second write) arrives strictly after the first packet.
  for (let i = 1; i < r.packets.length; i++) assert.ok(r.packets[i].t_ms >= r.packets[i - 1].t_ms);
  assert.ok(r.first_byte_ms !== undefined && r.first_byte_ms >= 0);
  assert.ok(r.packets[0].t_ms >= r.first_byte_ms!);
  assert.ok(r.end_ms >= r.packets.at(-1)!.t_ms);
  assert.ok(Math.abs(r.start_ms - (performance.timeOrigin + r.sent_at)) < 1e-6);
  const req = seen.find((s) => s.url.startsWith('/ok/'))!;
  assert.equal(req.url, '/ok/v1/chat/completions');
  assert.equal(req.headers.authorization, 'Bearer sk-test');
  assert.equal(req.headers.accept, 'text/event-stream');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers['x-team'], 'perf');
  assert.deepEqual(req.body, {
    model: 'test-model',
    messages: [{ role: 'user', content: 'Say hi' }],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 64,
    temperature: 0.5,
    chat_template_kwargs: { enable_thinking: true },
  });
});

test('a split inside multi-byte characters over a socket decodes the same', async () => {
  const offsets = [1, REASONING.indexOf('é') + 1, REASONING.indexOf('☕') + 1, REASONING.indexOf('☕') + 2, REASONING.indexOf('🚀') + 3, REASONING.indexOf('語') + 2, REASONING.length - 3];
  for (const at of offsets) {
    const c = createClient(plan(), `${base}/split/v1/chat/completions?at=${at}`);
    const r = await c.send(prompt);
    await c.close();
    assert.equal(r.error, undefined, `split at ${at}: ${JSON.stringify(r.error)}`);
    assert.equal(r.answer_text, 'Voilà: 🚀 日本語!', `split at ${at}`);
    assert.equal(r.thinking_text, 'Let me think about café ☕.', `split at ${at}`);
    assert.equal(r.packets.length, 12);
  }
});

test('keep-alive: sequential requests reuse connections', async () => {
  const before = seen.length;
  await withClient('json', async (c) => {
    for (let i = 0; i < 6; i++) assert.equal((await c.send(prompt)).error, undefined);
  });
  // undici waits one event-loop turn before reusing a socket, so a request sent right after the
  // previous one ended may open a second connection; without keep-alive there would be six.
  const ports = new Set(seen.slice(before).map((s) => s.remotePort));
  assert.ok(ports.size <= 2, `${ports.size} connections`);
});

test('a JSON body instead of a stream: one answer and a stats packet, complete', async () => {
  const r = await withClient('json', (c) => c.send(prompt));
  assert.equal(r.error, undefined);
  assert.deepEqual(r.packets.map((p) => p.kind), ['answer', 'stats']);
  assert.equal(r.answer_text, 'Plain.');
  assert.equal(r.complete, true);
});

test('HTTP failures: 429 with retry-after, 4xx, 5xx with a bounded body', async () => {
  const r429 = await withClient('r429', (c) => c.send(prompt));
  assert.equal(r429.http_status, 429);
  assert.equal(r429.error?.kind, 'http_429');
  assert.equal(r429.error?.retry_after, '7');
  assert.match(r429.error!.message, /rate limited/);
  const r400 = await withClient('r400', (c) => c.send(prompt));
  assert.equal(r400.error?.kind, 'http_4xx');
  assert.match(r400.error!.message, /max_tokens is too large/);
  const r503 = await withClient('r503', (c) => c.send(prompt));
  assert.equal(r503.error?.kind, 'http_5xx');
  assert.equal(r503.http_status, 503);
  assert.ok(r503.error!.message.length < 5000);
  assert.deepEqual(r503.packets, []);
});

test('connect: nothing listens on the port', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const c = createClient(plan(), `http://127.0.0.1:${port}/v1`);
  const r = await c.send(prompt);
  await c.close();
  assert.equal(r.error?.kind, 'connect');
  assert.match(r.error!.message, /ECONNREFUSED/);
  assert.equal(r.http_status, null);
});

test('stream_error: an error object mid-stream keeps the packets before it', async () => {
  const r = await withClient('midError', (c) => c.send(prompt));
  assert.equal(r.error?.kind, 'stream_error');
  assert.equal(r.answer_text, 'Hello');
  assert.deepEqual(r.packets.map((p) => p.kind), ['other', 'answer', 'error']);
});

test('disconnect: clean end without [DONE], and a socket reset mid-stream', async () => {
  const r1 = await withClient('noDone', (c) => c.send(prompt));
  assert.equal(r1.error?.kind, 'disconnect');
  assert.equal(r1.answer_text, 'partial');
  const r2 = await withClient('reset', (c) => c.send(prompt));
  assert.equal(r2.error?.kind, 'disconnect');
  assert.equal(r2.answer_text, 'cut');
  assert.deepEqual(r2.packets.map((p) => p.kind), ['other', 'answer']);
});

test('bad_stream: a body that is not SSE', async () => {
  const r = await withClient('garbage', (c) => c.send(prompt));
  assert.equal(r.error?.kind, 'bad_stream');
});

test('timeout_ttft: keep-alives do not count as the first token', async () => {
  const r = await withClient('onlyPings', (c) => c.send(prompt), { total_ms: 5000, ttft_ms: 150 });
  assert.equal(r.error?.kind, 'timeout_ttft');
  assert.ok(r.packets.length > 0 && r.packets.every((p) => p.kind === 'heartbeat'));
  assert.ok(r.end_ms >= 145, `end ${r.end_ms}`);
});

test('timeout_stall: no packet for stall_ms after the stream started; packets kept', async () => {
  const r = await withClient('stall', (c) => c.send(prompt), { total_ms: 5000, stall_ms: 200 });
  assert.equal(r.error?.kind, 'timeout_stall');
  assert.equal(r.answer_text, 'first');
  assert.ok(r.end_ms - r.packets.at(-1)!.t_ms >= 195, `gap ${r.end_ms - r.packets.at(-1)!.t_ms}`); // timers may fire ~1 ms early
});

test('timeout_stall counts from the last packet, not the first: a steady stream longer than the window is not cut', async () => {
  const r = await withClient('steadyThenStall', (c) => c.send(prompt), { total_ms: 5000, stall_ms: 200 });
  assert.equal(r.error?.kind, 'timeout_stall');
  assert.equal(r.answer_text, Array.from({ length: 12 }, (_, i) => `${i} `).join(''));
  const last = r.packets.at(-1)!.t_ms;
  assert.ok(last >= 400, `last packet at ${last}`);
  assert.ok(r.end_ms - last >= 195, `gap ${r.end_ms - last}`);
});

test('timeout_total: a stream that keeps going past total_ms', async () => {
  const r = await withClient('slowForever', (c) => c.send(prompt), { total_ms: 300, stall_ms: 1000 });
  assert.equal(r.error?.kind, 'timeout_total');
  assert.ok(r.answer_chunks > 0);
  assert.ok(r.end_ms >= 295, `end ${r.end_ms}`);
});

test('cancelled: the caller aborts mid-stream; packets so far are kept', async () => {
  const ac = new AbortController();
  const r = await withClient('hang', async (c) => {
    const p = c.send(prompt, ac.signal);
    await sleep(150);
    ac.abort();
    return p;
  });
  assert.equal(r.error?.kind, 'cancelled');
  assert.deepEqual(r.packets.map((p) => p.kind), ['thinking', 'answer']);
  const pre = new AbortController();
  pre.abort();
  const r2 = await withClient('hang', (c) => c.send(prompt, pre.signal));
  assert.equal(r2.error?.kind, 'cancelled');
  assert.deepEqual(r2.packets, []);
});

test('a base URL that already ends with the endpoint path is used as is', async () => {
  const c = createClient(plan(), `${base}/json/v1/chat/completions`);
  const r = await c.send(prompt);
  await c.close();
  assert.equal(r.error, undefined);
  assert.equal(seen.at(-1)!.url, '/json/v1/chat/completions');
});

test('the result is final at the done marker even when the server keeps the response open', async () => {
  const r = await withClient('doneOpen', (c) => c.send(prompt), { total_ms: 1000 });
  assert.equal(r.error, undefined);
  assert.equal(r.complete, true);
  assert.equal(r.packets.at(-1)!.kind, 'done');
  assert.ok(r.end_ms < 1000, `end ${r.end_ms}`); // ended by [DONE], not by the total timeout
});

test('one signal shared by many requests: those in flight are cancelled, one that finished before is not', async () => {
  const ac = new AbortController();
  const [done, ...hung] = await withClient('ok', async (c) => {
    const first = await c.send(prompt, ac.signal);
    return [first];
  }).then(async ([first]) => [
    first!,
    ...(await withClient('hang', async (c) => {
      const ps = Array.from({ length: 3 }, () => c.send(prompt, ac.signal));
      await sleep(150);
      ac.abort();
      return Promise.all(ps);
    })),
  ]);
  assert.equal(done!.error, undefined);
  assert.equal(done!.complete, true);
  assert.equal(hung.length, 3);
  for (const r of hung) {
    assert.equal(r.error?.kind, 'cancelled', JSON.stringify(r.error));
    // what arrived before the abort is kept (how much did depends on the machine's speed)
    assert.deepEqual(r.packets.map((p) => p.kind), ['thinking', 'answer'].slice(0, r.packets.length));
  }
});

test('closing the client with a request in flight resolves it as cancelled', async () => {
  const c = createClient(plan(), `${base}/hang/v1`);
  const p = c.send(prompt);
  await sleep(100);
  await c.close();
  const r = await p;
  assert.equal(r.error?.kind, 'cancelled');
  assert.equal(r.thinking_text, 'thinking...');
  const after = await c.send(prompt);
  assert.equal(after.error?.kind, 'cancelled');
});

test('no response headers at all: timeout_ttft, or timeout_total without a TTFT limit', async () => {
  const r = await withClient('silent', (c) => c.send(prompt), { total_ms: 5000, ttft_ms: 150 });
  assert.equal(r.error?.kind, 'timeout_ttft');
  assert.equal(r.http_status, null);
  assert.equal(r.first_byte_ms, undefined);
  const t = await withClient('silent', (c) => c.send(prompt), { total_ms: 200 });
  assert.equal(t.error?.kind, 'timeout_total');
});

test('a JSON error object with status 200 is stream_error', async () => {
  const r = await withClient('jsonError', (c) => c.send(prompt));
  assert.equal(r.error?.kind, 'stream_error');
  assert.match(r.error!.message, /model is loading/);
  assert.deepEqual(r.packets.map((p) => p.kind), ['error']);
});

test('40 concurrent streams on a pool of 8 connections all complete, on at most 8 sockets', async () => {
  const before = seen.length;
  const c = createClient(plan(), `${base}/many/v1`, { connections: 8 });
  const results = await Promise.all(Array.from({ length: 40 }, () => c.send(prompt)));
  await c.close();
  for (const r of results) {
    assert.equal(r.error, undefined);
    assert.equal(r.answer_text, 't0 t1 t2 t3 t4 ');
    assert.equal(r.complete, true);
  }
  const ports = new Set(seen.slice(before).map((x) => x.remotePort));
  assert.ok(ports.size <= 8, `${ports.size} sockets`);
});
