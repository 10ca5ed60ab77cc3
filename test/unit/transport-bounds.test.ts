/**
 * Bounded memory and time whatever the server sends. A 200 that streams answer chunks at full
 * speed and never ends must end at the request's `timeout`, with the process's memory bounded and
 * the run's files complete; each request keeps at most PACKET_LIMIT packets and TEXT_LIMIT
 * characters of answer text, and its packet count and timings stay right past the cap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRun } from '../../src/core/run/runner';
import { StreamRecord, PACKET_LIMIT, TEXT_LIMIT } from '../../src/core/protocols/stream-record';
import { plan } from '../helpers/plans';

/** A server whose every response is an endless SSE stream of answer chunks, written as fast as the socket takes them. */
async function endlessServer(): Promise<{ url: string; closed: () => number; stop: () => Promise<void> }> {
  const chunk = Buffer.from('data: {"id":"r","choices":[{"delta":{"content":"ok "}}]}\n\n'.repeat(200));
  let closed = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.on('close', () => closed++);
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk)) {
        // as fast as the socket takes it
      }
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    closed: () => closed,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test('an endless 200 stream at full speed with timeout 10s: ends at its timeout, memory bounded, the run files complete', async (t) => {
  const s = await endlessServer();
  try {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-endless-')), 'run');
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timeline: number[] = [];
    const probe = setInterval(() => {
      const r = process.memoryUsage().rss;
      peak = Math.max(peak, r);
      timeline.push(Math.round((r - rss0) / 1e6));
    }, 500);
    const t0 = performance.now();
    const h = await startRun(
      plan({ target: { kind: 'url', url: s.url }, model: 'm', timeouts: { total_ms: 10_000 }, load: { kind: 'users', users: 1, duration_ms: 600_000 }, stop: { after_requests: 1 } }),
      { outDir: dir },
    );
    const { summary } = await h.done;
    const took = performance.now() - t0;
    clearInterval(probe);
    const growthMb = (peak - rss0) / 1e6;
    t.diagnostic(`timeline ${timeline.join(" ")}`);
    t.diagnostic(`run took ${(took / 1000).toFixed(1)} s; RSS growth at peak ${growthMb.toFixed(0)} MB`);
    assert.deepEqual(summary.errors, { timeout_total: 1 });
    // Bounded, not merely slow: the second half of the stream holds no more than the first half
    // did, give or take a GC cycle (before the caps it grew about 60 MB a second, without end).
    // The absolute bound is generous: a load thread's boot alone takes tens of MB, and V8 lets
    // garbage from full-speed parsing pile up before it collects (a sawtooth of about 150 MB).
    const half = Math.floor(timeline.length / 2);
    const firstHalf = Math.max(...timeline.slice(0, half));
    const secondHalf = Math.max(...timeline.slice(half));
    assert.ok(secondHalf < firstHalf + 150, `RSS kept growing: ${timeline.join(' ')}`);
    assert.ok(growthMb < 400, `RSS grew ${growthMb.toFixed(0)} MB`);
    // Generous: the run ends near its 10 s timeout, not minutes later.
    assert.ok(took < 40_000, `the run took ${took} ms`);
    assert.ok(s.closed() >= 1, 'the stream was cut at the server too');
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    assert.equal(saved.requests.total, 1);
    const lines = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    const rec = JSON.parse(lines[0]!);
    assert.equal(rec.error.kind, 'timeout_total');
    t.diagnostic(`request e2e_ms ${rec.e2e_ms.toFixed(0)}, packets kept ${rec.packets.answer}, dropped ${rec.packets_dropped}`);
    assert.ok(rec.e2e_ms >= 10_000 && rec.e2e_ms < 30_000, String(rec.e2e_ms));
    // The stream outran the cap: the record says how many packets it did not keep.
    assert.ok(rec.packets_dropped > 0, JSON.stringify(rec));
    assert.equal(rec.packets.answer, PACKET_LIMIT);
    // The failed request is traced: its packets are on disk, at most the cap.
    const traced = fs.readFileSync(path.join(dir, 'packets.jsonl'), 'utf8').trim().split('\n').length;
    assert.ok(traced <= PACKET_LIMIT + 1 && traced > 1000, String(traced));
  } finally {
    await s.stop();
  }
});

test('a stream record keeps PACKET_LIMIT packets and TEXT_LIMIT characters; the last kept packets are the newest output and the newest packet, and every chunk is counted', () => {
  const rec = new StreamRecord();
  const n = PACKET_LIMIT + 5000;
  const text = 'x'.repeat(10);
  for (let i = 0; i < n; i++) rec.add(i, 'answer', 20, text);
  rec.add(n, 'done', 12, '[DONE]');
  assert.equal(rec.packets.length, PACKET_LIMIT);
  assert.equal(rec.packet_count, n + 1);
  assert.equal(rec.packets_dropped, n + 1 - PACKET_LIMIT);
  assert.equal(rec.packets[PACKET_LIMIT - 1]!.t_ms, n, 'the newest packet holds the last slot');
  assert.equal(rec.packets[PACKET_LIMIT - 2]!.t_ms, n - 1, 'the newest answer packet is kept before it');
  assert.equal(rec.packets[PACKET_LIMIT - 3]!.t_ms, PACKET_LIMIT - 3, 'the first packets are kept as they came');
  assert.equal(rec.answer_chunks, n);
  assert.ok(rec.answer_text.length >= TEXT_LIMIT && rec.answer_text.length < TEXT_LIMIT + text.length, String(rec.answer_text.length));
  // The stream ends with a usage packet and its done marker past the cap: the last output packet
  // keeps its place before them, so the last output time (token rate) stays right.
  const tail = new StreamRecord();
  for (let i = 0; i < PACKET_LIMIT + 10; i++) tail.add(i, 'answer', 20, 'x');
  tail.add(PACKET_LIMIT + 10, 'stats', 30, '{"usage":{}}');
  tail.add(PACKET_LIMIT + 11, 'done', 12, '[DONE]');
  const ends = tail.packets.slice(-3).map((p) => [p.kind, p.t_ms]);
  assert.deepEqual(ends, [['answer', PACKET_LIMIT - 3], ['answer', PACKET_LIMIT + 9], ['done', PACKET_LIMIT + 11]]);
  assert.equal(tail.packets_dropped, 12);
  const small = new StreamRecord();
  small.add(0, 'thinking', 5, 'abc');
  small.add(1, 'answer', 5, 'def');
  assert.equal(small.packets_dropped, 0);
  assert.equal(small.thinking_text + small.answer_text, 'abcdef');
});
