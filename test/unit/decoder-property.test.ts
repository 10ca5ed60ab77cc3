// Property and fuzz tests for every decoder (fast-check, fixed seeds, bounded runs):
//  - any split of a valid SSE / NDJSON stream into reads decodes to the same packets;
//  - random bytes, mutated fixtures and random JSON events never crash a decoder and never produce
//    a failure outside the decoder's two kinds (bad_stream, stream_error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PACKET_KINDS, type ErrorKind } from '../../src/core/protocols/types';
import type { ApiKind } from '../../src/core/scenario/plan';
import { MappedEventHandler } from '../../src/core/protocols/json-mapping';
import { ThinkTagSplitter } from '../../src/core/protocols/think-tags';
import { StreamRecord } from '../../src/core/protocols/stream-record';
import { canonical, decodeSplit, FIXTURES, fixture, CUSTOM_SSE } from '../fixtures/streams/helpers';

const SEED = 20261128;
const cutsFor = (len: number) =>
  fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, len - 1) }), { maxLength: 48 }).map((a) => a.filter((x) => x < len).sort((x, y) => x - y));

for (const f of FIXTURES) {
  test(`property: any split of ${f.name} decodes to the same packets`, () => {
    const bytes = fixture(f.name);
    const whole = canonical(decodeSplit(f.api, bytes, [], f.opts));
    fc.assert(
      fc.property(cutsFor(bytes.length), (cuts) => {
        assert.deepEqual(canonical(decodeSplit(f.api, bytes, cuts, f.opts)), whole);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
}

test('property: CRLF line ends, split anywhere, give the same packets and the same total bytes', () => {
  for (const f of FIXTURES) {
    const crlf = Buffer.from(fixture(f.name).toString('utf8').replace(/\n/g, '\r\n'));
    const strip = (r: ReturnType<typeof canonical>) => ({ ...r, packets: r.packets.map(([k, t]) => [k, t]) });
    const whole = canonical(decodeSplit(f.api, crlf, [], f.opts));
    const lf = canonical(decodeSplit(f.api, fixture(f.name), [], f.opts));
    assert.deepEqual(strip(whole), strip(lf), f.name);
    const total = (r: ReturnType<typeof canonical>) => r.packets.reduce((s, p) => s + (p[2] as number), 0);
    fc.assert(
      fc.property(cutsFor(crlf.length), (cuts) => {
        const r = canonical(decodeSplit(f.api, crlf, cuts, f.opts));
        assert.deepEqual(strip(r), strip(whole));
        // A CR ending one read and its LF starting the next may move one byte to the next event.
        assert.ok(Math.abs(total(r) - total(whole)) <= 1);
      }),
      { seed: SEED, numRuns: 40 },
    );
  }
});

const DECODER_ERRORS: ReadonlySet<ErrorKind> = new Set(['bad_stream', 'stream_error']);
const APIS: { api: ApiKind; opts?: Parameters<typeof decodeSplit>[3] }[] = [
  { api: 'openai-chat' },
  { api: 'openai-completions' },
  { api: 'openai-responses' },
  { api: 'anthropic' },
  { api: 'ollama' },
  { api: 'tgi' },
  { api: 'sse', opts: { sse: CUSTOM_SSE } },
  { api: 'openai-chat', opts: { think_tags: { starts_in_thinking: true, open: '<', close: '>' } } },
];

function checkSane(r: StreamRecord): void {
  let last = -Infinity;
  for (const p of r.packets) {
    assert.ok(PACKET_KINDS.includes(p.kind), `kind ${p.kind}`);
    assert.ok(p.t_ms >= last);
    assert.ok(Number.isFinite(p.bytes) && p.bytes >= 0);
    assert.equal(typeof p.text, 'string');
    if (p.kind !== 'thinking' && p.kind !== 'answer') assert.ok(p.text.length <= 2048);
    last = p.t_ms;
  }
  if (r.error) assert.ok(DECODER_ERRORS.has(r.error.kind), `error kind ${r.error.kind}`);
  if (r.usage) for (const v of Object.values(r.usage)) assert.ok(Number.isFinite(v));
}

test('fuzz: random bytes in random reads never crash a decoder', () => {
  for (const { api, opts } of APIS) {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, raw) => {
        const cuts = [...new Set(raw.map((x) => (bytes.length > 1 ? 1 + (x % (bytes.length - 1)) : 0)))].filter((x) => x > 0).sort((a, b) => a - b);
        checkSane(decodeSplit(api, bytes, cuts, opts));
      }),
      { seed: SEED, numRuns: 300 },
    );
  }
});

test('fuzz: mutated fixtures (bytes flipped, inserted, dropped) never crash a decoder', () => {
  for (const f of FIXTURES) {
    const base = fixture(f.name);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'drop')), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (muts, raw) => {
          const b = [...base];
          for (const [pos, val, op] of muts) {
            const i = pos % (b.length + 1);
            if (op === 'flip' && i < b.length) b[i] = val;
            else if (op === 'insert') b.splice(i, 0, val);
            else if (op === 'drop' && i < b.length) b.splice(i, 1);
          }
          const bytes = Uint8Array.from(b);
          const cuts = [...new Set(raw.map((x) => 1 + (x % Math.max(1, bytes.length - 1))))].filter((x) => x < bytes.length).sort((x, y) => x - y);
          checkSane(decodeSplit(f.api, bytes, cuts, f.opts));
        },
      ),
      { seed: SEED, numRuns: 120 },
    );
  }
});

