// The orchestrator aggregates a batch from its digest (record-digest.ts), not from its lines: for
// any record, what the digest gives must be what JSON.parse of the record's line gives, field for
// field of RecordDigest; and an ordinary successful request must come from the numbers, not a parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RECORD_DIGEST_FIELDS, RECORD_DIGEST_PACKETS, type RecordDigest, type RequestRecord } from '../../src/core/metrics/record';
import { recordLine } from '../../src/core/results/record-lines';
import { readRecordDigests, RecordDigestWriter } from '../../src/core/results/record-digest';

/** A record restricted to the digest's fields, as the aggregators may see it. */
function digestFields(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of RECORD_DIGEST_FIELDS) if (k in r) out[k] = r[k];
  const packets: Record<string, unknown> = {};
  const p = (r.packets ?? {}) as Record<string, unknown>;
  for (const k of RECORD_DIGEST_PACKETS) if (k in p) packets[k] = p[k];
  out.packets = packets;
  return out;
}

/** Numbers as runs make them, and what JSON cannot write as itself. */
const num = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1e6, max: 2e12, noNaN: true }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 100_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, Infinity, -Infinity, NaN, 1796675637839.855, 8.827331999999956) },
);
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq: 3 });
const source = fc.constantFrom('server', 'packets', 'tokenizer');

const record: fc.Arbitrary<RequestRecord> = fc
  .record(
    {
      id: fc.nat(),
      prompt: fc.oneof(fc.constantFrom('m', 'long prompt', ''), fc.string({ unit: 'grapheme' })),
      user: fc.integer({ min: -1, max: 100 }),
      start_ms: num,
      offset_ms: num,
      intended_offset_ms: maybe(num),
      response_id: maybe(fc.string()),
      status: fc.constantFrom('ok', 'error'),
      error: maybe(fc.record({ kind: fc.constantFrom('http_5xx', 'disconnect', 'empty_answer'), message: fc.string() })),
      warnings: maybe(fc.oneof(fc.constant(['length']), fc.array(fc.string(), { maxLength: 2 }))),
      http_status: fc.option(fc.constantFrom(200, 429, 503), { nil: null }),
      ttft_ms: fc.option(num, { nil: null }),
      ttfa_ms: fc.option(num, { nil: null }),
      thinking_ms: fc.option(num, { nil: null }),
      e2e_ms: num,
      input_tokens: fc.option(fc.nat(), { nil: null }),
      input_tokens_source: maybe(source),
      input_tokens_tokenizer: maybe(fc.nat()),
      cached_tokens: maybe(fc.nat()),
      output_tokens: fc.nat(),
      output_tokens_source: source,
      thinking_tokens: fc.nat(),
      thinking_tokens_source: source,
      token_rate: fc.option(num, { nil: null }),
      finish_reason: fc.option(fc.constantFrom('stop', 'length'), { nil: null }),
      packets: fc.record(
        { answer: fc.nat(), thinking: fc.nat(), tool_call: fc.nat(), done: fc.nat(), other: fc.nat() },
        { requiredKeys: [] },
      ),
      warmup: maybe(fc.boolean()),
      retries: maybe(fc.nat()),
      server: maybe(fc.record({ queue_ms: num })),
      side: maybe(fc.constantFrom('primary', 'shadow')),
      pair: maybe(fc.nat()),
      session: maybe(fc.nat()),
      turn: maybe(fc.integer({ min: 1, max: 9 })),
    },
    { requiredKeys: ['id', 'prompt', 'user', 'start_ms', 'offset_ms', 'status', 'http_status', 'ttft_ms', 'ttfa_ms', 'thinking_ms', 'e2e_ms', 'input_tokens', 'output_tokens', 'output_tokens_source', 'thinking_tokens', 'thinking_tokens_source', 'token_rate', 'finish_reason', 'packets'] },
  )
  .map((r) => r as unknown as RequestRecord);

