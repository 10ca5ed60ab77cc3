// The chat scanner's envelope resume and its reading of `usage` objects must not change what a stream
// decodes to: a scanner that carries its template and envelope from chunk to chunk (and stream to
// stream) answers exactly as a fresh one that scans every chunk in full, and the decoder with the
// scanner gives exactly the packets, usage, finish reason and id of the full JSON.parse path, for
// envelopes and chunks mutated at random, ids changing within and across streams, usage objects of
// every shape, any split of the stream into reads, and streams whose chunks interleave (each stream
// has its own memory of what the scanner learned).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChatChunkScanner, ChatScanMemory } from '../../src/core/protocols/openai-chat-scan';
import { decodeChat, decodeChatInterleaved } from '../helpers/chat-decode';

const SEED = 20261206;

/** What a scan answered and read: comparable between two scanners. */
function scanResult(sc: ChatChunkScanner, json: string, memory?: ChatScanMemory) {
  const ok = sc.scan(json, memory);
  return ok ? { ok, fields: { ...sc.fields } } : { ok };
}

/** Decodes the streams one after another (the scanner's state goes on from one to the next) both ways. */
function assertSameStreams(streams: string[][], splits: number[][]): void {
  streams.forEach((events, k) => {
    const cuts = splits[k % Math.max(1, splits.length)] ?? [];
    for (const think of [{}, { think_tags: false as const }]) {
      const fast = decodeChat(events, { ...think, fast_scan: true }, cuts);
      const full = decodeChat(events, { ...think, fast_scan: false }, cuts);
      assert.deepEqual(fast, full, events.join(' | '));
    }
  });
}

// ---- JSON text, written out (not by JSON.stringify) so it can hold duplicated keys, escaped keys,
// exponents and whitespace anywhere JSON allows it.
const sep = fc.constantFrom(',', ', ', ' ,\n  ');
const colon = fc.constantFrom(':', ': ', ' : ');
const numText = fc.oneof(
  fc.nat().map(String),
  fc.constantFrom('0', '-0', '1e3', '1E+2', '2.5e-1', '12.0', '1.5E2', '-3', '7e0', '1e400', '0.1', '9007199254740993'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
);
const strText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"\\u0037"', '"a\\"b"', '"\\\\"', '"\\ud83d\\ude00"', '""'),
);
const usageKey = fc.constantFrom(
  '"prompt_tokens"',
  '"completion_tokens"',
  '"total_tokens"',
  '"prompt_tokens_details"',
  '"completion_tokens_details"',
  '"cached_tokens"',
  '"reasoning_tokens"',
  '"input_tokens"',
  '"output_tokens"',
  '"prompt_\\u0074okens"', // JSON.parse reads prompt_tokens
  '"completion\\u005ftokens"',
  '"__proto__"',
  '"x"',
);
const { value: jsonText, object: objectText } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, numText, strText, fc.constantFrom('null', 'true', 'false'), tie('object'), tie('array')),
  object: fc
    .tuple(fc.array(fc.tuple(usageKey, colon, tie('value')), { maxLength: 5 }), sep)
    .map(([ms, s]) => `{${ms.map(([k, c, v]) => `${k}${c}${v}`).join(s)}}`),
  array: fc.array(tie('value'), { maxLength: 3 }).map((a) => `[${a.join(',')}]`),
}));
/** A `usage` value: mostly objects (of every shape), sometimes null or a value that is no object. */
const usageText = fc.oneof({ weight: 5, arbitrary: objectText }, { weight: 1, arbitrary: fc.constant('null') }, { weight: 1, arbitrary: jsonText });
const realUsage = fc
  .tuple(fc.nat(5000), fc.nat(5000), fc.constantFrom('', ',"prompt_tokens_details":null', ',"prompt_tokens_details":{"cached_tokens":3}', ',"completion_tokens_details":{"reasoning_tokens":2}'))
  .map(([p, c, more]) => `{"prompt_tokens":${p},"total_tokens":${p + c},"completion_tokens":${c}${more}}`);

