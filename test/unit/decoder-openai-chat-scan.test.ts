// The OpenAI chat decoder's fast path (a validating scan, and the template of the last chunk) must
// give exactly the packets, texts, usage, finish reason, id and error of the full JSON.parse path,
// for every chunk: the cases below are decoded both ways and compared, and the scanner is checked to
// answer (or give up) where it should, so the fast path is really the one under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OpenAiDecoderOptions } from '../../src/core/protocols/openai-chat';
import { ChatChunkScanner } from '../../src/core/protocols/openai-chat-scan';
import { decodeChat } from '../helpers/chat-decode';

const SEED = 20261128;

function decode(events: string[], opts: OpenAiDecoderOptions, cuts = 1): ReturnType<typeof decodeChat> {
  const size = Buffer.byteLength(events.map((e) => `data: ${e}\n\n`).join('') + 'data: [DONE]\n\n');
  const step = Math.max(1, Math.ceil(size / cuts));
  return decodeChat(events, opts, Array.from({ length: cuts }, (_, i) => i * step)); // `cuts` reads of `step` bytes
}

/** Decodes with and without the scanner, with and without think tags, and in one or several reads. */
function assertSame(events: string[], label = events.join(' | ')): void {
  for (const think of [{}, { think_tags: false as const }]) {
    for (const cuts of [1, 7]) {
      const fast = decode(events, { ...think, fast_scan: true }, cuts);
      const full = decode(events, { ...think, fast_scan: false }, cuts);
      assert.deepEqual(fast, full, label);
    }
  }
}

const chunk = (delta: string, extra = '"finish_reason":null') => `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":${delta},${extra}}]}`;

/** Chunks the scanner must read itself (true) or leave to the full parse (false). */
const CASES: [string, boolean][] = [
  [chunk('{"role":"assistant","content":""}'), true],
  [chunk('{"content":"Hello"}'), true],
  [chunk('{"content":"say \\"hi\\" now"}'), true], // escaped quotes
  [chunk('{"content":"caf\\u00e9 \\u00E9"}'), true], // unicode escapes, either case
  [chunk('{"content":"\\ud83d\\ude00 grin"}'), true], // a surrogate pair
  [chunk('{"content":"\\ud83d lone"}'), true], // a lone surrogate: JSON.parse keeps it, so must we
  [chunk('{"content":"raw é 😀 中文"}'), true],
  [chunk('{"content":"line\\nbreak\\ttab\\\\slash\\/"}'), true],
  [chunk('{"content":null}'), true],
  [chunk('{"content":42}'), true],
  [chunk('{"content":""}'), true],
  [chunk('{}', '"finish_reason":"stop"'), true],
  [chunk('{"content":"x"}', '"finish_reason":"length"'), true],
  [chunk('{"reasoning_content":"think"}'), true],
  [chunk('{"reasoning":"think too","content":null}'), true],
  [chunk('{"reasoning_content":"a","reasoning":"b","content":"c"}'), true],
  [chunk('{"reasoning_content":"","reasoning":"b"}'), true],
  [chunk('{"content":"<think>inline"}'), true],
  [chunk('{"content":"</think>after"}'), true],
  [chunk('{"role":"assistant"}'), true],
  [chunk('{"content":"x","tool_calls":null,"reasoning_details":null}'), true],
  [chunk('null'), true],
  [`{"choices":[{"finish_reason":null,"delta":{"content":"order"},"index":0}],"model":"m","id":"x-2"}`, true], // fields in any order
  [`{"choices":[{"text":"legacy completion","index":0}]}`, true],
  [`{"choices":[{"text":"t","delta":{"content":"c"}}]}`, true],
  [`{"choices":[]}`, true],
  [`{"choices":null,"id":"x"}`, true],
  [`{"choices":[7]}`, true],
  [`{"id":"x","choices":[{"delta":{"content":"a"}}],"usage":null,"error":null}`, true],
  [` {\n "id" : "x" ,\t"choices" : [ { "delta" : { "content" : "spaced" } } ] }\r\n`, true],
  [`{"id":"x","choices":[{"delta":{"content":"n"},"logprobs":{"content":[{"token":"n","logprob":-0.5e+10,"bytes":[110]}]}}],"x":[true,false,null,{},[]]}`, true], // nested "content" elsewhere
  [`{"id":12,"choices":[{"delta":{"content":"numeric id"}}]}`, true],
  // the full parse's cases
  [chunk('{"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":"{\\"content\\":\\"not an answer\\"}"}}]}'), false],
  [chunk('{"content":"","tool_calls":[]}'), false],
  [chunk('{"reasoning_details":[{"type":"reasoning.text","text":"why"}]}'), false],
  [`{"id":"x","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5}}`, true], // usage objects: read by JSON.parse of their own text
  [`{"id":"x","choices":[{"delta":{"content":"a"}}],"usage":{"completion_tokens":1}}`, true],
  [`{"error":{"message":"overloaded"}}`, false],
  [`{"choices":[{"delta":{"content":"a"}},{"delta":{"content":"b"}}]}`, false],
  [`{"choices":[{"message":{"content":"whole"}}]}`, false],
  [`{"choices":[{"delta":{"content":"a","content":"b"}}]}`, false], // duplicate key: the last wins in JSON.parse
  [`{"choices":[{"delta":{"content":"a"},"delta":{"content":"b"}}]}`, false],
  [`{"id":"a\\u0062","choices":[]}`, false],
  [`{"c\\u006fntent":"x","choices":[]}`, false],
  [`{"__proto__":{"content":"x"},"choices":[]}`, false],
  [`{"choices":[{"delta":"text"}]}`, false],
  // invalid JSON: bad_stream either way
  [`{"choices":[{"delta":{"content":"a"}}],}`, false],
  [`{"choices":[{"delta":{"content":"a"}}]`, false],
  [`{"choices":[{"delta":{"content":"a\tb"}}]}`, false], // raw control character in a string
  [`{"choices":[{"delta":{"content":"bad \\x escape"}}]}`, false],
  [`{"choices":[{"delta":{"content":"\\u12"}}]}`, false],
  [`{"n":01,"choices":[]}`, false],
  [`{"n":1.,"choices":[]}`, false],
  [`{"n":tru,"choices":[]}`, false],
  [`{"choices":[{"delta":{"content":"a"}}]} trailing`, false],
  [`["not","an","object"]`, false],
];

