// The primary's answer as the proxy's loop keeps it (bytes, each read's end and arrival time,
// how it ended) is decoded in the mirror's worker: the result must be the one the live HTTP
// client would have recorded, timed by the arrival times the proxy took, not by when it is decoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeStreamLog, type StreamLog } from '../../src/core/mirror/stream-log';
import { buildRecord } from '../../src/core/metrics/record';

const ev = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
const CHUNKS = [
  ev({ id: 'r1', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
  ev({ id: 'r1', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] }),
  // One read holding two events, the second split across reads.
  ev({ id: 'r1', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] }) + ev({ id: 'r1', choices: [{ index: 0, delta: { content: ' there' }, finish_reason: null }] }).slice(0, 20),
  ev({ id: 'r1', choices: [{ index: 0, delta: { content: ' there' }, finish_reason: null }] }).slice(20),
  ev({ id: 'r1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
  'data: [DONE]\n\n',
];

function logOf(reads: string[], times: number[], end: StreamLog['end'], extra: Partial<StreamLog> = {}): StreamLog {
  const bytes = Buffer.from(reads.join(''));
  const ends: number[] = [];
  let at = 0;
  for (const r of reads) ends.push((at += Buffer.byteLength(r)));
  return { sent_at: 1000, start_ms: 1_700_000_000_000, status: 200, first_byte_ms: 4, content_type: 'text/event-stream', bytes: new Uint8Array(bytes), length: bytes.length, ends, times, end, ...extra };
}

const ctx = { id: 0, prompt: 'p', user: 0, start_ms: 0, offset_ms: 0 };

test('a logged SSE answer decodes as the live client records it: TTFT from the read that brought the first output, end at the done marker', () => {
  const times = [5, 9.5, 12, 14, 20, 21];
  const r = decodeStreamLog(logOf(CHUNKS, times, { how: 'end', t: 30 }), 'openai-chat');
  assert.equal(r.complete, true);
  assert.equal(r.answer_text, 'Hello there');
  assert.equal(r.finish_reason, 'stop');
  assert.equal(r.http_status, 200);
  assert.equal(r.first_byte_ms, 4);
  assert.equal(r.sent_at, 1000);
  assert.equal(r.start_ms, 1_700_000_000_000);
  // The done marker came in the read of t = 21; the connection's end at 30 is not the stream's.
  assert.equal(r.end_ms, 21);
  const rec = buildRecord(r, ctx);
  assert.equal(rec.status, 'ok');
  assert.equal(rec.ttft_ms, 9.5);
  assert.equal(rec.e2e_ms, 21);
});

test('a cut answer: cancelled before its done marker, but a cut after it keeps the stream complete', () => {
  const cut = decodeStreamLog(logOf(CHUNKS.slice(0, 3), [5, 9, 12], { how: 'abort', kind: 'cancelled', message: 'the client disconnected', t: 15 }), 'openai-chat');
  assert.equal(cut.complete, false);
  assert.deepEqual(cut.error, { kind: 'cancelled', message: 'the client disconnected' });
  assert.equal(cut.end_ms, 15);
  assert.equal(cut.answer_text, 'Hello');
  const late = decodeStreamLog(logOf(CHUNKS, [5, 9, 12, 13, 14, 15], { how: 'abort', kind: 'cancelled', message: 'the mirror stopped', t: 40 }), 'openai-chat');
  assert.equal(late.complete, true);
  assert.equal(late.error, undefined);
  assert.equal(late.end_ms, 15);
});

test('a stream that ends or breaks before its done marker is a disconnect or the transport error', () => {
  const ended = decodeStreamLog(logOf(CHUNKS.slice(0, 2), [5, 9], { how: 'end', t: 10 }), 'openai-chat');
  assert.equal(ended.error?.kind, 'disconnect');
  const reset = decodeStreamLog(logOf(CHUNKS.slice(0, 2), [5, 9], { how: 'error', kind: 'disconnect', message: 'other side closed', t: 11 }), 'openai-chat');
  assert.deepEqual(reset.error, { kind: 'disconnect', message: 'other side closed' });
  assert.equal(reset.end_ms, 11);
  const refused = decodeStreamLog({ ...logOf([], [], { how: 'error', kind: 'connect', message: 'connect ECONNREFUSED', t: 2 }), status: null, first_byte_ms: undefined }, 'openai-chat');
  assert.equal(refused.error?.kind, 'connect');
  assert.equal(refused.http_status, null);
});

test('error answers are classified as llmload classifies its own: status, body text, Retry-After', () => {
  const body = '{"error":{"message":"slow down"}}';
  const r = decodeStreamLog(logOf([body], [3], { how: 'end', t: 4 }, { status: 429, content_type: 'application/json', retry_after: '2' }), 'openai-chat');
  assert.equal(r.error?.kind, 'http_429');
  assert.equal(r.error?.message, `HTTP 429: ${body}`);
  assert.equal(r.error?.retry_after, '2');
  const boom = decodeStreamLog(logOf(['{"error":"boom"}'], [3], { how: 'end', t: 4 }, { status: 503 }), 'anthropic');
  assert.equal(boom.error?.kind, 'http_5xx');
});
