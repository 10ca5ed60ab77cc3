import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { escapeHtml, jsonForScript, redactHeaders } from '../../src/core/viewmodel/escape';
import { JsonlIndex } from '../../src/core/viewmodel/jsonl-index';
import { readRequestRows, readRunFolder, RunFiles, RunFolderError } from '../../src/core/viewmodel/run-folder';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-vm-'));
}

test('the index finds every line of a request across the file, and lines appended later', async () => {
  const dir = tmp();
  const file = path.join(dir, 'packets.jsonl');
  const lines: string[] = [];
  for (let r = 0; r < 2000; r++) for (let k = 0; k < 5; k++) lines.push(JSON.stringify({ request: r, t_ms: k, kind: 'answer', bytes: 10, text: `r${r}k${k} ünïcødé` }));
  // request 7 again, later in the file (a second batch)
  lines.push(JSON.stringify({ request: 7, t_ms: 99, kind: 'done', bytes: 6, text: '[DONE]' }));
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const idx = new JsonlIndex(file, 'request');
  const got = await idx.records<{ request: number; t_ms: number; text: string }>(7);
  assert.deepEqual(got.map((x) => x.t_ms), [0, 1, 2, 3, 4, 99]);
  assert.equal(got[0]!.text, 'r7k0 ünïcødé');
  assert.equal((await idx.lines(1999)).length, 5);
  assert.deepEqual(await idx.lines(5000), []);
  // A torn last line is left for the next scan; once completed, it is found.
  fs.appendFileSync(file, '{"request":5000,"t_ms":1,"kind":"answer","bytes":1,"text":"x"}\n{"request":5000,"t_ms":2,"ki');
  assert.equal((await idx.lines(5000)).length, 1);
  fs.appendFileSync(file, 'nd":"done","bytes":1,"text":""}\n');
  assert.deepEqual((await idx.records<{ t_ms: number }>(5000)).map((x) => x.t_ms), [1, 2]);
  assert.equal(idx.keys().length, 2001);
});

test('a missing file is no error: nothing is there', async () => {
  const idx = new JsonlIndex(path.join(tmp(), 'nope.jsonl'), 'request');
  assert.deepEqual(await idx.lines(1), []);
});

test('a run folder: rows skip warmup and torn lines, details join the record, packets and redacted headers', async () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ scenario: 's', file: '/x/s.llmload', buckets: [1024], headers: { 'X-Trace': 'on', 'X-Api-Key': 'sk-secret' } }));
  const rec = (id: number, over: object = {}) => ({ id, prompt: 'p', user: 0, start_ms: 0, offset_ms: 0, status: 'ok', http_status: 200, ttft_ms: 10, ttfa_ms: 20, thinking_ms: 10, e2e_ms: 30, input_tokens: 2000, output_tokens: 3, output_tokens_source: 'server', thinking_tokens: 1, thinking_tokens_source: 'server', token_rate: 5, finish_reason: 'stop', packets: {}, ...over });
  fs.writeFileSync(
    path.join(dir, 'requests.jsonl'),
    [rec(0, { warmup: true }), rec(1), rec(2, { status: 'error', error: { kind: 'http_5xx', message: 'boom' }, input_tokens: null })].map((r) => JSON.stringify(r)).join('\n') + '\n{"id":3,"pro',
  );
  fs.writeFileSync(
    path.join(dir, 'packets.jsonl'),
    [
      { request: 1, t_ms: 10, kind: 'thinking', bytes: 5, text: 'hm' },
      { request: 1, t_ms: 20, kind: 'answer', bytes: 5, text: 'ok' },
      { request: 1, t_ms: 30, kind: 'done', bytes: 5, text: '[DONE]' },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n') + '\n',
  );
  const info = readRunFolder(dir);
  assert.equal(info.summary, null);
  assert.deepEqual(info.buckets, [1024]);
  const rows = await readRequestRows(dir, info.buckets);
  assert.deepEqual(rows.map((r) => r.id), [1, 2]);
  assert.ok(rows[0]!.bucket, 'a 2000-token prompt has a bucket');
  assert.equal(rows[1]!.bucket, undefined);
  assert.equal(rows[1]!.error_kind, 'http_5xx');
  const files = new RunFiles(dir);
  const d1 = await files.detail(1);
  assert.equal(d1.traced, true);
  assert.equal(d1.thinking_text, 'hm');
  assert.equal(d1.answer_text, 'ok');
  assert.equal(d1.record?.id, 1);
  assert.deepEqual(d1.request_headers, { 'X-Trace': 'on', 'X-Api-Key': '<redacted>' });
  const d2 = await files.detail(2);
  assert.equal(d2.traced, false);
  assert.deepEqual(d2.error, { kind: 'http_5xx', message: 'boom' });
  assert.deepEqual(await files.tracedIds(), [1]);
});

test('a folder that is no run folder is a clear error', () => {
  const dir = tmp();
  assert.throws(() => readRunFolder(dir), (e: unknown) => e instanceof RunFolderError && /not a run folder/.test((e as Error).message));
  assert.throws(() => readRunFolder(path.join(dir, 'missing')), /no such run folder/);
  fs.writeFileSync(path.join(dir, 'summary.json'), '{ not json');
  assert.throws(() => readRunFolder(dir), /not valid JSON/);
});

test('escaping: HTML text, JSON inside a script element, secret headers', () => {
  assert.equal(escapeHtml(`<img src=x onerror="alert('1')">&`), '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
  const json = jsonForScript({ t: '</script><script>alert(1)</script><!-- \u2028' });
  assert.ok(!json.includes('<') && !json.includes('>'));
  assert.ok(!json.includes('\u2028'));
  assert.deepEqual(JSON.parse(json), { t: '</script><script>alert(1)</script><!-- \u2028' });
  assert.deepEqual(redactHeaders({ Authorization: 'Bearer x', Cookie: 'a', 'X-Request-Id': '1' }), { Authorization: '<redacted>', Cookie: '<redacted>', 'X-Request-Id': '1' });
});

test('lines whose key is not the first field are indexed too', async () => {
  const file = path.join(tmp(), 'r.jsonl');
  const long = 'x'.repeat(200);
  fs.writeFileSync(file, [{ user: 1, pad: long, id: 4 }, { id: 5 }, { pad: long, id: 4, more: 1 }, { nokey: 1 }, 'garbage'].map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n') + '\n');
  const idx = new JsonlIndex(file, 'id');
  assert.deepEqual((await idx.records<{ id: number; more?: number }>(4)).map((x) => x.more ?? 0), [0, 1]);
  assert.equal((await idx.lines(5)).length, 1);
  assert.deepEqual(idx.keys().sort(), [4, 5]);
});
