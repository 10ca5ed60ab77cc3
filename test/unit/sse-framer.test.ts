// The byte-level SSE framer on its own: event fields, comments, byte counts, line-end styles,
// a BOM, invalid lines, and the guard against an endless line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseFramer, MAX_LINE_BYTES, type SseEvent } from '../../src/core/protocols/sse-framer';

function frame(chunks: (string | Uint8Array)[]) {
  const out: { events: SseEvent[]; comments: [string, number][]; invalid: [string, number][]; trailing: [string, number][] } = { events: [], comments: [], invalid: [], trailing: [] };
  const f = new SseFramer({
    event: (e) => out.events.push(e),
    comment: (t, b) => out.comments.push([t, b]),
    invalid: (l, b) => out.invalid.push([l, b]),
    trailing: (t, b) => out.trailing.push([t, b]),
  });
  for (const c of chunks) f.push(typeof c === 'string' ? Buffer.from(c) : c);
  f.end();
  return out;
}

test('fields: event, id, multi-line data; retry ignored; comments with their bytes', () => {
  const o = frame([': ping\n', 'event: add\nid: 9\nretry: 100\ndata: a\ndata: b\n\n']);
  assert.deepEqual(o.comments, [[': ping', 7]]);
  assert.equal(o.events.length, 1);
  assert.deepEqual({ ...o.events[0] }, { event: 'add', id: '9', data: 'a\nb', bytes: Buffer.byteLength('event: add\nid: 9\nretry: 100\ndata: a\ndata: b\n\n') });
  assert.deepEqual(o.invalid, []);
});

test('several events in one read, one event over many reads', () => {
  const two = frame(['data: 1\n\ndata: 2\n\n']);
  assert.deepEqual(two.events.map((e) => e.data), ['1', '2']);
  const text = 'data: {"k":"日本"}\n\n';
  const bytes = Buffer.from(text);
  const many = frame(Array.from(bytes, (b) => Uint8Array.of(b)));
  assert.deepEqual(many.events.map((e) => [e.data, e.bytes]), [['{"k":"日本"}', bytes.length]]);
});

test('LF, CRLF and CR line ends, a CRLF split across reads, and a BOM', () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const s = `\uFEFFdata: x${eol}${eol}: c${eol}data: y${eol}${eol}`;
    const o = frame([s.slice(0, 9), s.slice(9)]);
    assert.deepEqual(o.events.map((e) => e.data), ['x', 'y'], JSON.stringify(eol));
    assert.deepEqual(o.comments.map((c) => c[0]), [': c']);
  }
  const o = frame(['data: x\r', '\n\r', '\n']);
  assert.deepEqual(o.events.map((e) => e.data), ['x']);
  assert.deepEqual(o.invalid, []);
});

test('a line that is no SSE field is invalid; unterminated bytes at the end are trailing', () => {
  const o = frame(['{"raw":"json"}\n\n', 'data: cut']);
  assert.deepEqual(o.invalid, [['{"raw":"json"}', 15]]);
  assert.deepEqual(o.trailing, [['data: cut', 9]]);
  assert.equal(o.events.length, 0);
});

test('complete lines of an event without its blank line are dispatched at the end', () => {
  const o = frame(['data: [DONE]\n']);
  assert.deepEqual(o.events.map((e) => e.data), ['[DONE]']);
});

test('an endless line is dropped and reported, and the framer recovers at the next line end', () => {
  const big = new Uint8Array(1024 * 1024).fill(0x61);
  const chunks: Uint8Array[] = [Buffer.from('data: ')];
  for (let i = 0; i * big.length <= MAX_LINE_BYTES; i++) chunks.push(big);
  chunks.push(Buffer.from('\n\ndata: ok\n\n'));
  const o = frame(chunks);
  assert.equal(o.invalid.length, 1);
  assert.match(o.invalid[0][0], /longer than/);
  assert.deepEqual(o.events.map((e) => e.data), ['ok']);
});
