// Each API's decoder on fixture streams written from that API's documented format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSplit, fixture, CUSTOM_SSE } from '../fixtures/streams/helpers';

const kinds = (r: { packets: { kind: string }[] }) => r.packets.map((p) => p.kind);

test('openai-completions: choices[].text is answer, usage chunk is stats, finish length kept', () => {
  const r = decodeSplit('openai-completions', fixture('openai-completions.sse'));
  assert.deepEqual(kinds(r), ['answer', 'answer', 'heartbeat', 'answer', 'stats', 'done']);
  assert.equal(r.answer_text, 'Once upon a time');
  assert.equal(r.finish_reason, 'length');
  assert.deepEqual(r.usage, { prompt_tokens: 4, completion_tokens: 4 });
  assert.equal(r.complete, true);
});

test('openai-responses: reasoning summary deltas are thinking, output_text deltas answer, completed is done', () => {
  const r = decodeSplit('openai-responses', fixture('openai-responses-reasoning.sse'));
  assert.deepEqual(kinds(r), ['other', 'other', 'other', 'thinking', 'thinking', 'other', 'other', 'other', 'answer', 'answer', 'other', 'stats', 'done']);
  assert.equal(r.thinking_text, 'Checking the capital of France…');
  assert.equal(r.answer_text, 'Paris — bien sûr.');
  assert.deepEqual(r.usage, { prompt_tokens: 15, completion_tokens: 42, reasoning_tokens: 30, cached_tokens: 0 });
  assert.equal(r.finish_reason, 'stop');
  assert.equal(r.response_id, 'resp_01');
  assert.equal(r.complete, true);
  assert.equal(r.error, undefined);
});

test('openai-responses: response.failed is stream_error; incomplete at max_output_tokens is length', () => {
  const r = decodeSplit('openai-responses', fixture('openai-responses-failed.sse'));
  assert.deepEqual(kinds(r), ['other', 'answer', 'error']);
  assert.equal(r.error?.kind, 'stream_error');
  assert.match(r.error!.message, /failed to generate/);
  const inc = decodeSplit(
    'openai-responses',
    Buffer.from(
      'data: {"type":"response.output_text.delta","delta":"a"}\n\n' +
        'data: {"type":"response.incomplete","response":{"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":1,"output_tokens":1}}}\n\n',
    ),
  );
  assert.equal(inc.finish_reason, 'length');
  assert.equal(inc.complete, true);
  const rt = decodeSplit('openai-responses', Buffer.from('data: {"type":"response.reasoning_text.delta","delta":"r"}\n\ndata: {"type":"error","code":"x","message":"boom"}\n\n'));
  assert.deepEqual(kinds(rt), ['thinking', 'error']);
  assert.equal(rt.error?.message, 'boom');
});

test('anthropic: thinking blocks, ping heartbeat, signature not output, message_delta usage, message_stop done', () => {
  const r = decodeSplit('anthropic', fixture('anthropic-thinking.sse'));
  assert.deepEqual(kinds(r), ['other', 'other', 'heartbeat', 'thinking', 'thinking', 'other', 'other', 'other', 'answer', 'answer', 'other', 'stats', 'done']);
  assert.equal(r.thinking_text, 'The user wants a greeting in Japanese: こんにちは.');
  assert.equal(r.answer_text, 'こんにちは! 👋');
  assert.deepEqual(r.usage, { prompt_tokens: 25, completion_tokens: 37, cached_tokens: 10 });
  assert.equal(r.finish_reason, 'stop');
  assert.equal(r.response_id, 'msg_01ABC');
  assert.equal(r.complete, true);
});

test('anthropic: error event mid-stream (overloaded) is stream_error, earlier text kept; max_tokens is length', () => {
  const r = decodeSplit('anthropic', fixture('anthropic-overloaded.sse'));
  assert.deepEqual(kinds(r), ['other', 'other', 'answer', 'error']);
  assert.equal(r.error?.kind, 'stream_error');
  assert.equal(r.error?.message, 'Overloaded');
  assert.equal(r.answer_text, 'Hel');
  const len = decodeSplit('anthropic', Buffer.from('event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":9}}\n\n'));
  assert.equal(len.finish_reason, 'length');
});

test('ollama: message.thinking is thinking, empty records heartbeat, done record has counts and durations', () => {
  const r = decodeSplit('ollama', fixture('ollama-thinking.ndjson'));
  assert.deepEqual(kinds(r), ['thinking', 'thinking', 'heartbeat', 'answer', 'answer', 'stats', 'done']);
  assert.equal(r.thinking_text, 'Okay, 17 × 23 = 391.');
  assert.equal(r.answer_text, '17 × 23 = 391 ✓');
  assert.deepEqual(r.usage, { prompt_tokens: 10, completion_tokens: 17 });
  assert.equal(r.finish_reason, 'stop');
  assert.equal(r.complete, true);
  assert.ok(Math.abs(r.server_timing!.total_ms - 4353.6199) < 1e-6);
  assert.ok(Math.abs(r.server_timing!.eval_ms - 4032.296) < 1e-6);
});

