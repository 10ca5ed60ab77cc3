import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartialLine } from '../../src/core/protocols/partial-line';
import { MAX_NDJSON_LINE_BYTES, NdjsonFramer } from '../../src/core/protocols/ndjson-framer';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('a partial line holds copies of what it is given and hands them back joined with the tail', () => {
  const p = new PartialLine(10);
  const read = bytes('abc');
  assert.equal(p.keep(read), true);
  read[0] = 0x7a; // the socket's buffer is reused: the held bytes must not change
  assert.equal(p.keep(bytes('de')), true);
  assert.equal(p.bytes, 5);
  assert.equal(new TextDecoder().decode(p.take(bytes('f'))), 'abcdef');
  assert.equal(p.bytes, 0);
  const tail = bytes('x');
  assert.equal(p.take(tail), tail, 'nothing held: the tail itself');
});

test('a line past the limit is refused and nothing stays held', () => {
  const p = new PartialLine(4);
  assert.equal(p.keep(bytes('abc')), true);
  assert.equal(p.keep(bytes('de')), false);
  assert.equal(p.bytes, 0);
});

test('NDJSON: an over-long line is dropped once, and the next line decodes', () => {
  const seen: string[] = [];
  const f = new NdjsonFramer({ line: (t) => seen.push(`line ${t}`), overflow: (n) => seen.push(`overflow ${n}`), trailing: (t) => seen.push(`trailing ${t}`) });
  const big = new Uint8Array(MAX_NDJSON_LINE_BYTES / 2).fill(0x61);
  f.push(big);
  f.push(big);
  f.push(big); // over the limit, still no newline
  f.push(bytes('aaa\n{"done":true}\n'));
  f.end();
  assert.deepEqual(seen, [`overflow ${MAX_NDJSON_LINE_BYTES}`, 'line {"done":true}']);
});
