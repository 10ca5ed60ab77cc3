/** The requests table of graded runs: rows carry the verdict (and expected vs read when not correct), and a wrong-answers filter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestRowOf, type RequestRecord } from '../../src/core/metrics/record';
import { RowStore } from '../../src/core/viewmodel/table';

function rec(id: number, grade?: RequestRecord['grade']): RequestRecord {
  const r: RequestRecord = { id, prompt: 'q', user: 0, start_ms: 0, offset_ms: id, status: 'ok', http_status: 200, ttft_ms: 1, ttfa_ms: 1, thinking_ms: null, e2e_ms: 2, input_tokens: 1, output_tokens: 1, output_tokens_source: 'server', thinking_tokens: 0, thinking_tokens_source: 'server', token_rate: null, finish_reason: 'stop', packets: {} };
  if (grade) r.grade = grade;
  return r;
}

test('rows of graded requests, and the wrong-answers filter', () => {
  const rows = [
    rec(1, { verdict: 'correct', expected: '4', extracted: '4' }),
    rec(2, { verdict: 'wrong', expected: '4', extracted: '5' }),
    rec(3, { verdict: 'unparsed', expected: '4' }),
    rec(4),
  ].map(requestRowOf);
  assert.equal(rows[0]!.grade, 'correct');
  assert.equal(rows[0]!.expected, undefined, 'a correct row stays small');
  assert.deepEqual([rows[1]!.grade, rows[1]!.expected, rows[1]!.extracted], ['wrong', '4', '5']);
  assert.deepEqual([rows[2]!.grade, rows[2]!.extracted], ['unparsed', undefined]);
  const store = new RowStore();
  store.add(rows);
  const page = store.query({ grade: 'not_correct' });
  assert.deepEqual(page.rows.map((r) => r.id), [2, 3]);
  assert.deepEqual(page.facets.grades, ['not_correct', 'wrong', 'unparsed', 'correct']);
  assert.deepEqual(store.query({ grade: 'wrong' }).rows.map((r) => r.id), [2]);
  assert.deepEqual(store.query({ grade: 'bogus' as never }).rows.length, 4, 'an unknown value filters nothing');
  const plain = new RowStore();
  plain.add([requestRowOf(rec(9))]);
  assert.equal(plain.query({}).facets.grades, undefined, 'no answer filter for runs without grades');
});
