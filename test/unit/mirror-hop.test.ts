// The proxy hop on loopback against a raw-socket primary that answers as llama.cpp's server does
// (/work/shared/notes/real-servers.md): `Keep-Alive: timeout=5, max=100` and a chunked stream,
// then the connection closed after every answer. The client must get every answer whole, byte for
// byte, with the primary's head as sent (duplicates and case kept, hop-by-hop headers dropped),
// and every request must be recorded, also with 0% sampling, where the worker hears of requests
// in batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { readRecords } from '../helpers/records';
import { startMirror } from '../../src/core/mirror/session';
import { listenRaw } from '../helpers/raw-server';

const EVENTS = ['Hello', ' there', ', friend'].map((w) => `data: ${JSON.stringify({ id: 'r', choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })}\n\n`);
EVENTS.push(`data: ${JSON.stringify({ id: 'r', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`, 'data: [DONE]\n\n');

const HEAD =
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nKeep-Alive: timeout=5, max=100\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n' +
  'X-Upstream-Case: Kept\r\nTransfer-Encoding: chunked\r\n\r\n';

interface ClosingPrimary {
  url: string;
  /** Connections accepted, requests answered. */
  connections: number;
  answered: number;
  close(): Promise<void>;
}

/** Answers each request on a connection with a chunked SSE stream, one event per write, then closes the connection. */
async function closingPrimary(): Promise<ClosingPrimary> {
  const p: ClosingPrimary = { url: '', connections: 0, answered: 0, close: async () => {} };
  const server = await listenRaw((sock) => {
    p.connections++;
    sock.on('error', () => {});
    let got = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      const headEnd = got.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(got.subarray(0, headEnd).toString('latin1'))?.[1] ?? 0);
      if (got.length < headEnd + 4 + length) return;
      got = Buffer.alloc(0);
      sock.write(HEAD);
      let i = 0;
      const next = (): void => {
        if (sock.destroyed) return;
        if (i === EVENTS.length) {
          // The chunked stream's end, then the connection goes, keep-alive header or not.
          sock.end('0\r\n\r\n');
          return;
        }
        const e = Buffer.from(EVENTS[i++]!);
        sock.write(`${e.length.toString(16)}\r\n`);
        sock.write(Buffer.concat([e, Buffer.from('\r\n')]));
        // Answered once its last event ([DONE]) is written: a client may end the stream there,
        // before the terminating chunk a millisecond later (llmload's does, and a mirror closing
        // then cut the 25th copy's connection before this counter moved, 1 run in 5).
        if (i === EVENTS.length) p.answered++;
        setTimeout(next, 1);
      };
      setTimeout(next, 2);
    });
  });
  p.url = server.url;
  p.close = server.close;
  return p;
}

for (const sample of [0, 1]) {
  test(`a primary that closes the connection after every stream (llama.cpp): every answer reaches the client whole and is recorded (sample ${sample * 100}%)`, async (t) => {
    const primary = await closingPrimary();
    const shadow = await closingPrimary();
    t.after(() => Promise.all([primary.close(), shadow.close()]));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-hop-'));
    const capture = path.join(out, 'capture.jsonl');
    const m = await startMirror({ primary: primary.url, shadow: shadow.url, sample, out, capture, keepPrompts: 'keep' });
    // One keep-alive connection to the mirror, requests one after another, as a load user sends them.
    const client = new Agent({ connections: 1 });
    const N = 25;
    try {
      for (let i = 0; i < N; i++) {
        const r = await request(`${m.url}/v1/chat/completions`, {
          method: 'POST',
          dispatcher: client,
          headers: { 'content-type': 'application/json', 'accept-encoding': 'identity' },
          body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: `turn ${i}` }] }),
        });
        assert.equal(r.statusCode, 200, `request ${i}`);
        assert.equal(await r.body.text(), EVENTS.join(''), `request ${i}: the primary's bytes`);
        if (i === 0) {
          assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2'], 'both Set-Cookie lines');
          assert.equal(r.headers['x-upstream-case'], 'Kept');
          assert.equal(r.headers['keep-alive'] === 'timeout=5, max=100', false, "the primary's Keep-Alive is its own hop's");
          assert.equal(r.headers['content-type'], 'text/event-stream');
        }
      }
    } finally {
      await client.close();
    }
    // The last copies may still be streaming from the shadow: they get time to end, as the other
    // tests that count the shadow's answers give them.
    const summary = await m.close({ waitShadowMs: 10_000 });
    assert.equal(primary.answered, N);
    assert.equal(primary.connections, N, 'the primary closed every connection; each request had a new one');
    const recs = readRecords(path.join(out, 'primary', 'requests.jsonl'));
    assert.equal(recs.length, N);
    for (const r of recs) {
      assert.equal(r.status, 'ok', JSON.stringify(r.error));
      assert.equal(r.output_tokens !== null && r.output_tokens > 0, true);
      assert.ok(r.ttft_ms !== null && r.ttft_ms > 0);
    }
    assert.equal(summary.requests.primary, N);
    assert.equal(summary.requests.shadow_sent, sample === 1 ? N : 0);
    assert.equal(shadow.answered, sample === 1 ? N : 0);
    // Every request captured, in arrival order, also when the worker heard of them in batches.
    const lines = fs.readFileSync(capture, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { body: { messages: Array<{ content: string }> } });
    assert.deepEqual(
      lines.map((l) => l.body.messages[0]!.content),
      Array.from({ length: N }, (_, i) => `turn ${i}`),
    );
  });
}

test('a client that does not read stalls the primary: the proxy stops reading until the client drains, then every byte arrives', async (t) => {
  const TOTAL = 64 * 1024 * 1024;
  const block = Buffer.alloc(64 * 1024, 'x');
  let written = 0;
  // The primary writes as fast as its socket takes it, and waits whenever the socket is full.
  const primary = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.once('data', () => {
      sock.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${TOTAL}\r\n\r\n`);
      const more = (): void => {
        while (written < TOTAL) {
          written += block.length;
          if (!sock.write(block)) return void sock.once('drain', more);
        }
      };
      more();
    });
  });
  await new Promise<void>((r) => primary.listen(0, '127.0.0.1', r));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-hop-'));
  const m = await startMirror({ primary: `http://127.0.0.1:${(primary.address() as net.AddressInfo).port}`, shadow: 'http://127.0.0.1:9', sample: 0, out });
  const client = net.connect(m.port, '127.0.0.1');
  t.after(async () => {
    client.destroy();
    await m.close();
    await new Promise<void>((r) => primary.close(() => r()));
  });
  client.pause();
  client.write('GET /v1/files/big HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((r) => setTimeout(r, 800));
  const stalledAt = written;
  assert.ok(stalledAt < TOTAL / 2, `the primary wrote ${stalledAt} of ${TOTAL} bytes to a client that reads nothing`);
  let got = 0;
  const done = new Promise<void>((resolve) => {
    client.on('data', (d: Buffer) => {
      got += d.length;
      // The head is small; the body is all 'x'.
      if (got >= TOTAL) resolve();
    });
  });
  client.resume();
  await done;
  assert.equal(written, TOTAL);
  assert.ok(got >= TOTAL && got < TOTAL + 1024, `got ${got} bytes`);
});
