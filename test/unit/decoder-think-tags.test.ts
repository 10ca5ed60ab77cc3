// The streaming <think> tag splitter: tags split anywhere, custom tags, and the three ways a model
// may start (with the opening tag, inside thinking without it, or with a plain answer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThinkTagSplitter, type ThinkTagOptions } from '../../src/core/protocols/think-tags';
import { decodeSplit } from '../fixtures/streams/helpers';

function run(parts: string[], opts?: ThinkTagOptions) {
  const s = new ThinkTagSplitter(opts);
  const acc = { thinking: '', answer: '', retro: 0, kinds: [] as string[] };
  const take = (r: ReturnType<ThinkTagSplitter['push']>) => {
    if (r.retro) {
      acc.retro++;
      acc.thinking += acc.answer;
      acc.answer = '';
    }
    for (const seg of r.segments) {
      acc[seg.kind] += seg.text;
      acc.kinds.push(seg.kind);
    }
  };
  for (const p of parts) take(s.push(p));
  take(s.flush());
  return acc;
}

test('opening and closing tags split over chunks', () => {
  const r = run(['<', 'thi', 'nk>', 'plan ', 'it</', 'think', '>\n\n', 'Done.']);
  assert.equal(r.thinking, 'plan it');
  assert.equal(r.answer, 'Done.');
  assert.equal(r.retro, 0);
});

test('no tags at all: everything is answer, text that looks like a tag start is released', () => {
  assert.deepEqual(run(['Hello ', 'world']).answer, 'Hello world');
  assert.equal(run(['<b>bold</b>']).answer, '<b>bold</b>');
  assert.equal(run(['<th']).answer, '<th');
  assert.equal(run(['a < b']).answer, 'a < b');
});

test('auto: a closing tag without an opening one relabels the answer so far as thinking', () => {
  const r = run(['I should ', 'greet.</th', 'ink>\n\nHi!']);
  assert.equal(r.thinking, 'I should greet.');
  assert.equal(r.answer, 'Hi!');
  assert.equal(r.retro, 1);
});

test('starts_in_thinking: true needs no retro; a redundant opening tag is dropped', () => {
  const r = run(['<think>', 'x', '</think>', 'y'], { starts_in_thinking: true });
  assert.deepEqual([r.thinking, r.answer, r.retro], ['x', 'y', 0]);
  const r2 = run(['x</think>y'], { starts_in_thinking: true });
  assert.deepEqual([r2.thinking, r2.answer], ['x', 'y']);
});

test('starts_in_thinking: false never relabels', () => {
  const r = run(['a</think>b'], { starts_in_thinking: false });
  assert.deepEqual([r.thinking, r.answer, r.retro], ['', 'a</think>b', 0]);
});

test('custom tags', () => {
  const r = run(['<reasoning>', 'r', '</reasoning>', 'a'], { open: '<reasoning>', close: '</reasoning>' });
  assert.deepEqual([r.thinking, r.answer], ['r', 'a']);
});

test('thinking never closed (cut by a length limit) stays thinking', () => {
  const r = run(['<think>', 'still going', ' </thi']);
  assert.equal(r.thinking, 'still going </thi');
  assert.equal(r.answer, '');
});

test('decoder: a stream that opens thinking without the tag ends with thinking packets, then answer', () => {
  const s = ['Let', ' me', ' see.', '</think>', '\n\n', 'Yes', '.'].map((c) => `data: {"choices":[{"delta":{"content":${JSON.stringify(c)}}}]}\n\n`).join('') + 'data: [DONE]\n\n';
  const r = decodeSplit('openai-chat', Buffer.from(s));
  assert.equal(r.thinking_text, 'Let me see.');
  assert.equal(r.answer_text, 'Yes.');
  assert.deepEqual(r.packets.map((p) => p.kind), ['thinking', 'thinking', 'thinking', 'thinking', 'other', 'answer', 'answer', 'done']);
  assert.equal(r.thinking_chunks, 3);
  assert.equal(r.answer_chunks, 2);
});
