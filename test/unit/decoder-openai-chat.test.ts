import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OpenAiChatDecoder } from '../../src/core/protocols/openai-chat';
import type { StreamRecord } from '../../src/core/protocols/stream-record';

const fixture = (name: string): Buffer => readFileSync(path.join(__dirname, '../fixtures/streams', name));

/** Decodes `bytes` split at the given offsets; read i gets t_ms = i. */
function decode(bytes: Uint8Array, cuts: number[] = [], contentType = 'text/event-stream'): StreamRecord {
  const d = new OpenAiChatDecoder({ contentType });
  let prev = 0;
  const bounds = [...cuts, bytes.length];
  bounds.forEach((b, i) => {
    d.push(bytes.subarray(prev, b), i);
    prev = b;
  });
  d.end(bounds.length);
  return d.record;
}

const shape = (r: StreamRecord) => r.packets.map((p) => `${p.kind}:${p.text.slice(0, 40)}`);

test('reasoning stream: kinds in order, role/keep-alive/empty-delta/usage never count as output', () => {
  const r = decode(fixture('openai-chat-reasoning.sse'));
  assert.deepEqual(
    r.packets.map((p) => p.kind),
    ['heartbeat', 'other', 'thinking', 'thinking', 'heartbeat', 'heartbeat', 'answer', 'answer', 'answer', 'other', 'stats', 'done'],
  );
  assert.equal(r.thinking_text, 'Let me think about café ☕.');
  assert.equal(r.answer_text, 'Voilà: 🚀 日本語!');
  assert.equal(r.thinking_chunks, 2);
  assert.equal(r.answer_chunks, 3);
  assert.equal(r.finish_reason, 'stop');
  assert.equal(r.response_id, 'chatcmpl-abc123');
  assert.deepEqual(r.usage, { prompt_tokens: 12, completion_tokens: 9, reasoning_tokens: 5, cached_tokens: 8 });
  assert.equal(r.complete, true);
  assert.equal(r.error, undefined);
  const lastThinking = r.packets.map((p) => p.kind).lastIndexOf('thinking');
  const firstAnswer = r.packets.findIndex((p) => p.kind === 'answer');
  assert.ok(lastThinking < firstAnswer);
});

test('packet bytes add up to the bytes on the wire', () => {
  const bytes = fixture('openai-chat-reasoning.sse');
  const r = decode(bytes);
  const sum = r.packets.reduce((s, p) => s + p.bytes, 0);
  // Every byte is attributed except a trailing blank line with no event after it.
  assert.ok(sum <= bytes.length && sum >= bytes.length - 2, `sum ${sum} vs ${bytes.length}`);
  const done = r.packets.at(-1)!;
  assert.equal(done.bytes, Buffer.byteLength('data: [DONE]\n\n'));
});

test('a split at every byte offset (inside multi-byte UTF-8 too) decodes to the same packets', () => {
  for (const name of ['openai-chat-reasoning.sse', 'openai-chat-think-tags.sse', 'openai-chat-tool-call.sse']) {
    const bytes = fixture(name);
    const whole = decode(bytes);
    for (let i = 1; i < bytes.length; i++) {
      const r = decode(bytes, [i]);
      assert.deepEqual(shape(r), shape(whole), `${name} split at ${i}`);
      assert.equal(r.answer_text, whole.answer_text);
      assert.equal(r.thinking_text, whole.thinking_text);
      assert.deepEqual(r.packets.map((p) => p.bytes), whole.packets.map((p) => p.bytes), `${name} bytes at ${i}`);
    }
  }
});

test('CRLF and CR line ends, split anywhere, decode the same as LF', () => {
  const lf = fixture('openai-chat-reasoning.sse').toString('utf8');
  const whole = decode(Buffer.from(lf));
  for (const eol of ['\r\n', '\r']) {
    const bytes = Buffer.from(lf.replace(/\n/g, eol));
    for (let i = 1; i < bytes.length; i += 7) {
      const r = decode(bytes, [i]);
      assert.deepEqual(shape(r), shape(whole), `eol ${JSON.stringify(eol)} split at ${i}`);
    }
  }
});

test('one byte per read: every event takes the time of the read that completed it', () => {
  const bytes = fixture('openai-chat-reasoning.sse');
  const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
  const r = decode(bytes, cuts);
  assert.deepEqual(shape(r), shape(decode(bytes)));
  // The read completing `data: [DONE]\n\n` is the last newline of the file.
  assert.equal(r.packets.at(-1)!.t_ms, bytes.length - 1);
  for (let i = 1; i < r.packets.length; i++) assert.ok(r.packets[i].t_ms >= r.packets[i - 1].t_ms);
});

