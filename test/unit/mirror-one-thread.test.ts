// The mirror's bookkeeping runs in a worker thread by default; `oneThread` runs the same code on
// the proxy's thread (to compare the two on a machine). Both must give the same records and pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRecords } from '../helpers/records';
import { startMirror } from '../../src/core/mirror/session';
import { startSimulator } from '../../src/core/sim';

test('worker thread or one thread: the same requests give the same records, pairs and counts', async () => {
  const p = await startSimulator({ profile: 'chat?decode_tokens_per_s=2000' });
  const s = await startSimulator({ profile: 'chat?decode_tokens_per_s=1000', seed: 2 });
  const seen: Record<string, unknown> = {};
  for (const oneThread of [false, true]) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-1t-'));
    const m = await startMirror({ primary: p.url, shadow: s.url, sample: 1, out, oneThread });
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${m.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', stream: true, max_tokens: 6, messages: [{ role: 'user', content: `q${i}` }] }) });
      assert.equal(r.status, 200);
      await r.text();
    }
    const summary = await m.close({ waitShadowMs: 10_000 });
    assert.equal(summary.pairs, 4, `oneThread ${oneThread}`);
    assert.equal(summary.agreement.both_ok, 4);
    const prim = readRecords(path.join(out, 'primary', 'requests.jsonl'));
    const shad = readRecords(path.join(out, 'shadow', 'requests.jsonl'));
    assert.ok(prim.every((r) => r.status === 'ok' && r.ttft_ms !== null && r.ttft_ms > 0 && r.pair === r.id));
    assert.deepEqual(shad.map((r) => r.pair).sort(), [0, 1, 2, 3]);
    assert.deepEqual(m.answered(), { primary: 4, shadow: 4 });
    seen[String(oneThread)] = { requests: summary.requests, outputs: prim.map((r) => r.output_tokens).sort() };
  }
  assert.deepEqual(seen['true'], seen['false']);
  await p.close();
  await s.close();
});

test('nothing copied (0%): ended answers wait to be posted in a batch, yet each is recorded while the mirror runs, and what waits at close is recorded too', async () => {
  const p = await startSimulator({ profile: 'chat?decode_tokens_per_s=2000' });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-batch-'));
  const m = await startMirror({ primary: p.url, shadow: 'http://127.0.0.1:9', sample: 0, out });
  const ask = async (i: number): Promise<void> => {
    const r = await fetch(`${m.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', stream: true, max_tokens: 4, messages: [{ role: 'user', content: `q${i}` }] }) });
    assert.equal(r.status, 200);
    await r.text();
  };
  for (let i = 0; i < 5; i++) await ask(i);
  // No answer ends after these: the batch's timer posts them (a generous deadline, not a timing).
  for (let k = 0; k < 400 && m.answered().primary < 5; k++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(m.answered().primary, 5);
  // One more, and close at once: close posts the batch still waiting.
  await ask(5);
  const summary = await m.close();
  assert.equal(summary.requests.primary, 6);
  const prim = readRecords(path.join(out, 'primary', 'requests.jsonl'));
  assert.deepEqual(
    prim.map((r) => [r.id, r.status]),
    [0, 1, 2, 3, 4, 5].map((i) => [i, 'ok']),
  );
  assert.deepEqual(m.answered(), { primary: 6, shadow: 0 });
  await p.close();
});