function roundTrip(batches: RequestRecord[][], capacity?: number): { got: RecordDigest[]; want: RecordDigest[] } {
  const w = new RecordDigestWriter(capacity);
  const got: RecordDigest[] = [];
  const want: RecordDigest[] = [];
  for (const batch of batches) {
    let lines = '';
    for (const r of batch) {
      const line = recordLine(r);
      lines += line;
      w.add(r, line.length);
      want.push(JSON.parse(line) as RecordDigest);
    }
    const d = w.take();
    assert.equal(d.count, batch.length);
    got.push(...readRecordDigests(d, lines));
  }
  return { got, want };
}

test('a digest reads back as the parse of each record line would, on the digest fields (any record, any batching)', () => {
  fc.assert(
    fc.property(fc.array(fc.array(record, { maxLength: 12 }), { maxLength: 4 }), fc.integer({ min: 1, max: 8 }), (batches, capacity) => {
      const { got, want } = roundTrip(batches, capacity);
      assert.equal(got.length, want.length);
      for (let i = 0; i < got.length; i++) {
        const g = digestFields(got[i] as unknown as Record<string, unknown>);
        const wnt = digestFields(want[i] as unknown as Record<string, unknown>);
        assert.deepStrictEqual(g, wnt, `record ${i}: ${JSON.stringify(want[i])}`);
      }
    }),
    { numRuns: 400 },
  );
});

/** What buildRecord makes of a short successful stream cut at max_tokens (the bench's request). */
function ordinary(id: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id,
    prompt: id % 2 ? 'm' : 'other',
    user: -1,
    start_ms: 1796675637839.855 + id,
    offset_ms: 140.47607421875 + id,
    response_id: `chatcmpl-${id}`,
    status: 'ok',
    http_status: 200,
    ttft_ms: 8.827331999999956,
    ttfa_ms: 8.827331999999956,
    thinking_ms: null,
    e2e_ms: 16.708315999999968,
    input_tokens: 9,
    output_tokens: 16,
    output_tokens_source: 'server',
    thinking_tokens: 0,
    thinking_tokens_source: 'server',
    token_rate: 1903.3156265765767,
    finish_reason: 'length',
    packets: { other: 2, answer: 16, stats: 1, done: 1 },
    input_tokens_source: 'server',
    cached_tokens: 0,
    warnings: ['length'],
    ...extra,
  };
}

test('an ordinary request comes from the numbers; one with an error, server timings or another warning from its line', () => {
  const rs = [
    ordinary(0),
    ordinary(1, { warmup: true, session: 4, turn: 2, input_tokens_tokenizer: 11 }),
    ordinary(2, { status: 'error', error: { kind: 'http_5xx', message: 'HTTP 503' }, token_rate: null }),
    ordinary(3, { server: { queue_ms: 1.5 } as RequestRecord['server'] }),
    ordinary(4, { warnings: ['length', 'other'] }),
    ordinary(5, { token_rate: Infinity }),
  ];
  const { got, want } = roundTrip([rs]);
  // Fields outside the digest (response_id) appear only where the line was parsed.
  assert.deepEqual(
    got.map((r) => 'response_id' in r),
    [false, false, true, true, true, true],
  );
  for (let i = 0; i < rs.length; i++) assert.deepStrictEqual(digestFields(got[i] as never), digestFields(want[i] as never));
  assert.equal(got[5]!.token_rate, null, 'Infinity reads as null, as JSON writes it');
  assert.deepEqual(got[1]!.packets, { answer: 16 }, 'only the packet counts an aggregator reads');
});

test('a batch of more records than the writer was sized for grows, and take() starts the next batch empty', () => {
  const w = new RecordDigestWriter(2);
  const rs = Array.from({ length: 9 }, (_, i) => ordinary(i));
  let lines = '';
  for (const r of rs) {
    const line = recordLine(r);
    lines += line;
    w.add(r, line.length);
  }
  const first = w.take();
  assert.deepEqual(
    readRecordDigests(first, lines).map((r) => [r.id, r.prompt]),
    rs.map((r) => [r.id, r.prompt]),
  );
  assert.equal(w.take().count, 0);
});