test('ollama: an error record is stream_error; a non-JSON line is bad_stream; a cut last line is not', () => {
  const r = decodeSplit('ollama', fixture('ollama-error.ndjson'));
  assert.deepEqual(kinds(r), ['answer', 'error']);
  assert.equal(r.error?.kind, 'stream_error');
  assert.match(r.error!.message, /unexpected EOF/);
  assert.equal(decodeSplit('ollama', Buffer.from('not json\n')).error?.kind, 'bad_stream');
  const cut = decodeSplit('ollama', Buffer.from('{"message":{"content":"a"},"done":false}\n{"message":{"cont'));
  assert.equal(cut.error, undefined);
  assert.equal(cut.complete, false);
  assert.equal(cut.answer_text, 'a');
});

test('tgi: tokens are answer, the special eos token is not, the generated_text event is done', () => {
  const r = decodeSplit('tgi', fixture('tgi.sse'));
  assert.deepEqual(kinds(r), ['answer', 'answer', 'answer', 'answer', 'other', 'stats', 'done']);
  assert.equal(r.answer_text, 'Deep learning is fün');
  assert.deepEqual(r.usage, { completion_tokens: 5 });
  assert.equal(r.finish_reason, 'stop');
  assert.equal(r.complete, true);
  const e = decodeSplit('tgi', fixture('tgi-error.sse'));
  assert.deepEqual(kinds(e), ['answer', 'error']);
  assert.equal(e.error?.kind, 'stream_error');
  assert.match(e.error!.message, /^generation: .*CUDA out of memory/);
});

test('sse (generic): JSON paths from the scenario pick answer, thinking, usage, finish and done', () => {
  const r = decodeSplit('sse', fixture('sse-custom.sse'), [], { sse: CUSTOM_SSE });
  assert.deepEqual(kinds(r), ['thinking', 'heartbeat', 'answer', 'answer', 'stats', 'done']);
  assert.equal(r.thinking_text, 'weighing options');
  assert.equal(r.answer_text, 'Option B wins.');
  assert.deepEqual(r.usage, { prompt_tokens: 9, completion_tokens: 6 });
  assert.equal(r.finish_reason, 'stop');
  assert.equal(r.response_id, 'r-42');
  assert.equal(r.complete, true);
});

test('sse (generic): defaults read OpenAI chat chunks, [DONE] ends the stream', () => {
  const r = decodeSplit('sse', fixture('openai-chat-reasoning.sse'));
  assert.equal(r.answer_text, 'Voilà: 🚀 日本語!');
  assert.equal(r.thinking_text, 'Let me think about café ☕.');
  assert.equal(r.complete, true);
  assert.deepEqual(r.usage, { prompt_tokens: 12, completion_tokens: 9, reasoning_tokens: 5, cached_tokens: 8 });
});

test('think_tags: starts_in_thinking handles a template that already opened <think>; false turns splitting off', () => {
  const s =
    'data: {"choices":[{"delta":{"content":"step one, "}}]}\n\n' +
    'data: {"choices":[{"delta":{"content":"step two</th"}}]}\n\n' +
    'data: {"choices":[{"delta":{"content":"ink>Answer."}}]}\n\n' +
    'data: [DONE]\n\n';
  const r = decodeSplit('openai-chat', Buffer.from(s), [], { think_tags: { starts_in_thinking: true } });
  assert.equal(r.thinking_text, 'step one, step two');
  assert.equal(r.answer_text, 'Answer.');
  assert.deepEqual(kinds(r), ['thinking', 'thinking', 'answer', 'done']);
  const off = decodeSplit('openai-chat', fixture('openai-chat-think-tags.sse'), [], { think_tags: false });
  assert.equal(off.thinking_text, '');
  assert.match(off.answer_text, /^<think>/);
  const custom = decodeSplit('ollama', Buffer.from('{"message":{"content":"[R]hm[/R]ok"},"done":true}\n'), [], { think_tags: { open: '[R]', close: '[/R]' } });
  assert.equal(custom.thinking_text, 'hm');
  assert.equal(custom.answer_text, 'ok');
});

test('tgi: details.input_length is the prompt count', () => {
  const r = decodeSplit('tgi', Buffer.from('data:{"token":{"id":1,"text":"x","special":false},"generated_text":"x","details":{"finish_reason":"length","generated_tokens":1,"input_length":12}}\n\n'));
  assert.deepEqual(r.usage, { completion_tokens: 1, prompt_tokens: 12 });
  assert.equal(r.finish_reason, 'length');
});

test('openai-chat request: max_completion_tokens in the raw body replaces max_tokens', async () => {
  const { createAdapter } = await import('../../src/core/protocols');
  const a = createAdapter({ api: 'openai-chat', model: 'o', timeouts: { total_ms: 1 }, headers: {} }, 'http://127.0.0.1:1/v1');
  const body = JSON.parse(a.buildRequest({ name: 'p', weight: 1, messages: [{ role: 'user', content: 'x' }], params: { max_tokens: 5 }, body: { max_completion_tokens: 9 } }).body);
  assert.equal(body.max_tokens, undefined);
  assert.equal(body.max_completion_tokens, 9);
});