// ---- Envelopes: the members before `choices`, as servers send them, and now and then what the
// full parse must read (an id with escapes or that is no string, a duplicated id, a usage member).
const hexId = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 32 }).map((h) => `"chatcmpl-${h}"`);
/** `arb` one time in four, `otherwise` the rest of the time. */
function rarely<T>(arb: fc.Arbitrary<T>, otherwise: T): fc.Arbitrary<T> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(otherwise) }, { weight: 1, arbitrary: arb });
}
const idText = fc.oneof({ weight: 8, arbitrary: hexId }, { weight: 1, arbitrary: fc.constantFrom('12', 'null', '"a\\u0062"', '"x\\"y"', '""') });
const member = (key: string, value: fc.Arbitrary<string>) => fc.tuple(colon, value).map(([c, v]) => `"${key}"${c}${v}`);
const moreMembers = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: member('system_fingerprint', fc.oneof(fc.constant('null'), strText)) },
    { weight: 2, arbitrary: member('usage', usageText) },
    { weight: 1, arbitrary: member('id', idText) }, // a duplicated id
    { weight: 2, arbitrary: member('extra', jsonText) },
  ),
  { maxLength: 2 },
);
const envelope = fc
  .tuple(member('id', idText), member('object', fc.constant('"chat.completion.chunk"')), member('created', fc.nat().map(String)), member('model', fc.oneof(fc.constant('"m"'), strText)), rarely(moreMembers, []))
  .chain(([...ms]) => fc.tuple(fc.shuffledSubarray([...ms.slice(0, 4), ...ms[4]!] as string[], { minLength: 4 + ms[4]!.length }), sep, colon))
  .map(([members, s, c]) => `{${members.map((m) => m + s).join('')}"choices"${c}`);

/** A chunk's text after its envelope: the choices and the members after them. */
const content = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('', '<think>', '</think>', 'word '));
const choices = fc.oneof(
  { weight: 1, arbitrary: fc.constant('[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]') },
  { weight: 6, arbitrary: content.map((t) => `[{"index":0,"delta":{"content":${JSON.stringify(t)}},"logprobs":null,"finish_reason":null}]`) },
  { weight: 1, arbitrary: fc.constant('[{"index":0,"delta":{"reasoning_content":"why"},"finish_reason":null}]') },
  { weight: 1, arbitrary: fc.constant('[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop","stop_reason":null}]') },
  { weight: 2, arbitrary: fc.constant('[]') },
  { weight: 1, arbitrary: fc.constantFrom(' [ ]', '\n[{"delta":{"content":"spaced"}}]', '[{"delta":{"content":"a"}},{"delta":{"content":"b"}}]', 'null') },
);
const after = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: realUsage.map((u) => `,"usage":${u}`) },
  { weight: 2, arbitrary: usageText.map((u) => `,"usage":${u}`) },
  { weight: 1, arbitrary: fc.tuple(usageText, usageText).map(([a, b]) => `,"usage":${a},"usage":${b}`) }, // duplicated: the full parse reads it
  { weight: 1, arbitrary: fc.constantFrom(',"usage":null,"error":null', ',"x_groq":{"usage":{"prompt_tokens":1}}', ',"timings":{"prompt_n":1}', ',"error":{"message":"e"}') },
);
const rest = fc.tuple(choices, after, fc.constantFrom('}', ' }', '}\r\n')).map(([c, a, end]) => c + a + end);

/** One character changed, dropped or added at `at` (mostly invalid JSON, sometimes another valid chunk). */
const edit = fc.tuple(fc.nat(), fc.constantFrom('delete', 'replace', 'insert'), fc.constantFrom(...'{}[]:,"\\ 019-+.eEnul\u00e9x'.split('')));
function applyEdit(s: string, at: number, op: string, ch: string): string {
  const i = at % (s.length + 1);
  return op === 'delete' ? s.slice(0, i) + s.slice(i + 1) : op === 'replace' ? s.slice(0, i) + ch + s.slice(i + 1) : s.slice(0, i) + ch + s.slice(i);
}

/** A chunk of a stream: its own envelope now and then (an id that changes within the stream), an edit in the envelope or the rest now and then. */
const chunkSpec = fc.record({
  rest,
  ownEnvelope: rarely(envelope, undefined),
  edit: rarely(fc.tuple(fc.constantFrom('envelope', 'rest'), edit), undefined),
});
/** A stream: the envelope of its chunks (its own id), then its chunks. */
const stream = fc.tuple(envelope, fc.array(chunkSpec, { minLength: 1, maxLength: 8 })).map(([env, specs]) =>
  specs.map((c) => {
    let e = c.ownEnvelope ?? env;
    let r = c.rest;
    if (c.edit) {
      const [where, [at, op, ch]] = c.edit;
      if (where === 'envelope') e = applyEdit(e, at, op, ch);
      else r = applyEdit(r, at, op, ch);
    }
    return e + r;
  }),
);
/** SSE data is one line here: newlines the generators put between tokens become spaces. */
const oneLine = (events: string[]) => events.map((e) => e.replace(/[\r\n]/g, ' '));
const splits = fc.array(fc.array(fc.nat(4000), { maxLength: 6 }), { minLength: 1, maxLength: 3 });

