import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TableRow } from '../../src/core/messages';
import { normalizeQuery, RowStore } from '../../src/core/viewmodel/table';
import { bucketOf, bucketLabels } from '../../src/core/viewmodel/run-folder';

function r(id: number, over: Partial<TableRow> = {}): TableRow {
  return { id, prompt: 'a', status: 'ok', offset_ms: id * 100, ttft_ms: 100, ttfa_ms: 200, e2e_ms: 1000, token_rate: 50, input_tokens: 10, output_tokens: 20, ...over };
}

test('sorting by TTFT ascending and descending keeps requests without a value last', () => {
  const s = new RowStore();
  s.add([r(1, { ttft_ms: 300 }), r(2, { ttft_ms: null, status: 'error', error_kind: 'connect' }), r(3, { ttft_ms: 100 }), r(4, { ttft_ms: 200 })]);
  assert.deepEqual(s.query({ sort: 'ttft_ms', desc: false }).rows.map((x) => x.id), [3, 4, 1, 2]);
  assert.deepEqual(s.query({ sort: 'ttft_ms', desc: true }).rows.map((x) => x.id), [1, 4, 3, 2]);
});

test('each sortable figure orders the rows by that figure', () => {
  const s = new RowStore();
  const rows = Array.from({ length: 40 }, (_, i) => r(i, { ttft_ms: (i * 37) % 40, ttfa_ms: (i * 13) % 40, e2e_ms: (i * 7) % 40, token_rate: (i * 11) % 40, output_tokens: (i * 3) % 40 }));
  s.add(rows);
  for (const key of ['ttft_ms', 'ttfa_ms', 'e2e_ms', 'token_rate', 'output_tokens'] as const) {
    const got = s.query({ sort: key, desc: true, page_size: 500 }).rows.map((x) => x[key] as number);
    assert.deepEqual(got, [...got].sort((a, b) => b - a), key);
  }
});

test('filters by status, error kind, prompt, bucket and second combine, and facets list what exists', () => {
  const s = new RowStore(['<1k', '1k-4k', '>=4k']);
  s.add([
    r(1, { prompt: 'short', bucket: '>=4k' }),
    r(2, { prompt: 'long', status: 'error', error_kind: 'http_5xx', bucket: '<1k' }),
    r(3, { prompt: 'long', status: 'error', error_kind: 'timeout_ttft', bucket: '1k-4k' }),
    r(4, { prompt: 'long', bucket: '1k-4k', offset_ms: 5000, e2e_ms: 200 }),
  ]);
  assert.deepEqual(s.query({ status: 'error' }).rows.map((x) => x.id), [2, 3]);
  assert.deepEqual(s.query({ error_kind: 'timeout_ttft' }).rows.map((x) => x.id), [3]);
  assert.deepEqual(s.query({ prompt: 'long', status: 'ok' }).rows.map((x) => x.id), [4]);
  assert.deepEqual(s.query({ bucket: '1k-4k' }).rows.map((x) => x.id), [3, 4]);
  assert.deepEqual(s.query({ second: 5 }).rows.map((x) => x.id), [4], 'ended at 5.2 s');
  const p = s.query({});
  assert.deepEqual(p.facets, { prompts: ['long', 'short'], error_kinds: ['http_5xx', 'timeout_ttft'], buckets: ['<1k', '1k-4k', '>=4k'] });
  assert.equal(p.total, 4);
});

test('100k rows page through: every id exactly once, the last page short, a page past the end clamped', () => {
  const s = new RowStore();
  const n = 100_003;
  const rows: TableRow[] = [];
  for (let i = 0; i < n; i++) rows.push(r(i, { ttft_ms: (i * 7919) % 100_000, status: i % 10 === 0 ? 'error' : 'ok' }));
  s.add(rows);
  const first = s.query({ sort: 'ttft_ms', page: 0, page_size: 500 });
  assert.equal(first.total, n);
  assert.equal(first.matching, n);
  assert.equal(first.rows.length, 500);
  const seen = new Set<number>();
  let last = -Infinity;
  for (let page = 0; page * 500 < n; page++) {
    for (const x of s.query({ sort: 'ttft_ms', page, page_size: 500 }).rows) {
      assert.ok(x.ttft_ms! >= last);
      last = x.ttft_ms!;
      seen.add(x.id);
    }
  }
  assert.equal(seen.size, n);
  const beyond = s.query({ sort: 'ttft_ms', page: 10_000, page_size: 500 });
  assert.equal(beyond.query.page, Math.ceil(n / 500) - 1);
  assert.equal(beyond.rows.length, n % 500);
  assert.equal(s.query({ status: 'error' }).matching, Math.ceil(n / 10));
});

test('adding rows invalidates cached orders and ignores duplicate ids', () => {
  const s = new RowStore();
  s.add([r(1, { e2e_ms: 5 }), r(2, { e2e_ms: 3 })]);
  assert.deepEqual(s.query({ sort: 'e2e_ms' }).rows.map((x) => x.id), [2, 1]);
  s.add([r(3, { e2e_ms: 1 }), r(1, { e2e_ms: 0 })]);
  assert.deepEqual(s.query({ sort: 'e2e_ms' }).rows.map((x) => x.id), [3, 2, 1]);
  assert.equal(s.size, 3);
});

test('a malformed query from the view becomes a safe one', () => {
  const q = normalizeQuery({ sort: 'constructor' as never, page: -3, page_size: 1e9, status: 'maybe' as never, prompt: '' });
  assert.deepEqual(q, { sort: 'id', desc: false, page: 0, page_size: 500 });
  assert.equal(normalizeQuery({ page_size: 0 }).page_size, 1);
  assert.equal(normalizeQuery({ page: 2.5 }).page, 0);
});

test('bucket labels follow the plan bounds', () => {
  const labels = bucketLabels([4096, 1024]);
  assert.equal(labels.length, 3);
  assert.equal(new Set(labels).size, 3);
  assert.equal(bucketOf([1024, 4096], 15), labels[0]);
  assert.equal(bucketOf([1024, 4096], 1024), labels[1]);
  assert.equal(bucketOf([1024, 4096], 4096), labels[2]);
  assert.equal(bucketOf([], 15), undefined);
  assert.equal(bucketOf([1024], null), undefined);
});
