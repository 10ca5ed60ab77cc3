import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BucketAggregator } from '../../src/core/metrics/buckets';
import type { RequestRecord } from '../../src/core/metrics/record';

function rec(input: number | null, over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 0, prompt: 'p', user: 0, start_ms: 0, offset_ms: 0, status: 'ok', http_status: 200,
    ttft_ms: input === null ? 5 : input / 100, ttfa_ms: 10, thinking_ms: null, e2e_ms: 100,
    input_tokens: input, output_tokens: 10, output_tokens_source: 'server', thinking_tokens: 0,
    thinking_tokens_source: 'server', token_rate: 50, finish_reason: 'stop', packets: {}, ...over,
  };
}

test('requests land in the bucket of their input size; bounds are inclusive below, exclusive above', () => {
  const b = new BucketAggregator([4000, 16_000, 32_000]);
  for (const n of [100, 3999, 4000, 15_999, 16_000, 40_000, 40_000]) b.add(rec(n));
  b.add(rec(20_000, { status: 'error', error: { kind: 'http_5xx', message: 'x' }, ttft_ms: null }));
  b.add(rec(1000, { warmup: true }));
  b.add(rec(1000, { status: 'error', error: { kind: 'cancelled', message: 'x' } }));
  const f = b.figures();
  assert.deepEqual(f.map((x) => [x.label, x.from, x.to, x.requests, x.ok]), [
    ['<4k', 0, 4000, 2, 2],
    ['4k-16k', 4000, 16_000, 2, 2],
    ['16k-32k', 16_000, 32_000, 2, 1],
    ['>=32k', 32_000, null, 2, 2],
  ]);
  assert.equal(f[2]!.success_rate, 0.5);
  assert.ok(Math.abs(f[3]!.ttft_ms.p50! - 400) < 1);
  assert.ok(Math.abs(f[0]!.token_rate.p50! - 50) <= 0.05, 'within HDR precision');
});

test('requests without an input count go to `unknown`; no bounds means no buckets', () => {
  const b = new BucketAggregator([1024]);
  b.add(rec(null));
  assert.deepEqual(b.figures().map((x) => [x.label, x.requests]), [['<1Ki', 0], ['>=1Ki', 0], ['unknown', 1]]);
  const none = new BucketAggregator([]);
  none.add(rec(5));
  assert.equal(none.enabled, false);
  assert.deepEqual(none.figures(), []);
});