test('envelope: a chunk that starts with the envelope of the last full scan resumes there, within a stream and with a new id per stream', () => {
  const sc = new ChatChunkScanner();
  const reads: string[] = [];
  for (const id of ['chatcmpl-a1', 'chatcmpl-b2']) {
    const env = `{"id":"${id}","object":"chat.completion.chunk","created":1,"model":"m","choices":`;
    const events = [
      `${env}[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`,
      `${env}[{"index":0,"delta":{"content":"one"},"finish_reason":null}]}`,
      `${env}[{"index":0,"delta":{"content":"two"},"finish_reason":null}]}`,
      `${env}[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
      `${env}[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":null}}`,
    ];
    for (const e of events) {
      assert.equal(sc.scan(e), true, e);
      assert.equal(sc.fields.id, id);
      reads.push(sc.lastRead);
    }
    assert.deepEqual(sc.fields.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, prompt_tokens_details: null });
  }
  assert.deepEqual(reads, ['full', 'envelope', 'template', 'envelope', 'envelope', 'full', 'envelope', 'template', 'envelope', 'envelope']);
});

test('envelope: what follows it is read as in a full scan (whitespace, a duplicated choices or usage, usage before choices)', () => {
  const env = '{"id":"x","usage":{"prompt_tokens":1},"model":"m","choices":';
  const sc = new ChatChunkScanner();
  assert.equal(sc.scan(`${env}[]}`), true);
  assert.deepEqual(sc.fields.usage, { prompt_tokens: 1 });
  const cases: [string, boolean][] = [
    [`${env} \n[{"delta":{"content":"a"}}]}`, true],
    [`${env}[{"delta":{"content":"a"}}],"choices":[]}`, false],
    [`${env}[],"usage":null}`, false], // usage twice: the second one wins in JSON.parse
    [`${env}[],"id":"y"}`, false],
    [`${env}[]`, false],
    [`${env}[]}x`, false],
    [`${env}7,"n":1}`, true],
  ];
  for (const [json, answers] of cases) {
    const fresh = scanResult(new ChatChunkScanner(), json);
    assert.equal(sc.scan(json), answers, json);
    assert.equal(sc.lastRead, 'envelope', json);
    assert.deepEqual(scanResult(sc, json), fresh, json);
  }
});

test('usage: an object is read by JSON.parse of its own text; null too; anything else, or twice, is left to the full parse', () => {
  const env = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":';
  const sc = new ChatChunkScanner();
  const objects = ['{}', '{"prompt_tokens":1e1,"completion_tokens":2.5E+1,"total_tokens":-0}', '{"prompt_\\u0074okens":4,"prompt_tokens":5}', '{"prompt_tokens_details":{"cached_tokens":3,"x":[1,{"y":null}]},"__proto__":{"prompt_tokens":9}}', '{ "a" : "\\"}\\u007d" }'];
  for (const u of objects.slice(0, 2).concat(objects.slice(3))) {
    assert.equal(sc.scan(`${env}${u}}`), true, u);
    assert.deepEqual(sc.fields.usage, (JSON.parse(`${env}${u}}`) as { usage: unknown }).usage, u);
  }
  assert.equal(sc.scan(`${env}null}`), true);
  assert.equal(sc.fields.usage, undefined);
  // an escaped key (anywhere, as in the rest of the chunk), a value that is no object, usage twice, invalid JSON
  for (const u of [objects[2], '[]', '"u"', '3', 'true', '{"a":1},"usage":{"b":2}', '{"a":1', '{"a":01}', '{"a":1,}']) assert.equal(sc.scan(`${env}${u}}`), false, u);
});

test('property: a scanner carrying its template and envelope answers every chunk as a fresh scanner does', () => {
  const sc = new ChatChunkScanner();
  const reads: Record<string, number> = { template: 0, envelope: 0, full: 0 };
  let answered = 0;
  fc.assert(
    fc.property(fc.array(stream, { minLength: 1, maxLength: 4 }), (streams) => {
      for (const json of oneLine(streams.flat())) {
        const fresh = scanResult(new ChatChunkScanner(), json.trim());
        assert.deepEqual(scanResult(sc, json.trim()), fresh, json);
        reads[sc.lastRead]!++;
        if (fresh.ok) answered++;
      }
    }),
    { seed: SEED, numRuns: 400 },
  );
  // the paths under test really ran, and mostly answered
  assert.ok(reads.envelope! > 400 && reads.template! > 10 && reads.full! > 400, JSON.stringify(reads));
  assert.ok(answered > 800, String(answered));
});

test('property: streams with envelopes and chunks mutated at random and ids changing decode the same with and without the scanner, however they are split', () => {
  fc.assert(
    fc.property(fc.array(stream, { minLength: 1, maxLength: 4 }), splits, (streams, cuts) => assertSameStreams(streams.map(oneLine), cuts)),
    { seed: SEED, numRuns: 300 },
  );
});