test('scanner: answers for the common chunk shapes and gives up on the rest', () => {
  for (const [json, answers] of CASES) {
    assert.equal(new ChatChunkScanner().scan(json.trim()), answers, json);
  }
});

test('every case decodes to the same packets with and without the scanner', () => {
  for (const [json] of CASES) assertSame([chunk('{"role":"assistant","content":""}'), json]);
});

test('escaped content: quotes, unicode escapes and surrogate pairs decode to the same text as JSON.parse', () => {
  const sc = new ChatChunkScanner();
  for (const content of ['say "hi"', 'café', '😀 and 中文', '\ud83d', 'a\\b/c\n\t\r\b\f', '\u0000\u001f', '']) {
    const json = JSON.stringify({ id: 'x', choices: [{ delta: { content } }] });
    assert.equal(sc.scan(json), true, json);
    assert.equal(sc.fields.content, content);
    assert.equal(sc.fields.id, 'x');
  }
});

test('template: a chunk that repeats the last one around its content reads only its content', () => {
  const sc = new ChatChunkScanner();
  assert.equal(sc.scan(chunk('{"content":"one"}')), true);
  assert.equal(sc.fields.content, 'one');
  assert.equal(sc.scan(chunk('{"content":"two \\"quoted\\" \\u00e9"}')), true);
  assert.equal(sc.fields.content, 'two "quoted" é');
  assert.equal(sc.fields.id, 'chatcmpl-1');
  assert.equal(sc.fields.finishReason, null);
  // same prefix and suffix, but the middle is not one string: the full scan decides
  assert.equal(sc.scan(chunk('{"content":"a","content":"b"}')), false);
  assert.equal(sc.scan(chunk('{"content":"a","role":"assistant"}')), true);
  assert.equal(sc.fields.role, 'assistant');
  assert.equal(sc.fields.content, 'a');
  assert.equal(sc.scan(chunk('{"content":"unterminated}')), false);
  assert.equal(sc.scan(chunk('{"content":"a"}', '"finish_reason":"stop"')), true);
  assert.equal(sc.fields.finishReason, 'stop');
});


test("template: a stream's first chunk, with empty content, does not replace the template of the chunks with text", () => {
  const sc = new ChatChunkScanner();
  const role = chunk('{"role":"assistant","content":""}');
  // the thread's first stream: the role chunk is all there is to learn from, then the text's shape
  assert.equal(sc.scan(role), true);
  assert.equal(sc.scan(chunk('{"content":"one"}')), true);
  assert.equal(sc.lastRead, 'envelope');
  assert.equal(sc.scan(chunk('{"content":"two"}')), true);
  assert.equal(sc.lastRead, 'template');
  // the next stream: its role chunk is read in full, and its first text by the template again
  assert.equal(sc.scan(role), true);
  assert.equal(sc.lastRead, 'envelope');
  assert.equal(sc.fields.content, '');
  assert.equal(sc.fields.role, 'assistant');
  assert.equal(sc.scan(chunk('{"content":"three"}')), true);
  assert.equal(sc.lastRead, 'template');
  assert.equal(sc.fields.content, 'three');
  assert.equal(sc.fields.role, undefined);
});
test('template chunks that carry more than text (reasoning, a finish reason, a role) decode as in the full parse', () => {
  for (const extra of ['"reasoning_content":"r"', '"reasoning":"r"', '"role":"assistant"', '"reasoning_content":""']) {
    assertSame([chunk(`{${extra},"content":"a"}`), chunk(`{${extra},"content":"b"}`), chunk(`{${extra},"content":"c"}`)]);
  }
  assertSame([chunk('{"content":"a"}', '"finish_reason":"stop"'), chunk('{"content":"b"}', '"finish_reason":"stop"')]);
});