test('fuzz: arbitrary JSON values as SSE events and NDJSON records never crash a decoder', () => {
  for (const { api, opts } of APIS) {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 8 }), (values) => {
        const text = api === 'ollama' ? values.map((v) => JSON.stringify(v) + '\n').join('') : values.map((v) => `data: ${JSON.stringify(v)}\n\n`).join('');
        checkSane(decodeSplit(api, Buffer.from(text), [], opts));
      }),
      { seed: SEED, numRuns: 200 },
    );
  }
});

test('fuzz: the websocket message handler and the <think> splitter take any input', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))), { maxLength: 10 }), (msgs) => {
      const rec = new StreamRecord();
      const h = new MappedEventHandler({ answer: 'text', thinking: 'thinking', done: 'done', usage: { prompt_tokens: 'usage.input' } }, new ThinkTagSplitter());
      msgs.forEach((m, i) => h.handle(rec, i, m, Buffer.byteLength(m)));
      checkSane(rec);
    }),
    { seed: SEED, numRuns: 300 },
  );
  // The splitter: any split of a text gives the same thinking/answer as the whole, in every mode.
  const pieces = fc.constantFrom('<think>', '</think>', '<th', 'ink>', '</th', '<', '</', 'a', 'b c', ' ', '\n', '>');
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 14 }).map((a) => a.join('')), fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom<boolean | 'auto'>(true, false, 'auto'), (text, raw, start) => {
      const run = (parts: string[]) => {
        const s = new ThinkTagSplitter({ starts_in_thinking: start });
        const acc = { thinking: '', answer: '' };
        const take = (r: ReturnType<ThinkTagSplitter['push']>) => {
          if (r.retro) {
            acc.thinking += acc.answer;
            acc.answer = '';
          }
          for (const seg of r.segments) acc[seg.kind] += seg.text;
        };
        for (const p of parts) take(s.push(p));
        take(s.flush());
        return acc;
      };
      const cuts = [...new Set(raw.map((x) => x % (text.length + 1)))].sort((a, b) => a - b);
      const parts: string[] = [];
      let prev = 0;
      for (const c of [...cuts, text.length]) {
        parts.push(text.slice(prev, c));
        prev = c;
      }
      const whole = run([text]);
      assert.deepEqual(run(parts), whole);
      // Nothing is invented: the output is the input minus tags and the whitespace after a close tag.
      assert.ok((whole.thinking + whole.answer).length <= text.length);
    }),
    { seed: SEED, numRuns: 500 },
  );
});
