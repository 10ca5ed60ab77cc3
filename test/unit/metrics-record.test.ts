import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord } from '../../src/core/metrics/record';
import type { Packet, PacketKind, StreamResult } from '../../src/core/protocols/types';

const ctx = { id: 7, prompt: 'p', user: 1, start_ms: 1_764_300_000_123.456, offset_ms: 50 };

function stream(packets: Array<[number, PacketKind, string?]>, extra: Partial<StreamResult> = {}): StreamResult {
  const ps: Packet[] = packets.map(([t_ms, kind, text]) => ({ t_ms, kind, bytes: 10, text: text ?? '' }));
  const answer = ps.filter((p) => p.kind === 'answer');
  const thinking = ps.filter((p) => p.kind === 'thinking');
  return {
    http_status: 200,
    packets: ps,
    end_ms: ps.length ? ps[ps.length - 1]!.t_ms : 0,
    answer_text: answer.map((p) => p.text).join(''),
    thinking_text: thinking.map((p) => p.text).join(''),
    answer_chunks: answer.length,
    thinking_chunks: thinking.length,
    finish_reason: 'stop',
    complete: true,
    ...extra,
  };
}

test('role-only chunk, keep-alives, empty deltas and the usage chunk never start TTFT', () => {
  const r = buildRecord(
    stream([
      [5, 'other', ''], // role-only first chunk
      [100, 'heartbeat'], // `: keep-alive`
      [200, 'heartbeat'], // empty delta
      [300, 'answer', 'Paris'],
      [340, 'answer', '.'],
      [350, 'other'], // finish_reason only
      [351, 'stats'], // usage chunk
      [352, 'done'],
    ]),
    ctx,
  );
  assert.equal(r.ttft_ms, 300);
  assert.equal(r.ttfa_ms, 300);
  assert.equal(r.status, 'ok');
  assert.deepEqual(r.packets, { other: 2, heartbeat: 2, answer: 2, stats: 1, done: 1 });
});

test('thinking then answer: TTFT at the first thinking packet, TTFA at the first answer, TTFT < TTFA', () => {
  const r = buildRecord(
    stream([
      [3, 'other'],
      [120, 'thinking', 'Let'],
      [150, 'thinking', ' me'],
      [400, 'answer', 'Blue'],
      [450, 'answer', '.'],
      [460, 'done'],
    ]),
    ctx,
  );
  assert.equal(r.ttft_ms, 120);
  assert.equal(r.ttfa_ms, 400);
  assert.ok(r.ttft_ms! < r.ttfa_ms!);
  assert.equal(r.thinking_ms, 280);
  assert.equal(r.e2e_ms, 460);
  // 4 output tokens counted from packets; rate after the first: 3 tokens over 330 ms
  assert.equal(r.output_tokens, 4);
  assert.equal(r.output_tokens_source, 'packets');
  assert.equal(r.thinking_tokens, 2);
  assert.ok(Math.abs(r.token_rate! - 3 / 0.33) < 1e-9);
});

test('server usage wins over packet counts, and the record says so', () => {
  const r = buildRecord(
    stream([[10, 'answer', 'a'], [20, 'answer', 'b'], [30, 'done']], { usage: { prompt_tokens: 42, completion_tokens: 5, reasoning_tokens: 0 } }),
    ctx,
  );
  assert.equal(r.output_tokens, 5);
  assert.equal(r.output_tokens_source, 'server');
  assert.equal(r.input_tokens, 42);
  assert.equal(r.input_tokens_source, 'server');
  assert.equal(r.token_rate, 4 / 0.01);
});

test('a stream with no answer text is an empty_answer failure', () => {
  const r = buildRecord(stream([[5, 'other'], [9, 'heartbeat'], [10, 'done']]), ctx);
  assert.equal(r.status, 'error');
  assert.equal(r.error?.kind, 'empty_answer');
  assert.equal(r.ttft_ms, null);
  assert.equal(r.token_rate, null);
});

test('thinking cut by the length limit is truncated_thinking, not empty_answer', () => {
  const r = buildRecord(stream([[10, 'thinking', 'hmm'], [20, 'thinking', '...'], [30, 'done']], { finish_reason: 'length' }), ctx);
  assert.equal(r.error?.kind, 'truncated_thinking');
  assert.equal(r.ttft_ms, 10);
  assert.equal(r.ttfa_ms, null);
});

test('an answer cut at max_tokens succeeds with a length warning', () => {
  const r = buildRecord(stream([[10, 'answer', 'x'], [20, 'done']], { finish_reason: 'length' }), ctx);
  assert.equal(r.status, 'ok');
  assert.deepEqual(r.warnings, ['length']);
});

test('a stream that ends before its done marker is a disconnect; transport errors pass through', () => {
  const cut = buildRecord(stream([[10, 'answer', 'x']], { complete: false }), ctx);
  assert.equal(cut.error?.kind, 'disconnect');
  const e500 = buildRecord(stream([], { http_status: 500, complete: false, error: { kind: 'http_5xx', message: 'boom' } }), ctx);
  assert.equal(e500.status, 'error');
  assert.equal(e500.error?.kind, 'http_5xx');
  assert.equal(e500.http_status, 500);
});

test('a tool call is model output: it starts TTFT and TTFA, and a turn that only calls a tool succeeds', () => {
  const r = buildRecord(stream([[3, 'other'], [90, 'heartbeat'], [200, 'tool_call', '{"name":"get_weather"'], [220, 'tool_call', '}'], [230, 'done']], { finish_reason: 'tool_calls' }), ctx);
  assert.equal(r.status, 'ok');
  assert.equal(r.ttft_ms, 200);
  assert.equal(r.ttfa_ms, 200);
  assert.equal(r.output_tokens, 2);
  assert.equal(r.token_rate, 1 / 0.02);
});

test('an answer cut at max_tokens is a `length` failure when the scenario says so', () => {
  const r = buildRecord(stream([[10, 'answer', 'x'], [20, 'done']], { finish_reason: 'length' }), { ...ctx, length_fails: true });
  assert.equal(r.status, 'error');
  assert.equal(r.error?.kind, 'length');
  assert.equal(r.warnings, undefined);
});

test('the server\'s cached prompt tokens are kept, and never invented', () => {
  const withCache = buildRecord(stream([[10, 'answer', 'a'], [20, 'done']], { usage: { prompt_tokens: 900, completion_tokens: 1, cached_tokens: 768 } }), ctx);
  assert.equal(withCache.cached_tokens, 768);
  const without = buildRecord(stream([[10, 'answer', 'a'], [20, 'done']], { usage: { prompt_tokens: 900, completion_tokens: 1 } }), ctx);
  assert.equal('cached_tokens' in without, false);
});
