// The Requests table at any panel width: the columns that matter stay, `#` is wide enough for the
// largest request number, the others join as room allows, and nothing is wider than the panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitColumns, idColumnWidth, type ColumnSpec } from '../../src/core/viewmodel/request-columns';

const ALL: ColumnSpec[] = [
  { key: 'id', label: '#', priority: 0, min: 40 },
  { key: 'prompt', label: 'prompt', priority: 5, min: 90 },
  { key: 'status', label: 'status', priority: 0, min: 64 },
  { key: 'offset_ms', label: 'sent at', priority: 9, min: 70 },
  { key: 'ttft_ms', label: 'TTFT', priority: 0, min: 70 },
  { key: 'ttfa_ms', label: 'TTFA', priority: 8, min: 70 },
  { key: 'e2e_ms', label: 'e2e', priority: 1, min: 70 },
  { key: 'token_rate', label: 'tok/s', priority: 6, min: 56 },
  { key: 'input_tokens', label: 'in', priority: 7, min: 50 },
  { key: 'output_tokens', label: 'out', priority: 4, min: 50 },
];

const keys = (p: { columns: ColumnSpec[] }) => p.columns.map((c) => c.key);

test('300 px: #, status, TTFT and e2e, in table order; the rest are named as hidden', () => {
  const p = fitColumns(ALL, 268, 42);
  assert.deepEqual(keys(p), ['id', 'status', 'ttft_ms', 'e2e_ms']);
  assert.ok(p.widths.reduce((a, b) => a + b, 0) <= 268);
  assert.deepEqual(p.hidden.map((c) => c.key), ['prompt', 'offset_ms', 'ttfa_ms', 'token_rate', 'input_tokens', 'output_tokens']);
});

test('1,200 px: every column, the prompt column takes the spare room', () => {
  const p = fitColumns(ALL, 1168, 42);
  assert.deepEqual(keys(p), ALL.map((c) => c.key));
  assert.equal(p.hidden.length, 0);
  const prompt = p.widths[keys(p).indexOf('prompt')]!;
  assert.ok(prompt > 200, `prompt gets the room: ${prompt}`);
});

test('# is as wide as the largest id needs: 10-19 never truncate to "1"', () => {
  assert.ok(idColumnWidth(19) > idColumnWidth(9));
  assert.ok(idColumnWidth(12345) >= 5 * 8);
  const p = fitColumns(ALL, 268, 12345);
  assert.equal(p.widths[0], idColumnWidth(12345));
});

test('600 px: more columns by priority, never more than the width', () => {
  const p = fitColumns(ALL, 568, 500);
  assert.ok(keys(p).includes('output_tokens') && keys(p).includes('prompt'), keys(p).join());
  assert.ok(!keys(p).includes('offset_ms'));
  assert.ok(p.widths.reduce((a, b) => a + b, 0) <= 568);
});

// ---- whose count `in` is ----
import { requestRowOf, type RequestRecord } from '../../src/core/metrics/record';

test('a row says when its input count is the tokenizer\'s (the server sent no usage), not when it is the server\'s', () => {
  const base = { id: 1, prompt: 'p', user: 0, start_ms: 0, offset_ms: 0, status: 'ok', http_status: 200, ttft_ms: 1, ttfa_ms: 1, thinking_ms: null, e2e_ms: 2, input_tokens: 15, output_tokens: 3, output_tokens_source: 'server', thinking_tokens: 0, thinking_tokens_source: 'server', token_rate: 1, finish_reason: 'stop', packets: {} } as unknown as RequestRecord;
  assert.equal(requestRowOf({ ...base, input_tokens_source: 'server' } as RequestRecord).input_source, undefined);
  assert.equal(requestRowOf({ ...base, input_tokens: 26, input_tokens_source: 'tokenizer' } as RequestRecord).input_source, 'tokenizer');
});
