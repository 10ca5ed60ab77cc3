// The reasoning stream of the built-in simulator's format, split into two TCP writes at every
// byte offset (inside multi-byte UTF-8 characters too): the client must decode the same packets,
// texts and kinds every time.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '../../src/core/protocols';

const chunk = (delta: object, extra: object = {}): string => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, ...extra }] })}\n\n`;
const STREAM = Buffer.from(
  chunk({ role: 'assistant', content: '' }) +
    ': keep-alive\n\n' +
    chunk({ reasoning_content: 'Pensons… é' }) +
    chunk({ content: '東京 🚀' }) +
    chunk({}, { finish_reason: 'stop' }) +
    `data: ${JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } })}\n\n` +
    'data: [DONE]\n\n',
  'utf8',
);

let server: http.Server;
let base = '';
before(async () => {
  let n = 0;
  server = http.createServer((req, res) => {
    // the n-th request is split after byte n
    const at = ++n;
    req.resume();
    req.on('end', () => {
      res.socket!.setNoDelay(true);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(STREAM.subarray(0, at));
      setTimeout(() => res.end(STREAM.subarray(at)), 1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(() => server.close());

test('SSE split across two TCP writes at every byte offset decodes to the same packets', async () => {
  const client = createClient({ api: 'openai-chat', model: 'm', timeouts: { total_ms: 5000 }, headers: {} }, base, { connections: 1 });
  let reference: string | undefined;
  try {
    for (let at = 1; at < STREAM.length; at++) {
      const r = await client.send({ name: 'p', weight: 1, messages: [{ role: 'user', content: 'x' }], params: {} });
      assert.equal(r.error, undefined, `split at ${at}`);
      assert.equal(r.thinking_text, 'Pensons… é', `split at ${at}`);
      assert.equal(r.answer_text, '東京 🚀', `split at ${at}`);
      const shape = JSON.stringify(r.packets.map((p) => [p.kind, p.bytes, p.kind === 'thinking' || p.kind === 'answer' ? p.text : '']));
      reference ??= shape;
      assert.equal(shape, reference, `split at ${at}`);
      assert.deepEqual(
        r.packets.map((p) => p.kind),
        ['other', 'heartbeat', 'thinking', 'answer', 'other', 'stats', 'done'],
      );
    }
  } finally {
    await client.close();
  }
});

test('a whole JSON body (the server ignored `stream`) split across TCP writes is kept whole until it ends', async () => {
  // bodies of unknown type too: the decoder holds the bytes until it can tell, across reads that
  // land in one reused buffer
  const body = Buffer.from(JSON.stringify({ id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour à tous, 東京 🚀' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 5 } }), 'utf8');
  let n = 0;
  const cuts = [1, 9, 40, 77, body.length - 3];
  const types = ['application/json', 'text/plain'];
  const srv = http.createServer((req, res) => {
    const at = cuts[Math.floor(n / types.length)]!;
    const type = types[n++ % types.length]!;
    req.resume();
    req.on('end', () => {
      res.socket!.setNoDelay(true);
      res.writeHead(200, { 'content-type': type });
      res.write(body.subarray(0, at));
      setTimeout(() => res.write(Buffer.alloc(0)), 1);
      setTimeout(() => res.end(body.subarray(at)), 5);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const client = createClient({ api: 'openai-chat', model: 'm', timeouts: { total_ms: 5000 }, headers: {} }, `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1`, { connections: 1 });
  try {
    for (let i = 0; i < cuts.length * types.length; i++) {
      const r = await client.send({ name: 'p', weight: 1, messages: [{ role: 'user', content: 'x' }], params: {} });
      assert.equal(r.error, undefined, `request ${i}: ${JSON.stringify(r.error)}`);
      assert.equal(r.answer_text, 'Bonjour à tous, 東京 🚀', `request ${i}`);
    }
  } finally {
    await client.close();
    srv.close();
  }
});
