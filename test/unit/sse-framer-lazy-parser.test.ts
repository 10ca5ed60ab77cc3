// The framer creates eventsource-parser only for the first line its data-line shortcut does not
// take, and starts on the shortcut. The parser strips a BOM (as the three characters "ï»¿") from
// the first text it is fed, so a parser created late must not take a later line for the stream's
// start: streams with BOMs at the start of any line report exactly what feeding every line to the
// parser from the start reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseFramer } from '../../src/core/protocols/sse-framer';

function frame(bytes: Uint8Array, cuts: number[], fastData: boolean) {
  const out: unknown[] = [];
  const f = new SseFramer(
    {
      event: (e) => out.push(['event', { ...e }]),
      comment: (t, b) => out.push(['comment', t, b]),
      invalid: (l, b) => out.push(['invalid', l, b]),
      trailing: (t, b) => out.push(['trailing', t, b]),
    },
    fastData,
  );
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    f.push(bytes.subarray(prev, c));
    prev = c;
  }
  f.end();
  return out;
}

const BOM = '\uFEFF';
/** A BOM's bytes read as Latin-1: what eventsource-parser strips from its first chunk. */
const LATIN1_BOM = '\u00EF\u00BB\u00BF';
const line = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('data: {"a":1}', 'data:x', 'data: [DONE]') },
  { weight: 3, arbitrary: fc.constantFrom(`${BOM}data: b`, `${BOM}${BOM}data: c`, `${BOM}: comment`, `${BOM}`, `${BOM}event: e`, `data: ${BOM}v`, `${LATIN1_BOM}data: d`, `${BOM}${LATIN1_BOM}data: e`) },
  { weight: 1, arbitrary: fc.constantFrom(': keep-alive', 'event: x', 'id: 1', 'retry: 5', '{"raw":1}') },
  { weight: 4, arbitrary: fc.constant('') },
);
const stream = fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 12 }).map((ls) => Buffer.from(ls.map(([l, e]) => l + e).join('')));

test('property: BOMs at the start of any line, before or after the parser is created, read as on the parser path', () => {
  fc.assert(
    fc.property(
      stream.chain((b) => fc.tuple(fc.constant(b), fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, b.length - 1) }), { maxLength: 6 }).map((a) => a.filter((x) => x < b.length).sort((x, y) => x - y)))),
      ([bytes, cuts]) => {
        assert.deepEqual(frame(bytes, cuts, true), frame(bytes, cuts, false));
      },
    ),
    { seed: 20261206, numRuns: 2000 },
  );
});

test('a stream of single-line data events never needs the parser; the first event takes the shortcut too', () => {
  const events: string[] = [];
  const f = new SseFramer({ event: (e) => events.push(e.data), comment: () => undefined, invalid: () => undefined, trailing: () => undefined });
  f.push(Buffer.from('data: {"a":1}\n\ndata: [DONE]\n\n'));
  f.end();
  assert.deepEqual(events, ['{"a":1}', '[DONE]']);
  assert.equal((f as unknown as { parserState: unknown }).parserState, undefined);
});

test('a line after the shortcut that starts with a BOM keeps it, as the parser fed from the start does', () => {
  const text = `data: 1\n\n${LATIN1_BOM}data: 2\n\n${BOM}${BOM}data: 3\n\n`;
  const fast = frame(Buffer.from(text), [], true);
  assert.deepEqual(fast, frame(Buffer.from(text), [], false));
  assert.deepEqual(fast[1], ['invalid', `${LATIN1_BOM}data: 2`, 14]);
});
