// The mirror's relay on loopback against raw-socket primaries: pipelined requests get their
// answers in order, a chunked request body reaches the primary whole, Expect: 100-continue is
// answered, an announced close closes the client's connection, and a primary that breaks its
// framing, resets mid-stream or answers nothing gives a 502 or a closed connection and a
// classified record, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readRecords } from '../helpers/records';
import { startMirror } from '../../src/core/mirror/session';
import { listenRaw } from '../helpers/raw-server';

const SSE = ['Hi', ' you'].map((w) => `data: ${JSON.stringify({ id: 'r', choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })}\n\n`).join('') + `data: ${JSON.stringify({ id: 'r', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;

interface RawPrimary {
  url: string;
  /** Each request's head and body as the primary got them. */
  got: Array<{ head: string; body: string }>;
  close(): Promise<void>;
}

/**
 * Reads Content-Length requests one after another on each connection and answers each with
 * `answer(n, head)` (n counts requests over all connections): bytes to write, or a function
 * that writes on the socket itself.
 */
async function rawPrimary(answer: (n: number, head: string) => string | ((s: net.Socket) => void)): Promise<RawPrimary> {
  const p: RawPrimary = { url: '', got: [], close: async () => {} };
  const server = await listenRaw((sock) => {
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        p.got.push({ head, body: buf.subarray(end + 4, end + 4 + length).toString() });
        buf = buf.subarray(end + 4 + length);
        const a = answer(p.got.length - 1, head);
        if (typeof a === 'string') sock.write(a);
        else a(sock);
      }
    });
  });
  p.url = server.url;
  p.close = server.close;
  return p;
}

/** Writes `bytes` on a new connection to the mirror; resolves with all it got once the mirror closed the connection, or after `ms`. */
function exchange(port: number, bytes: string | string[], ms = 3000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    const parts = Array.isArray(bytes) ? bytes : [bytes];
    s.on('connect', () => {
      let i = 0;
      const next = (): void => {
        if (i < parts.length) s.write(parts[i++]!, () => setTimeout(next, 20));
      };
      next();
    });
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', () => {});
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text, closed: false });
    }, ms);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

const chat = (content: string): string => JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content }] });
const post = (body: string, extra = ''): string => `POST /v1/chat/completions HTTP/1.1\r\nHost: mirror\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-relay-'));

