// A loopback stand-in for llama.cpp's llama-server (one slot, --metrics), written from the
// behaviour in /work/shared/notes/real-servers.md: role chunk with content null, one chunk per
// token, a finish chunk, then `choices: []` with usage and `timings`, then [DONE]; the connection
// closes after each response; requests wait for the free slot. The run must give every request
// server.prompt_ms, server.cached_tokens and queue_ms, the summary their percentiles, and the
// llamacpp: metrics must map to running/waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../../src/core/run/runner';
import type { RequestRecord } from '../../src/core/metrics/record';
import { serverTimingOf, llamaCppTimings } from '../../src/core/server-metrics/request-timing';
import { plan } from '../helpers/plans';
import { llamaServer, PROMPT_MS } from '../helpers/llamacpp-server';

test('llama.cpp timings become server.prompt_ms, cached_tokens and queue_ms', () => {
  const t = llamaCppTimings({ cache_n: 8, prompt_n: 12, prompt_ms: 29.5, predicted_n: 5, predicted_ms: 25, prompt_per_second: 400 });
  assert.deepEqual(t, { prompt_n: 12, prompt_ms: 29.5, predicted_n: 5, predicted_ms: 25, cached_tokens: 8 });
  assert.deepEqual(serverTimingOf(t, 130), { prompt_n: 12, prompt_ms: 29.5, cached_tokens: 8, predicted_n: 5, predicted_ms: 25, prefill_ms: 29.5, queue_ms: 100.5 });
  assert.equal(serverTimingOf(t, 10)!.queue_ms, 0, 'never negative');
  assert.equal(serverTimingOf(t, null)!.queue_ms, undefined);
  // Ollama durations (already in server_timing): prompt_eval is the prefill, a model load adds to it.
  assert.deepEqual(serverTimingOf({ total_ms: 900, load_ms: 200, prompt_eval_ms: 50, eval_ms: 600 }, 400), { prompt_ms: 50, predicted_ms: 600, load_ms: 200, total_ms: 900, prefill_ms: 250, queue_ms: 150 });
  assert.equal(llamaCppTimings('nope'), undefined);
  assert.equal(serverTimingOf(undefined, 5), undefined);
});

test('a run against a one-slot llama.cpp stand-in splits TTFT into queue and prefill, per request and in the summary', async () => {
  const srv = await llamaServer();
  try {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-llamacpp-')), 'run');
    const p = plan({
      target: { kind: 'url', url: `${srv.url}/v1` },
      model: 'tiny',
      load: { kind: 'users', users: 3, duration_ms: 1500 },
      server_metrics: { url: `${srv.url}/metrics`, every_ms: 100 },
    });
    const h = await startRun(p, { outDir: dir, workers: 1 });
    const { summary, error } = await h.done;
    assert.equal(error, undefined);
    const recs = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestRecord);
    const ok = recs.filter((r) => r.status === 'ok');
    assert.ok(ok.length >= 5, `${ok.length} ok`);
    for (const r of ok) {
      assert.equal(r.server?.prompt_ms, PROMPT_MS);
      assert.equal(r.server?.cached_tokens, 8);
      assert.equal(r.server?.prompt_n, 12);
      assert.equal(r.server?.queue_ms, Math.max(0, r.ttft_ms! - PROMPT_MS));
    }
    // With one slot and three users, most requests wait for the slot: far longer than the prefill.
    const waited = ok.filter((r) => r.server!.queue_ms! > PROMPT_MS).length;
    assert.ok(waited >= ok.length / 2, `${waited} of ${ok.length} waited`);
    const st = summary.server_timing!;
    assert.equal(st.requests, ok.length);
    assert.ok(Math.abs(st.prompt_ms!.p50! - PROMPT_MS) < 0.1);
    assert.ok(st.queue_ms!.p95! > st.prompt_ms!.p95!, 'the rise is queueing, not prefill');
    // The share is (waits above the least wait) / TTFT, summed over the requests: checked against a
    // count by hand, and well above zero. How much above depends on how closely the client keeps
    // the slot busy (0.25..0.8 seen, lower on a loaded machine), so no tighter floor.
    const timed = ok.filter((r) => r.server?.queue_ms !== undefined && r.ttft_ms !== null);
    const least = Math.min(...timed.map((r) => r.server!.queue_ms!));
    const byHand = timed.reduce((a, r) => a + r.server!.queue_ms! - least, 0) / timed.reduce((a, r) => a + r.ttft_ms!, 0);
    assert.ok(Math.abs(st.queue_share! - byHand) < 1e-9, `${st.queue_share} vs ${byHand}`);
    assert.ok(st.queue_share! > 0.1, `${st.queue_share}`);
    const sm = summary.server_metrics!;
    assert.equal(sm.engine, 'llamacpp');
    assert.equal(sm.running!.max, 1);
    assert.ok(sm.waiting!.max >= 1 && sm.waiting!.max <= 2);
    assert.equal(sm.queued, true);
    assert.equal(srv.maxBusy(), 1);
  } finally {
    await srv.close();
  }
});