test('property: a usage object of any shape gives the same usage, packets and finish reason with and without the scanner', () => {
  const plainEnv = fc.tuple(hexId, fc.nat()).map(([id, t]) => `{"id":${id},"object":"chat.completion.chunk","created":${t},"model":"m","choices":`);
  const usageStream = fc.tuple(plainEnv, content, usageText, fc.boolean()).map(([env, text, u, withContent]) => [
    `${env}[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`,
    `${env}[{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":null}]}`,
    `${env}[{"index":0,"delta":{},"finish_reason":"length"}]}`,
    withContent ? `${env}[{"index":0,"delta":{"content":"more"},"finish_reason":null}],"usage":${u}}` : `${env}[],"usage":${u}}`,
  ]);
  const sc = new ChatChunkScanner();
  fc.assert(
    fc.property(fc.array(usageStream, { minLength: 1, maxLength: 3 }), splits, (streams, cuts) => {
      for (const events of streams) {
        const last = oneLine(events)[3]!;
        for (const e of oneLine(events).slice(0, 3)) sc.scan(e);
        // the scanner itself reads every usage object (and null), and leaves the rest to the full parse
        const u = (JSON.parse(last) as { usage: unknown }).usage;
        const isObj = typeof u === 'object' && u !== null && !Array.isArray(u);
        const ok = sc.scan(last);
        // escapes in keys make it give up (as everywhere in a chunk): a backslash anywhere may
        if (!last.includes('\\')) assert.equal(ok, isObj || u === null, last);
        else if (!isObj && u !== null) assert.equal(ok, false, last);
        if (ok && isObj) assert.deepEqual(sc.fields.usage, u);
      }
      assertSameStreams(streams.map(oneLine), cuts);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('memory: streams whose chunks interleave each keep their own template and envelope', () => {
  const sc = new ChatChunkScanner();
  const env = (id: string) => `{"id":"${id}","object":"chat.completion.chunk","created":1,"model":"m","choices":`;
  const streams = ['chatcmpl-a', 'chatcmpl-b', 'chatcmpl-c'].map((id) => ({
    id,
    memory: new ChatScanMemory(),
    events: [
      `${env(id)}[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`,
      ...['one', 'two', 'three'].map((w) => `${env(id)}[{"index":0,"delta":{"content":"${w} ${id}"},"finish_reason":null}]}`),
      `${env(id)}[],"usage":{"prompt_tokens":3,"completion_tokens":3}}`,
    ],
  }));
  const reads: string[][] = streams.map(() => []);
  for (let j = 0; j < 5; j++) {
    streams.forEach((st, k) => {
      assert.equal(sc.scan(st.events[j]!, st.memory), true);
      assert.equal(sc.fields.id, st.id);
      if (j >= 1 && j <= 3) assert.equal(sc.fields.content, `${['one', 'two', 'three'][j - 1]} ${st.id}`);
      reads[k]!.push(sc.lastRead);
    });
  }
  // the first stream starts from nothing; the next ones from the last stream's memory, whose id is not theirs
  for (const r of reads) assert.deepEqual(r, ['full', 'envelope', 'template', 'template', 'envelope']);
});

test('property: interleaved streams, one memory each, answer every chunk as a fresh scanner does', () => {
  const sc = new ChatChunkScanner();
  let templates = 0;
  fc.assert(
    fc.property(fc.array(stream, { minLength: 2, maxLength: 5 }), (streams) => {
      const memories = streams.map(() => new ChatScanMemory());
      const longest = Math.max(...streams.map((s) => s.length));
      for (let j = 0; j < longest; j++) {
        streams.forEach((events, k) => {
          const json = events[j]?.replace(/[\r\n]/g, ' ').trim();
          if (json === undefined) return;
          assert.deepEqual(scanResult(sc, json, memories[k]), scanResult(new ChatChunkScanner(), json), json);
          if (sc.lastRead === 'template') templates++;
        });
      }
    }),
    { seed: SEED, numRuns: 300 },
  );
  assert.ok(templates > 10, String(templates));
});

test('property: interleaved streams decode the same with and without the scanner', () => {
  fc.assert(
    fc.property(fc.array(stream, { minLength: 2, maxLength: 5 }), (streams) => {
      for (const think of [{}, { think_tags: false as const }]) {
        const lines = streams.map(oneLine);
        assert.deepEqual(decodeChatInterleaved(lines, { ...think, fast_scan: true }), decodeChatInterleaved(lines, { ...think, fast_scan: false }));
      }
    }),
    { seed: SEED, numRuns: 300 },
  );
});
