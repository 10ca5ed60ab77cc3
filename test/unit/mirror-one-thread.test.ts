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