test('pipelined requests on one connection get their answers in order, each whole, and each is recorded', async (t) => {
  // Answers of different lengths and framings, the first one slowest, so order is the relay's doing.
  const primary = await rawPrimary((n) => (sock) => {
    const body = SSE.replace('Hi', `Hi${n}`);
    const answer = n % 2 === 0 ? `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` : `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    sock.write(answer);
  });
  const out = tmp();
  const m = await startMirror({ primary: primary.url, shadow: 'http://127.0.0.1:9', sample: 0, out });
  t.after(() => primary.close());
  const r = await exchange(m.port, [post(chat('a')) + post(chat('b')) + post(chat('c')), post(chat('d'), 'Connection: close\r\n')]);
  await m.close();
  assert.ok(r.closed, 'Connection: close ends the connection after its answer');
  const seen = [...r.text.matchAll(/"content":"Hi(\d)"/g)].map((x) => Number(x[1]));
  assert.deepEqual(seen, [0, 1, 2, 3]);
  assert.equal(primary.got.length, 4);
  assert.match(primary.got[3]!.head, /\r\nconnection: close/i);
  const recs = readRecords(path.join(out, 'primary', 'requests.jsonl'));
  assert.deepEqual(
    recs.map((x) => [x.status, x.output_tokens]),
    [0, 1, 2, 3].map(() => ['ok', 2]),
  );
});

test('a chunked request body reaches the primary whole with a Content-Length; Expect: 100-continue is answered; the Host is the primary', async (t) => {
  const primary = await rawPrimary(() => `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: ${Buffer.byteLength(SSE)}\r\n\r\n${SSE}`);
  const m = await startMirror({ primary: `${primary.url}/base`, shadow: 'http://127.0.0.1:9', sample: 0, out: tmp() });
  t.after(() => primary.close());
  const body = chat('chunked body');
  const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: mirror\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nAccept-Encoding: gzip\r\n\r\n';
  const r = await exchange(m.port, [head, `${(10).toString(16)};x=y\r\n${body.slice(0, 10)}\r\n`, `${(body.length - 10).toString(16)}\r\n${body.slice(10)}\r\n0\r\nX-T: 1\r\n\r\n`], 800);
  await m.close();
  assert.ok(r.text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n'), r.text.slice(0, 80));
  assert.ok(r.text.endsWith(SSE));
  const got = primary.got[0]!;
  assert.equal(got.body, body);
  assert.match(got.head, /^POST \/base\/v1\/chat\/completions HTTP\/1\.1\r\n/);
  assert.match(got.head, new RegExp(`\r\nhost: ${new URL(primary.url).host}`));
  assert.match(got.head, new RegExp(`\r\ncontent-length: ${body.length}`));
  assert.match(got.head, /\r\nAccept-Encoding: identity/);
  assert.doesNotMatch(got.head, /transfer-encoding|expect/i);
});

test('a primary that breaks its framing mid-stream or resets closes the client connection; a bad head gives a 502; each is recorded as a disconnect', async (t) => {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
  const first = SSE.slice(0, SSE.indexOf('\n\n') + 2);
  const answers: Array<string | ((s: net.Socket) => void)> = [
    `${head}${first.length.toString(16)}\r\n${first}\r\nzz\r\n`,
    (s) => {
      s.write(`${head}${first.length.toString(16)}\r\n${first}\r\n`);
      setTimeout(() => s.resetAndDestroy(), 30);
    },
    'HTTP/1.1 abc\r\n\r\n',
  ];
  const primary = await rawPrimary((n) => answers[n]!);
  const out = tmp();
  const m = await startMirror({ primary: primary.url, shadow: 'http://127.0.0.1:9', sample: 0, out });
  t.after(() => primary.close());
  const cut1 = await exchange(m.port, post(chat('1')));
  const cut2 = await exchange(m.port, post(chat('2')));
  const bad = await exchange(m.port, post(chat('3')), 800);
  await m.close();
  for (const r of [cut1, cut2]) {
    assert.ok(r.closed, 'the client connection was closed');
    assert.ok(r.text.startsWith("HTTP/1.1 200 OK") && r.text.includes(first), `what came before the break was passed on: ${JSON.stringify(r.text)}`);
  }
  assert.match(bad.text, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
  assert.match(bad.text, /"type":"bad_gateway"/);
  const recs = readRecords(path.join(out, 'primary', 'requests.jsonl'));
  assert.equal(recs.length, 3);
  for (const r of recs) assert.equal(r.error?.kind, 'disconnect', JSON.stringify(r.error));
  assert.match(recs[0]!.error!.message, /chunk/);
  assert.match(recs[2]!.error!.message, /status line/);
  assert.equal(recs[0]!.packets.answer, 1, 'the packet before the break is kept');
});

test('a request body above the cap is refused with 413 and the connection closed, without reaching the primary', async (t) => {
  const primary = await rawPrimary(() => 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  const m = await startMirror({ primary: primary.url, shadow: 'http://127.0.0.1:9', sample: 0, out: tmp() });
  t.after(() => primary.close());
  const r = await exchange(m.port, `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: ${64 * 1024 * 1024 + 1}\r\n\r\n{`);
  await m.close();
  assert.ok(r.closed);
  assert.match(r.text, /^HTTP\/1\.1 413 /);
  assert.match(r.text, /request body above 67108864 bytes/);
  assert.equal(primary.got.length, 0);
});

test('a reused primary connection found closed before any answer byte: the request goes again, once, on a new connection', async (t) => {
  const ok = `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: ${Buffer.byteLength(SSE)}\r\n\r\n${SSE}`;
  // Each connection answers its first request and drops the connection on its second, unanswered
  // (a keep-alive timeout that fired just as the request came); the 5th request (c sent again, on
  // a fresh connection) is dropped too, and that is not retried.
  const perConnection = new WeakMap<net.Socket, number>();
  const primary = await rawPrimary((n) => (sock) => {
    const k = (perConnection.get(sock) ?? 0) + 1;
    perConnection.set(sock, k);
    if (k === 2 || n === 4) sock.destroy();
    else sock.write(ok);
  });
  const out = tmp();
  const m = await startMirror({ primary: primary.url, shadow: 'http://127.0.0.1:9', sample: 0, out });
  t.after(() => primary.close());
  const r = await exchange(m.port, [post(chat('a')), post(chat('b')), post(chat('c'))], 1000);
  await m.close();
  assert.equal((r.text.match(/HTTP\/1\.1 200 OK/g) ?? []).length, 2, r.text);
  assert.match(r.text, /HTTP\/1\.1 502 Bad Gateway[\s\S]*$/);
  // a; b (dropped); b again on a new connection; c (dropped); c again on a new connection (dropped), and no more.
  assert.equal(primary.got.length, 5);
  const recs = readRecords(path.join(out, 'primary', 'requests.jsonl'));
  assert.deepEqual(
    recs.map((x) => x.status === 'ok' || x.error?.kind),
    [true, true, 'disconnect'],
  );
});

test('llama.cpp while loading and past its slot context: the 503 and the 400 reach the client as sent, the 400 closes the connection as it announced, and the records classify both', async (t) => {
  // ../shared/notes/real-servers.md: 503 "Loading model" while loading; 400 exceed_context_size with Connection: close per slot.
  const loading = JSON.stringify({ error: { message: 'Loading model', type: 'unavailable_error', code: 503 } });
  const context = JSON.stringify({ error: { code: 400, message: 'request (5008 tokens) exceeds the available context size (4096 tokens), try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 5008, n_ctx: 4096 } });
  const primary = await rawPrimary((n) => (sock) => {
    if (n === 0) sock.write(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 2\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: ${loading.length}\r\n\r\n${loading}`);
    else if (n === 1) sock.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: ${context.length}\r\n\r\n${context}`);
    else sock.write(`HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: ${Buffer.byteLength(SSE)}\r\n\r\n${SSE}`);
  });
  const out = tmp();
  const m = await startMirror({ primary: primary.url, shadow: 'http://127.0.0.1:9', sample: 0, out });
  t.after(() => primary.close());
  const first = await exchange(m.port, [post(chat('while loading')), post(chat('too long'))]);
  const second = await exchange(m.port, post(chat('now')), 800);
  await m.close();
  assert.match(first.text, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  assert.match(first.text, /\r\nRetry-After: 2\r\n/);
  assert.ok(first.text.includes(loading) && first.text.includes(context), 'both bodies as the primary sent them');
  assert.ok(first.closed, "the primary's announced close ends the client's connection after the 400");
  assert.ok(second.text.endsWith(SSE), 'the next connection is served');
  const recs = readRecords(path.join(out, 'primary', 'requests.jsonl'));
  assert.deepEqual(recs.map((r) => [r.status, r.http_status]), [['error', 503], ['error', 400], ['ok', 200]]);
  assert.equal(recs[0]!.error!.kind, 'http_5xx');
  assert.match(recs[0]!.error!.message, /Loading model/);
  assert.match(recs[1]!.error!.message, /exceeds the available context size/);
});

test('every byte of a large answer read in many small reads reaches a client that stalls and resumes unchanged, and the next answer on the connection too', async (t) => {
  // A body no two neighbouring reads share: a read buffer reused too early would show as changed bytes.
  const TOTAL = 4 * 1024 * 1024;
  const body = Buffer.alloc(TOTAL);
  for (let i = 0; i < TOTAL; i++) body[i] = (i * 7 + (i >> 12)) & 0xff;
  const primary = await rawPrimary((n) => (sock) => {
    if (n === 1) return void sock.write(`HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: ${Buffer.byteLength(SSE)}\r\n\r\n${SSE}`);
    sock.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${TOTAL}\r\n\r\n`);
    // Pieces of uneven sizes, each in its own write and loop turn, so the relay sees many reads.
    let at = 0;
    const more = (): void => {
      while (at < TOTAL) {
        const size = Math.min(TOTAL - at, 1000 + ((at / 1000) % 7) * 3000);
        const ok = sock.write(body.subarray(at, at + size));
        at += size;
        if (!ok) return void sock.once('drain', more);
        if (at % 5 === 0) return void setImmediate(more);
      }
    };
    setImmediate(more);
  });
  const m = await startMirror({ primary: primary.url, shadow: 'http://127.0.0.1:9', sample: 0, out: tmp() });
  const client = net.connect(m.port, '127.0.0.1');
  t.after(async () => {
    client.destroy();
    await m.close();
    await primary.close();
  });
  const parts: Buffer[] = [];
  client.on('data', (d: Buffer) => parts.push(d));
  client.pause();
  client.write('GET /v1/files/big HTTP/1.1\r\nHost: x\r\n\r\n');
  // The client reads nothing for a while: the relay's writes to it queue up, then it reads all.
  await new Promise((r) => setTimeout(r, 400));
  client.resume();
  const whole = (): Buffer => Buffer.concat(parts);
  const headEnd = async (): Promise<number> => {
    for (;;) {
      const b = whole();
      const at = b.indexOf('\r\n\r\n');
      if (at >= 0 && b.length >= at + 4 + TOTAL) return at + 4;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const from = await headEnd();
  assert.ok(whole().subarray(from, from + TOTAL).equals(body), 'the body arrived byte for byte');
  client.write(post(chat('after the big one')));
  for (let i = 0; i < 100 && !whole().toString('latin1').endsWith(SSE); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(whole().toString('latin1').endsWith(SSE), 'the next answer on the same connection arrived whole');
});
