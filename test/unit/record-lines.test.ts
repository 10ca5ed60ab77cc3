// Records cross from a load thread to the orchestrator as requests.jsonl text (record-lines.ts):
// the text must read back as the same records, and the file written from it must be what the
// object path writes, secrets redacted alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromRecordLines, toRecordLines } from '../../src/core/results/record-lines';
import { RunWriter } from '../../src/core/results/writer';
import { REDACTED } from '../../src/core/results/redact';
import { RESULT_FILES } from '../../src/core/results/writer';
import type { RequestRecord } from '../../src/core/metrics/record';
import type { RunPlan } from '../../src/core/scenario/plan';

const KEY = 'sk-lines-4f3e2d1c0b9a8877';

/** Records with what JSON text must survive: newlines and line separators in strings, quotes, unicode, nulls, nesting. */
function records(): RequestRecord[] {
  const texts = ['plain', 'two\nlines', 'cr\r\nlf', 'sep\u2028par\u2029', 'quote " and \\ backslash', 'emoji 🚀 and ü', '', '{"json":"inside"}'];
  return texts.map((t, i) => ({ id: i, prompt: `p${i}`, user: i % 3, status: i % 2 ? 'ok' : 'error', ttft_ms: i === 3 ? null : i * 1.25, packets: { answer: i, done: 1 }, error: i % 2 ? undefined : { kind: 'stream_error', message: t } }) as unknown as RequestRecord);
}

test('toRecordLines / fromRecordLines: one line per record, read back as the records JSON would give', () => {
  const rs = records();
  const text = toRecordLines(rs);
  assert.equal(text.split('\n').length - 1, rs.length, 'one newline-ended line per record');
  assert.deepEqual(fromRecordLines(text), JSON.parse(JSON.stringify(rs)));
  assert.deepEqual(text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as unknown), JSON.parse(JSON.stringify(rs)), 'each line alone is its record');
  assert.deepEqual(fromRecordLines(''), []);
  assert.equal(toRecordLines([]), '');
});

function plan(): RunPlan {
  return { scenario: 's', target: { kind: 'url', url: 'http://127.0.0.1:9/v1' }, api: 'openai-chat', model: 'm', headers: {}, prompts: [], datasets: [], load: { kind: 'users', users: 1, duration_ms: 1000 }, slos: [], timeouts: { total_ms: 1000 } } as unknown as RunPlan;
}

test('RunWriter.appendLines writes the text as it came, and a batch holding a secret exactly as append() would, redacted', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-lines-'));
  const clean = records();
  const wLines = new RunWriter(path.join(base, 'lines'), plan(), undefined, [KEY]);
  const text = toRecordLines(clean);
  wLines.appendLines(text, [], fromRecordLines(text));
  const withKey = (): RequestRecord[] => [{ id: 9, prompt: 'p', status: 'error', error: { kind: 'http_4xx', message: `HTTP 401: invalid key "${KEY}"` } } as unknown as RequestRecord, ...records()];
  const secretText = toRecordLines(withKey());
  const parsed = fromRecordLines(secretText);
  wLines.appendLines(secretText, [], parsed);
  assert.ok(!JSON.stringify(parsed).includes(KEY), 'the parsed records are redacted in place, as append() does');
  wLines.close();
  const wObjects = new RunWriter(path.join(base, 'objects'), plan(), undefined, [KEY]);
  wObjects.append(JSON.parse(JSON.stringify(clean)) as RequestRecord[], []);
  wObjects.append(withKey(), []);
  wObjects.close();
  // Without the parsed records (the orchestrator reads a batch's digest, not its lines), the writer parses a batch with a secret itself.
  const wUnparsed = new RunWriter(path.join(base, 'unparsed'), plan(), undefined, [KEY]);
  assert.equal(wUnparsed.appendLines(text, []), undefined, 'a clean batch is not parsed');
  const returned = wUnparsed.appendLines(secretText, []);
  assert.ok(returned && returned.length === withKey().length && !JSON.stringify(returned).includes(KEY), 'a batch with a secret comes back parsed and redacted');
  wUnparsed.close();
  const linesFile = fs.readFileSync(path.join(base, 'lines', RESULT_FILES.requests), 'utf8');
  const objectsFile = fs.readFileSync(path.join(base, 'objects', RESULT_FILES.requests), 'utf8');
  assert.ok(linesFile.startsWith(text), 'a batch without a secret is written unchanged');
  assert.ok(!linesFile.includes(KEY) && linesFile.includes(REDACTED));
  assert.equal(linesFile, objectsFile, 'the same file either way');
  assert.equal(fs.readFileSync(path.join(base, 'unparsed', RESULT_FILES.requests), 'utf8'), objectsFile, 'the same file when the writer parses the batch itself');
});
