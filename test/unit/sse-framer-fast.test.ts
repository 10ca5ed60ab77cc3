// The framer's shortcut for single-line `data:` events (held, then dispatched without
// eventsource-parser) must report exactly what feeding every line to the parser reports: the same
// events with the same fields and byte counts, comments, invalid lines and trailing bytes, for any
// mix of lines and any split of the bytes into reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseFramer } from '../../src/core/protocols/sse-framer';

const SEED = 20261128;

/**
 * `asciiText: false` splits every read on bytes, as for a read with a non-ASCII byte. `spans`: the
 * sink takes one-line events as spans of the read's text (SseSink.dataSpan), every one (`all`) or
 * every other one (`some`: the rest come as events), and reports them as the events they stand for.
 */
function frame(bytes: Uint8Array, cuts: number[], fastData: boolean, asciiText = false, spans?: 'all' | 'some') {
  const out: unknown[] = [];
  let offered = 0;
  const f = new SseFramer(
    {
      event: (e) => out.push(['event', { ...e }]),
      comment: (t, b) => out.push(['comment', t, b]),
      invalid: (l, b) => out.push(['invalid', l, b]),
      trailing: (t, b) => out.push(['trailing', t, b]),
      ...(spans && {
        dataSpan: (text: string, from: number, to: number, b: number) => {
          if (spans === 'some' && offered++ % 2 === 1) return false;
          out.push(['event', { data: text.slice(from, to), bytes: b }]);
          return true;
        },
      }),
    },
    fastData,
    asciiText,
  );
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    f.push(bytes.subarray(prev, c));
    prev = c;
  }
  f.end();
  return out;
}

const value = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('{"a":1}', '[DONE]', '', ' two spaces', '\uFEFF{"bom":1}', 'é😀'));
const line = fc.oneof(
  { weight: 6, arbitrary: value.map((v) => `data: ${v}`) },
  { weight: 2, arbitrary: value.map((v) => `data:${v}`) },
  { weight: 1, arbitrary: value.map((v) => `event: ${v}`) },
  { weight: 1, arbitrary: value.map((v) => `id: ${v}`) },
  { weight: 1, arbitrary: fc.constantFrom(': keep-alive', ':', 'retry: 10', 'retry: x', 'unknown: field', 'data', '{"raw":"json"}', 'event:', 'id') },
  { weight: 5, arbitrary: fc.constant('') },
);
const eol = fc.constantFrom('\n', '\r\n', '\r');
const stream = fc.tuple(fc.array(fc.tuple(line, eol), { maxLength: 16 }), fc.option(value, { nil: undefined })).map(([ls, tail]) => Buffer.from(ls.map(([l, e]) => l + e).join('') + (tail ?? '')));

test('property: the data-line shortcut, and ASCII reads split as text, report what the parser path on bytes reports, for any lines and reads', () => {
  fc.assert(
    fc.property(
      stream.chain((b) => fc.tuple(fc.constant(b), fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, b.length - 1) }), { maxLength: 8 }).map((a) => a.filter((x) => x < b.length).sort((x, y) => x - y)))),
      ([bytes, cuts]) => {
        const reference = frame(bytes, cuts, false);
        assert.deepEqual(frame(bytes, cuts, true), reference);
        // reads of ASCII bytes split as text (most reads of most streams), the others on bytes
        assert.deepEqual(frame(bytes, cuts, true, true), reference, 'ASCII reads as text, shortcut');
        assert.deepEqual(frame(bytes, cuts, false, true), reference, 'ASCII reads as text, parser');
        // one-line events whose blank line is in the same read, handed over as spans of its text
        assert.deepEqual(frame(bytes, cuts, true, true, 'all'), reference, 'spans');
        assert.deepEqual(frame(bytes, cuts, true, true, 'some'), reference, 'spans, some declined');
      },
    ),
    { seed: SEED, numRuns: 1500 },
  );
});

test('shortcut: a single-line event, a two-line event after it, and an id line after data', () => {
  const text = 'data: {"a":1}\n\ndata: 1\ndata: 2\n\ndata: x\nid: 7\n\ndata:  spaced\n\ndata: \uFEFFbom\n\n';
  const fast = frame(Buffer.from(text), [], true);
  assert.deepEqual(fast, frame(Buffer.from(text), [], false));
  assert.deepEqual(
    fast.map((x) => (x as [string, { data: string; id?: string }])[1]).map((e) => [e.data, e.id]),
    [
      ['{"a":1}', undefined],
      ['1\n2', undefined],
      ['x', '7'],
      [' spaced', undefined],
      ['\uFEFFbom', undefined],
    ],
  );
});

