// Mistral's content-part arrays: `delta.content` (streamed) and `message.content` (one JSON body)
// as arrays of `{"type":"thinking","thinking":[{"type":"text","text"}]}` and `{"type":"text","text"}`
// parts become thinking and answer packets, in order. The chat scanner leaves such chunks to the
// full parse, so the fast path stays exactly the slow path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAiChatDecoder, type OpenAiDecoderOptions } from '../../src/core/protocols/openai-chat';
import { ChatChunkScanner } from '../../src/core/protocols/openai-chat-scan';
import { forEachContentPart } from '../../src/core/protocols/openai-common';

const think = (...texts: string[]) => ({ type: 'thinking', thinking: texts.map((text) => ({ type: 'text', text })) });
const text = (t: string) => ({ type: 'text', text: t });
const chunk = (content: unknown, finish: string | null = null) =>
  JSON.stringify({ id: 'cmpl-m1', object: 'chat.completion.chunk', created: 1, model: 'magistral-small-2509', choices: [{ index: 0, delta: { content }, finish_reason: finish }] });

function decode(events: string[], opts: OpenAiDecoderOptions = {}) {
  const d = new OpenAiChatDecoder({ contentType: 'text/event-stream' }, opts);
  d.push(Buffer.from(events.map((e) => `data: ${e}\n\n`).join('') + 'data: [DONE]\n\n'), 1);
  d.end(2);
  const r = d.record;
  return { packets: r.packets.map((p) => [p.kind, p.kind === 'thinking' || p.kind === 'answer' ? p.text : '', p.bytes]), answer: r.answer_text, thinking: r.thinking_text, chunks: [r.answer_chunks, r.thinking_chunks], complete: r.complete, error: r.error };
}

const STREAM = [
  chunk(''), // an empty string delta: a heartbeat
  chunk([think('Okay, ', 'the user')]),
  chunk([think(' wants 2+2.')]),
  chunk([think(' It is 4.'), text('The answer')]), // the thinking ends mid-chunk
  chunk([text(' is 4.')]),
  chunk(' Plain strings still work.'),
  chunk('', 'stop'),
];

test('streamed content parts: thinking parts are thinking, text parts answer, in order', () => {
  const r = decode(STREAM);
  assert.equal(r.error, undefined);
  assert.equal(r.thinking, 'Okay, the user wants 2+2. It is 4.');
  assert.equal(r.answer, 'The answer is 4. Plain strings still work.');
  assert.deepEqual(
    r.packets.map((p) => p[0]),
    ['heartbeat', 'thinking', 'thinking', 'thinking', 'answer', 'answer', 'answer', 'other', 'done'],
  );
  // one chunk with both kinds: two packets, the first carrying the event's bytes
  const both = r.packets.filter((p) => p[1] === ' It is 4.' || p[1] === 'The answer');
  assert.ok((both[0]![2] as number) > 0);
  assert.equal(both[1]![2], 0);
  assert.deepEqual(r.chunks, [3, 3]);
});

test('the scanner gives up on content arrays and the decoder reads them the same with and without it', () => {
  const sc = new ChatChunkScanner();
  assert.equal(sc.scan(chunk([text('x')])), false);
  assert.equal(sc.scan(chunk([])), false);
  assert.equal(sc.scan(chunk('x')), true); // a string is still the fast path
  // after a template from a string chunk, an array in the same place is not mistaken for it
  assert.equal(sc.scan(chunk([think('y')])), false);
  for (const tags of [{}, { think_tags: false as const }]) {
    assert.deepEqual(decode(STREAM, { ...tags, fast_scan: true }), decode(STREAM, { ...tags, fast_scan: false }));
  }
});

test('a non-streamed body with message.content parts: thinking then answer, usage, complete', () => {
  const body = JSON.stringify({
    id: 'cmpl-m2',
    object: 'chat.completion',
    model: 'magistral-medium-2509',
    choices: [{ index: 0, message: { role: 'assistant', content: [think('Tokyo is the capital.'), text('Tokyo.')] }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
  });
  const d = new OpenAiChatDecoder({ contentType: 'application/json' });
  d.push(Buffer.from(body), 3);
  d.end(4);
  const r = d.record;
  assert.equal(r.thinking_text, 'Tokyo is the capital.');
  assert.equal(r.answer_text, 'Tokyo.');
  assert.deepEqual(
    r.packets.map((p) => p.kind),
    ['thinking', 'answer', 'stats'],
  );
  assert.equal(r.complete, true);
  assert.equal(r.usage?.completion_tokens, 12);
});

test('content parts: images and references carry no text, adjacent parts of one kind join, strings count as text', () => {
  const seen: [string, string][] = [];
  forEachContentPart(
    [
      { type: 'image_url', image_url: 'https://example.invalid/x.png' },
      think('a', 'b'),
      { type: 'thinking', thinking: 'c' },
      { type: 'reference', reference_ids: [1, 2] },
      text('d'),
      'e',
      think(''),
      text(''),
      7,
      null,
      { type: 'thinking' },
      text('f'),
    ],
    (kind, t) => seen.push([kind, t]),
  );
  assert.deepEqual(seen, [
    ['thinking', 'abc'],
    ['answer', 'def'],
  ]);
});

test('<think> tags inside text parts are split like string content; an array with no text is not output', () => {
  const r = decode([chunk([text('<think>hidden</think>shown')]), chunk([{ type: 'image_url', image_url: 'x' }]), chunk('', 'stop')]);
  assert.equal(r.thinking, 'hidden');
  assert.equal(r.answer, 'shown');
  assert.deepEqual(
    r.packets.map((p) => p[0]),
    ['thinking', 'answer', 'heartbeat', 'other', 'done'],
  );
});
