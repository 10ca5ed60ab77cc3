import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRun, RunStartError } from '../../src/core/run/runner';
import type { RequestRecord } from '../../src/core/metrics/record';
import type { LiveDelta } from '../../src/core/messages';
import { startSimulator, defineProfile } from '../../src/core/sim';
import { plan } from '../helpers/plans';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-run-'));
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

test('a step-load run against the built-in reasoning simulator writes complete, consistent results', async () => {
  const dir = path.join(tmp(), 'run');
  const live: LiveDelta[] = [];
  const h = await startRun(plan({ expectations: [{ text: 'success >= 99%', metric: 'success', op: '>=', value: 0.99, line: 1 }] }), {
    outDir: dir,
    onLive: (d) => live.push(d),
  });
  const { summary } = await h.done;
  // live deltas come in batches, carry every request once, and end with the final figures
  assert.ok(live.length >= 3);
  assert.equal(live.flatMap((d) => d.requests).length, summary.requests.total);
  assert.equal(live[live.length - 1]!.progress.ok, summary.requests.ok);
  assert.ok(live.some((d) => d.series.length > 0 && d.series.length <= 11));
  assert.equal(summary.requests.failed, 0, JSON.stringify(summary.errors));
  assert.ok(summary.requests.ok >= 6, `ok ${summary.requests.ok}`);
  assert.equal(summary.success_rate, 1);
  assert.ok(summary.ttft_ms.p50! > 0 && summary.ttfa_ms.p50! > summary.ttft_ms.p50!, 'reasoning: TTFA after TTFT');
  assert.ok(summary.token_rate.p50! > 0);
  assert.deepEqual(summary.expectations.map((e) => e.pass), [true]);

  const recs = readJsonl<RequestRecord>(path.join(dir, 'requests.jsonl'));
  assert.equal(recs.length, summary.requests.total);
  assert.deepEqual(new Set(recs.map((r) => r.id)).size, recs.length);
  for (const r of recs) {
    assert.equal(r.status, 'ok');
    assert.match(r.response_id ?? '', /\S/);
    assert.ok(r.ttft_ms! < r.ttfa_ms!);
    assert.equal(r.output_tokens_source, 'server');
    assert.ok(r.thinking_tokens > 0);
    assert.ok(r.start_ms > 1.7e12, 'epoch ms');
  }
  // Sub-millisecond wall-clock instants: a rounded instant is whole now and then (1 in 1,000 at three
  // decimals), so every record being whole would mean a millisecond clock.
  assert.ok(recs.some((r) => !Number.isInteger(r.start_ms)), 'sub-millisecond epoch instants');
  // users join 2 at a time, 200 ms apart: users 0 and 1 send first; users 2k, 2k+1 not before step k
  const byOffset = [...recs].sort((a, b) => a.offset_ms - b.offset_ms);
  assert.deepEqual(byOffset.slice(0, 2).map((r) => r.user).sort(), [0, 1]);
  for (let u = 2; u < 6; u++) {
    const first = byOffset.find((r) => r.user === u);
    assert.ok(first && first.offset_ms >= Math.floor(u / 2) * 200, `user ${u} joined at its step`);
  }
  assert.ok(recs.every((r) => r.user < 6));

  const packets = readJsonl<{ request: number; t_ms: number; kind: string }>(path.join(dir, 'packets.jsonl'));
  const first = packets.filter((p) => p.request === recs[0]!.id);
  assert.equal(first[0]!.kind, 'other', 'a role-only chunk opens the stream');
  assert.equal(first[first.length - 1]!.kind, 'done');
  assert.ok(first.some((p) => p.kind === 'thinking') && first.some((p) => p.kind === 'stats'));
  const series = JSON.parse(fs.readFileSync(path.join(dir, 'series.json'), 'utf8')) as Array<{ active_users: number }>;
  assert.ok(Math.max(...series.map((s) => s.active_users)) <= 6);
});

test('stop() aborts open streams at once and keeps every result already measured', async () => {
  const sim = await startSimulator({ profile: defineProfile('chat', { decode_tokens_per_s: 20, answer_tokens: [400, 400] }) });
  try {
    const dir = path.join(tmp(), 'run');
    const h = await startRun(plan({ target: { kind: 'url', url: sim.url }, load: { kind: 'users', users: 4, duration_ms: 60_000 } }), { outDir: dir });
    await new Promise((r) => setTimeout(r, 1500));
    const t = performance.now();
    h.stop();
    const { summary } = await h.done;
    assert.ok(performance.now() - t < 1000, 'stops within a second');
    assert.equal(summary.ended_by, 'stopped');
    assert.equal(summary.requests.cancelled, 4);
    const recs = readJsonl<RequestRecord>(path.join(dir, 'requests.jsonl'));
    assert.equal(recs.length, 4);
    assert.ok(recs.every((r) => r.error?.kind === 'cancelled'));
    assert.ok(recs.some((r) => (r.packets.answer ?? 0) > 0), 'the partial streams are recorded with their packets');
    assert.ok(fs.existsSync(path.join(dir, 'summary.json')));
  } finally {
    await sim.close();
  }
});

test('failing requests (HTTP 500, connection reset) are classified and the run goes on', async () => {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      if (n % 3 === 1) {
        // (closing after the 500, so the reset below hits a fresh connection: on a reused one it
        // would be retried as a stale keep-alive connection)
        res.writeHead(500, { 'content-type': 'application/json', connection: 'close' }).end('{"error":{"message":"overloaded"}}');
      } else if (n % 3 === 2) {
        res.socket?.destroy();
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {"id":"x","choices":[{"delta":{"content":"hi"}}]}\n\ndata: {"id":"x","choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const dir = path.join(tmp(), 'run');
    const h = await startRun(plan({ target: { kind: 'url', url: `http://127.0.0.1:${port}/v1` }, load: { kind: 'users', users: 1, duration_ms: 60_000 }, stop: { after_requests: 9 } }), { outDir: dir });
    const { summary } = await h.done;
    assert.equal(summary.ended_by, 'requests');
    assert.equal(summary.requests.total, 9);
    assert.equal(summary.requests.ok, 3);
    assert.equal(summary.errors.http_5xx, 3);
    assert.equal((summary.errors.disconnect ?? 0) + (summary.errors.connect ?? 0), 3);
    assert.match(summary.error_samples.http_5xx ?? '', /overloaded/);
  } finally {
    server.close();
  }
});

test('an unreachable target refuses to start with a clear message', async () => {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  await assert.rejects(
    startRun(plan({ target: { kind: 'url', url: `http://127.0.0.1:${port}/v1` } }), { outDir: path.join(tmp(), 'run') }),
    (e: unknown) => e instanceof RunStartError && /connection refused/.test(e.message),
  );
});
