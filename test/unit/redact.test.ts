// The run's redactor: which values are secret, and that no copy of one survives in text, JSON,
// records or packets (also a key streamed a few characters per packet).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { knownSecrets, REDACTED, Redactor, trackSecrets } from '../../src/core/results/redact';
import { RunWriter, RESULT_FILES } from '../../src/core/results/writer';
import type { RunPlan } from '../../src/core/scenario/plan';
import type { RequestRecord } from '../../src/core/metrics/record';
import { loadScenario } from '../../src/core/scenario';

const KEY = 'sk-live-Q2w3E4r5T6y7';

test('text: every copy replaced, a string without a secret is returned as the same string', () => {
  const r = new Redactor([KEY]);
  assert.equal(r.text(`Bearer ${KEY} and ${KEY}`), `Bearer ${REDACTED} and ${REDACTED}`);
  const clean = 'nothing to see here, just a long answer text';
  assert.equal(r.text(clean), clean);
  assert.equal(r.text('abc'), 'abc', 'shorter than any secret');
  assert.equal(Redactor.none.active, false);
  assert.equal(Redactor.none.text(KEY), KEY, 'no secrets: nothing changes');
});

test('values under 4 characters are never secrets; a value holding a shorter secret is covered by it', () => {
  const r = new Redactor(['abc', KEY, `Bearer ${KEY}`]);
  assert.deepEqual(r.secrets, [KEY]);
  assert.equal(r.text('abc'), 'abc');
});

test('value: nested strings (and keys) redacted in place, numbers untouched', () => {
  const r = new Redactor([KEY]);
  const o = { a: 1, error: { message: `401: bad key ${KEY}` }, list: [`x${KEY}`, 2], [`k${KEY}`]: true };
  const back = r.value(o);
  assert.equal(back, o, 'the same object');
  assert.deepEqual(o, { a: 1, error: { message: `401: bad key ${REDACTED}` }, list: [`x${REDACTED}`, 2], [`k${REDACTED}`]: true });
});

test('jsonHas finds a secret whose JSON form is escaped', () => {
  const odd = 'se"cr\\et-value';
  const r = new Redactor([odd]);
  assert.ok(r.jsonHas(JSON.stringify({ m: `x ${odd} y` })));
  assert.ok(!r.jsonHas(JSON.stringify({ m: 'clean' })));
});

test('packets: a key split over several packets leaves no piece of it, and other text is kept', () => {
  const r = new Redactor([KEY]);
  const parts = ['Your key is ', KEY.slice(0, 3), KEY.slice(3, 9), KEY.slice(9), '. Done', ' and again ', KEY];
  const packets = parts.map((text) => ({ text }));
  assert.equal(r.packets(packets), true);
  const texts = packets.map((p) => p.text);
  assert.equal(texts[0], 'Your key is ');
  assert.deepEqual(texts.slice(1, 4), [REDACTED, REDACTED, REDACTED]);
  assert.equal(texts[4], '. Done');
  assert.equal(texts[6], REDACTED);
  const joined = texts.join('');
  for (let i = 0; i + 5 <= KEY.length; i++) assert.ok(!joined.includes(KEY.slice(i, i + 5)), `a piece of the key survives: ${KEY.slice(i, i + 5)}`);
  assert.ok(!joined.includes(KEY));
  // A key ending mid-packet: the rest of that packet stays.
  const p2 = [{ text: `ab${KEY.slice(0, 5)}` }, { text: `${KEY.slice(5)}cd` }];
  r.packets(p2);
  assert.deepEqual(p2.map((p) => p.text), [`ab${REDACTED}`, `${REDACTED}cd`]);
  const clean = [{ text: 'a' }, { text: 'b' }];
  assert.equal(r.packets(clean), false);
});

function plan(over: Partial<RunPlan> = {}): RunPlan {
  return { scenario: 's', target: { kind: 'url', url: 'http://127.0.0.1:1/v1' }, headers: {}, ...over } as unknown as RunPlan;
}

test('knownSecrets: key, secret values, credential headers (and the Bearer token), env values in headers or the URL', () => {
  const p = plan({
    key: KEY,
    headers: { Authorization: 'Bearer tok-1234567890', 'X-Org': 'org-value-long', 'X-Small': 'v2' },
    target: { kind: 'url', url: 'http://127.0.0.1:1/v1?project=proj-abcdefgh' },
  });
  const s = knownSecrets(p, ['team-secret'], ['org-value-long', 'proj-abcdefgh', 'v2', 'model-name-unused']);
  assert.ok(s.includes(KEY) && s.includes('team-secret'));
  assert.ok(s.includes('Bearer tok-1234567890') && s.includes('tok-1234567890'));
  assert.ok(s.includes('org-value-long') && s.includes('proj-abcdefgh'), 'env values in a header and in the URL');
  assert.ok(!s.includes('v2'), 'a short env value is not a secret');
  assert.ok(!s.includes('model-name-unused'), 'an env value used elsewhere is not a secret');
});

test('trackSecrets names the ${env:…} and ${secret:…} values a scenario put in its headers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-redact-'));
  const file = path.join(dir, 's.llmload');
  fs.writeFileSync(file, 'scenario "s"\ntarget http://127.0.0.1:9/v1\napi openai-chat\nmodel ${env:RT_MODEL}\nkey ${env:RT_KEY}\nheader x-team ${secret:RT_TEAM}\nload users 1 for 1s\nprompt "p"\n  user hi\n');
  const t = trackSecrets({ RT_MODEL: 'my-model-name', RT_KEY: KEY }, (n) => (n === 'RT_TEAM' ? 'team-9f8e7d' : undefined));
  const loaded = loadScenario(file, { env: t.env, secret: t.secret });
  assert.ok(loaded.plan, JSON.stringify(loaded.diagnostics));
  const s = t.secretsOf(loaded.plan!);
  assert.ok(s.includes(KEY) && s.includes('team-9f8e7d'));
  assert.ok(!s.includes('my-model-name'), 'the model name is not a secret');
});

test('RunWriter: records, packets, summary and series on disk hold the marker, never the key; the objects are redacted in place', () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-redact-')), 'run');
  const w = new RunWriter(dir, plan({ key: KEY }), `key ${KEY}\n`, [KEY]);
  const rec = { id: 0, prompt: 'p', status: 'error', error: { kind: 'http_4xx', message: `HTTP 401: {"error":"invalid key Bearer ${KEY}"}` } } as unknown as RequestRecord;
  const clean = { id: 1, prompt: 'p', status: 'ok' } as unknown as RequestRecord;
  const packets = [KEY.slice(0, 4), KEY.slice(4), ' ok'].map((text, i) => ({ t_ms: i, kind: 'answer' as const, bytes: 10, text }));
  w.append([rec, clean], [{ request: 0, packets }]);
  assert.ok(rec.error!.message.includes(REDACTED) && !rec.error!.message.includes(KEY), 'the record object itself');
  const summary = { error_samples: { http_4xx: `HTTP 401 ${KEY}` }, target: `http://x/?k=${KEY}` };
  w.finish(summary as never, [{ t: 0, note: KEY } as never]);
  for (const f of fs.readdirSync(dir)) {
    const body = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.ok(!body.includes(KEY), `${f} holds the key`);
    if (f !== RESULT_FILES.plan) assert.ok(body.includes(REDACTED), `${f} has the marker`);
  }
  assert.ok(!fs.readFileSync(path.join(dir, RESULT_FILES.packets), 'utf8').includes(KEY.slice(4)), 'the second half of the split key is gone too');
});