test('template sequences decode to the same packets as the full parse', () => {
  assertSame([
    chunk('{"role":"assistant","content":""}'),
    chunk('{"content":"<think>"}'),
    chunk('{"content":"reason"}'),
    chunk('{"content":"</think>\\n\\n"}'),
    chunk('{"content":"ans"}'),
    chunk('{"content":"wer \\"q\\""}'),
    chunk('{"content":"a","content":"b"}'),
    chunk('{"content":"c"}'),
    chunk('{}', '"finish_reason":"stop"'),
    `{"id":"chatcmpl-1","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":6}}`,
  ]);
});

// Random chunks: keys in any order, values of every JSON type, strings of any code points (escaped
// by JSON.stringify or written raw), optionally indented; several in a row so templates are used.
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('', '<think>', '</think>', 'a</thi', 'nk>b', '\\', '"'));
const scalar = fc.oneof(text, fc.constant(null), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
const json = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.constantFrom('content', 'a', 'role'), scalar, { maxKeys: 2 }));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const delta = fc.record(
  { content: maybe(fc.oneof(text, fc.constant(null))), reasoning_content: maybe(fc.oneof(text, fc.constant(null))), reasoning: maybe(text), role: maybe(fc.constantFrom('assistant', '')), tool_calls: maybe(fc.constantFrom(null, [], [{ index: 0, function: { arguments: '{"content":"x"}' } }])), other: maybe(json) },
  { requiredKeys: [] },
);
const choice = fc.record({ index: maybe(fc.constant(0)), delta: maybe(fc.oneof(delta, fc.constant(null))), text: maybe(text), finish_reason: maybe(fc.constantFrom(null, 'stop', 'length', '')), logprobs: maybe(json) }, { requiredKeys: [] });
const chunkArb = fc
  .record(
    {
      id: maybe(fc.oneof(fc.constant('chatcmpl-1'), text, fc.integer())),
      object: maybe(fc.constant('chat.completion.chunk')),
      choices: maybe(fc.oneof(fc.array(choice, { maxLength: 2 }), fc.constant(null), fc.array(json, { maxLength: 1 }))),
      usage: maybe(fc.oneof(fc.constant(null), fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat() }))),
      error: maybe(fc.oneof(fc.constant(null), fc.record({ message: text }))),
      extra: maybe(json),
    },
    { requiredKeys: [] },
  )
  .chain((o) => fc.tuple(fc.shuffledSubarray(Object.keys(o), { minLength: Object.keys(o).length }), fc.constantFrom(undefined, 1, '\t')).map(([keys, indent]) => JSON.stringify(Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]])), null, indent)));

test('property: random chunks decode to the same packets with and without the scanner', () => {
  fc.assert(
    fc.property(fc.array(chunkArb, { minLength: 1, maxLength: 6 }), (events) => {
      // the same chunk shape again with other content, so the template path runs too
      const again = events.map((e) => e.replace(/"content":"[^"\\]*"/, '"content":"again \\" é"'));
      assertSame([...events, ...again]);
    }),
    { seed: SEED, numRuns: 400 },
  );
});

test('property: the scanner answers for the plain streaming chunk whatever its strings', () => {
  const sc = new ChatChunkScanner();
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 8 }), (content, id) => {
      const j = JSON.stringify({ id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
      const expectId = id.includes('"') || id.includes('\\') || /[\u0000-\u001f\u2028\u2029]/.test(id) ? undefined : id;
      const ok = sc.scan(j);
      if (expectId === undefined && !ok) return; // an id with escapes: the full parse reads it
      assert.equal(ok, true);
      assert.equal(sc.fields.content, content);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('property: chunks with one character changed, dropped or added (mostly invalid JSON) decode the same way', () => {
  const plain = fc.tuple(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('null', '"stop"')).map(([c, f]) => chunk(JSON.stringify({ content: c }), `"finish_reason":${f}`));
  const edit = fc.tuple(fc.oneof(plain, chunkArb), fc.nat(), fc.constantFrom('delete', 'replace', 'insert'), fc.constantFrom(...'{}[]:,;"\\ 0159-+.eEtrufalsn\u0001\u00e9x'.split('')));
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
      const events = edits.flatMap(([json, at, op, ch]) => {
        const i = at % (json.length + 1);
        const changed = op === 'delete' ? json.slice(0, i) + json.slice(i + 1) : op === 'replace' ? json.slice(0, i) + ch + json.slice(i + 1) : json.slice(0, i) + ch + json.slice(i);
        return [json, changed.replace(/\n/g, ' ')]; // the valid chunk first, so the changed one meets its template
      });
      assertSame(events);
    }),
    { seed: SEED, numRuns: 600 },
  );
});