test('several events in one read share that read\'s timestamp', () => {
  const bytes = fixture('openai-chat-reasoning.sse');
  const r = decode(bytes, [], 'text/event-stream');
  assert.ok(r.packets.every((p) => p.t_ms === 0));
});

test('multi-line data, event: and id: lines', () => {
  const s =
    'id: 7\nevent: message\ndata: {"id":"x","choices":[{"index":0,\ndata: "delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n';
  const r = decode(Buffer.from(s));
  assert.deepEqual(r.packets.map((p) => p.kind), ['answer', 'done']);
  assert.equal(r.answer_text, 'hi');
});

test('error object mid-stream: error packet, stream_error, earlier packets kept', () => {
  const r = decode(fixture('openai-chat-error-midstream.sse'));
  assert.deepEqual(r.packets.map((p) => p.kind), ['other', 'answer', 'error']);
  assert.equal(r.error?.kind, 'stream_error');
  assert.match(r.error!.message, /server had an error/);
  assert.equal(r.answer_text, 'Hello');
  assert.equal(r.complete, false);
});

test('tool calls are tool_call packets, not answer', () => {
  const r = decode(fixture('openai-chat-tool-call.sse'));
  assert.deepEqual(r.packets.map((p) => p.kind), ['tool_call', 'tool_call', 'other', 'done']);
  assert.equal(r.answer_text, '');
  assert.equal(r.finish_reason, 'tool_calls');
});

test('<think> tags split across chunks become thinking, then the answer', () => {
  const r = decode(fixture('openai-chat-think-tags.sse'));
  assert.equal(r.thinking_text, '\nHmm, 2+2 is 4.');
  assert.equal(r.answer_text, 'The answer is 4.');
  assert.deepEqual(r.packets.map((p) => p.kind), ['other', 'other', 'thinking', 'thinking', 'thinking', 'answer', 'other', 'done']);
});

test('unparseable data is bad_stream; a non-SSE line is bad_stream', () => {
  const r = decode(Buffer.from('data: {"id":"x","choices":[{"delta":{"content":"a"}}]}\n\ndata: {not json\n\ndata: [DONE]\n\n'));
  assert.equal(r.error?.kind, 'bad_stream');
  assert.equal(r.answer_text, 'a');
  const r2 = decode(Buffer.from('<html>502 Bad Gateway</html>\n'));
  assert.equal(r2.error?.kind, 'bad_stream');
});

test('a JSON body (server ignored stream: true): answer, thinking and stats, complete', () => {
  const body = JSON.stringify({
    id: 'chatcmpl-nostream',
    choices: [{ index: 0, message: { role: 'assistant', reasoning_content: 'hmm', content: 'Paris.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 3 },
  });
  for (const ct of ['application/json', '']) {
    const bytes = Buffer.from(body);
    const r = decode(bytes, [10, 20], ct);
    assert.deepEqual(r.packets.map((p) => p.kind), ['thinking', 'answer', 'stats']);
    assert.equal(r.answer_text, 'Paris.');
    assert.equal(r.thinking_text, 'hmm');
    assert.equal(r.complete, true);
    assert.equal(r.response_id, 'chatcmpl-nostream');
    assert.deepEqual(r.usage, { prompt_tokens: 5, completion_tokens: 3 });
    assert.equal(r.packets[0].bytes, bytes.length);
  }
});

test('reasoning and reasoning_details fields are thinking; a server sending both is not counted twice', () => {
  const s =
    'data: {"choices":[{"delta":{"reasoning":"a","reasoning_details":[{"type":"reasoning.text","text":"a"}]}}]}\n\n' +
    'data: {"choices":[{"delta":{"reasoning_details":[{"type":"reasoning.summary","summary":"b"}]}}]}\n\n' +
    'data: [DONE]\n\n';
  const r = decode(Buffer.from(s));
  assert.equal(r.thinking_text, 'ab');
  assert.deepEqual(r.packets.map((p) => p.kind), ['thinking', 'thinking', 'done']);
});

test('a stream cut inside an event keeps the partial bytes as other and is not complete', () => {
  const bytes = fixture('openai-chat-reasoning.sse');
  const cut = bytes.indexOf('Voil');
  const r = decode(bytes.subarray(0, cut));
  assert.equal(r.complete, false);
  assert.equal(r.packets.at(-1)!.kind, 'other');
  assert.equal(r.error, undefined);
});