test('property: data values of arbitrary bytes (invalid UTF-8 included) decode alike on both paths, from Buffers and plain Uint8Arrays', () => {
  const valueBytes = fc.uint8Array({ maxLength: 12 }).map((a) => a.filter((x) => x !== 0x0a && x !== 0x0d));
  fc.assert(
    fc.property(fc.array(valueBytes, { minLength: 1, maxLength: 5 }), fc.boolean(), (values, plain) => {
      const parts = values.flatMap((v) => [Buffer.from('data: '), Buffer.from(v), Buffer.from('\n\n')]);
      const buf = Buffer.concat(parts);
      const bytes = plain ? new Uint8Array(buf) : buf;
      const fast = frame(bytes, [], true);
      assert.deepEqual(fast, frame(bytes, [], false));
      assert.deepEqual(frame(bytes, [], true, true), fast, 'a read of ASCII values as text');
      assert.equal(fast.length, values.length);
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

// The framer creates eventsource-parser only for the first line its data-line shortcut does not
// take, and starts on the shortcut. The parser strips a BOM (as the three characters "ï»¿") from
// the first text it is fed, so a parser created late must not take a later line for the stream's
// start: streams with BOMs at the start of any line report exactly what feeding every line to the
// parser from the start reports.
const BOM = '\uFEFF';
/** A BOM's bytes read as Latin-1: what eventsource-parser strips from its first chunk. */
const LATIN1_BOM = '\u00EF\u00BB\u00BF';
const bomLine = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('data: {"a":1}', 'data:x', 'data: [DONE]') },
  { weight: 3, arbitrary: fc.constantFrom(`${BOM}data: b`, `${BOM}${BOM}data: c`, `${BOM}: comment`, `${BOM}`, `${BOM}event: e`, `data: ${BOM}v`, `${LATIN1_BOM}data: d`, `${BOM}${LATIN1_BOM}data: e`) },
  { weight: 1, arbitrary: fc.constantFrom(': keep-alive', 'event: x', 'id: 1', 'retry: 5', '{"raw":1}') },
  { weight: 4, arbitrary: fc.constant('') },
);
const bomStream = fc.array(fc.tuple(bomLine, fc.constantFrom('\n', '\r\n')), { maxLength: 12 }).map((ls) => Buffer.from(ls.map(([l, e]) => l + e).join('')));

test('property: BOMs at the start of any line, before or after the parser is created, read as on the parser path', () => {
  fc.assert(
    fc.property(
      bomStream.chain((b) => fc.tuple(fc.constant(b), fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, b.length - 1) }), { maxLength: 6 }).map((a) => a.filter((x) => x < b.length).sort((x, y) => x - y)))),
      ([bytes, cuts]) => {
        const reference = frame(bytes, cuts, false);
        assert.deepEqual(frame(bytes, cuts, true), reference);
        // reads of ASCII bytes split as text (most reads of most streams), the others on bytes
        assert.deepEqual(frame(bytes, cuts, true, true), reference, 'ASCII reads as text, shortcut');
        assert.deepEqual(frame(bytes, cuts, false, true), reference, 'ASCII reads as text, parser');
        // one-line events whose blank line is in the same read, handed over as spans of its text
        assert.deepEqual(frame(bytes, cuts, true, true, 'all'), reference, 'spans');
        assert.deepEqual(frame(bytes, cuts, true, true, 'some'), reference, 'spans, some declined');
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

test('spans: one-line events whose blank line is in the read come as spans, with their bytes; others as events', () => {
  const text = 'data: {"a":1}\n\ndata:{"b":2}\r\n\r\n: ping\n\ndata: 1\ndata: 2\n\ndata: {"c":3}\r\rdata: split\n';
  const got = frame(Buffer.from(text), [text.length - 1], true, true, 'all');
  assert.deepEqual(got, frame(Buffer.from(text), [text.length - 1], false));
  assert.deepEqual(got, [
    ['event', { data: '{"a":1}', bytes: 15 }],
    ['event', { data: '{"b":2}', bytes: 16 }],
    ['comment', ': ping', 7],
    ['event', { data: '1\n2', bytes: 18 }], // the blank line after the comment counts with the next event, as on the parser path
    ['event', { data: '{"c":3}', bytes: 15 }],
    ['event', { data: 'split', bytes: 12 }],
  ]);
});
