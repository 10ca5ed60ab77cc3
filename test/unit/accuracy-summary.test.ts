/**
 * Accuracy figures: the Wilson interval, the tally's breakdowns, grading of records on the main
 * thread (failed requests not graded, the answer text removed), expectations, and the compare gate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccuracyTally, wilson } from '../../src/core/grade/accuracy';
import { RunGrading, sliceMs } from '../../src/core/grade/run-grading';
import { RunAggregator } from '../../src/core/metrics/aggregate';
import type { RequestRecord } from '../../src/core/metrics/record';
import { buildSummary, type Summary } from '../../src/core/metrics/summary';
import { compareSummaries } from '../../src/core/compare/compare';
import { evaluateGate, parseGate } from '../../src/core/compare/gates';
import { accuracyText } from '../../src/core/grade/format';
import { plan } from '../helpers/plans';

test('the 95% Wilson interval', () => {
  // reference values: k=90, n=100 -> [0.8256, 0.9448]; k=0 keeps a non-zero upper bound
  const [lo, hi] = wilson(90, 100)!;
  assert.ok(Math.abs(lo - 0.8256) < 1e-3 && Math.abs(hi - 0.9448) < 1e-3, `${lo} ${hi}`);
  const [lo0, hi0] = wilson(0, 10)!;
  assert.equal(lo0, 0);
  assert.ok(Math.abs(hi0 - 0.2775) < 1e-3);
  assert.equal(wilson(0, 0), null);
});

test('the tally: by bucket, subject, level, prompt and load step', () => {
  const t = new AccuracyTally({ buckets: [100], slice_ms: 1000, usersAt: (ms) => 2 + 2 * Math.floor(ms / 1000) });
  t.add('correct', { prompt: 'a', offset_ms: 10, input_tokens: 50, subject: 'Algebra', level: '1' });
  t.add('wrong', { prompt: 'a', offset_ms: 1500, input_tokens: 150, subject: 'Algebra', level: '2' });
  t.add('unparsed', { prompt: 'b', offset_ms: 1600, input_tokens: null, subject: 'Geometry', level: '2' });
  const s = t.summary();
  assert.equal(s.value, 1 / 3);
  assert.deepEqual([s.correct, s.wrong, s.unparsed, s.graded], [1, 1, 1, 3]);
  assert.deepEqual(Object.keys(s.by_bucket), ['<100', '>=100', 'unknown']);
  assert.equal(s.by_subject.Algebra!.value, 0.5);
  assert.equal(s.by_level['2']!.graded, 2);
  assert.equal(s.by_prompt.b!.unparsed, 1);
  assert.deepEqual(s.by_time.map((x) => [x.from_s, x.to_s, x.users, x.graded]), [[0, 1, 2, 1], [1, 2, 4, 2]]);
});

test('time slices: a load step for step loads, about a tenth of the run otherwise', () => {
  assert.equal(sliceMs({ kind: 'step', start: 1, add: 1, every_ms: 30_000, max: 8, hold_ms: 60_000 }), 30_000);
  assert.equal(sliceMs({ kind: 'users', users: 4, duration_ms: 600_000 }), 60_000);
  assert.equal(sliceMs({ kind: 'users', users: 4, duration_ms: Infinity }), 10_000);
});

function rec(id: number, prompt: string, over: Partial<RequestRecord> = {}): RequestRecord {
  return { id, prompt, user: 0, start_ms: 0, offset_ms: id * 10, status: 'ok', http_status: 200, ttft_ms: 5, ttfa_ms: 5, thinking_ms: null, e2e_ms: 20, input_tokens: 10, output_tokens: 5, output_tokens_source: 'server', thinking_tokens: 0, thinking_tokens_source: 'server', token_rate: 100, finish_reason: 'stop', packets: {}, ...over };
}

function graded(accuracy: { right: number; of: number }, expectText?: string): Summary {
  const p = plan({
    prompts: [
      { name: 'q', weight: 1, messages: [{ role: 'user', content: '1+1?' }], params: {}, answer: '2', grader: 'math', subject: 'Algebra' },
      { name: 'plain', weight: 1, messages: [{ role: 'user', content: 'hi' }], params: {} },
    ],
    expectations: expectText ? [{ text: expectText, metric: 'accuracy', op: '>=', value: 0.9, line: 9 }] : [],
  });
  const g = new RunGrading(p);
  const agg = new RunAggregator();
  const records: RequestRecord[] = [];
  for (let i = 0; i < accuracy.of; i++) records.push(rec(i, 'q', { graded_text: i < accuracy.right ? 'so \\boxed{2}' : 'so \\boxed{3}' }));
  records.push(rec(900, 'plain', { graded_text: undefined }));
  records.push(rec(901, 'q', { status: 'error', error: { kind: 'timeout_total', message: 't' }, graded_text: '' }));
  g.grade(records);
  for (const r of records) {
    assert.equal('graded_text' in r, false, 'the answer text is removed before the record is written');
    agg.add(r);
  }
  assert.equal(records.find((r) => r.id === 900)!.grade, undefined);
  assert.equal(records.find((r) => r.id === 901)!.grade, undefined, 'failed requests are not graded');
  assert.deepEqual(records[0]!.grade, { verdict: 'correct', expected: '2', extracted: '2' });
  return buildSummary(p, agg, { started_at: '2026-12-06T00:00:00Z', duration_s: 10, ended_by: 'completed', target: 'builtin:chat', accuracy: g.summary() });
}

test('records are graded on the main thread; summary.json accuracy; expect accuracy measures', () => {
  const s = graded({ right: 85, of: 100 }, 'accuracy >= 90%');
  assert.equal(s.accuracy!.value, 0.85);
  assert.equal(s.accuracy!.failed_ungraded, 1);
  assert.deepEqual(s.expectations, [{ text: 'accuracy >= 90%', pass: false, actual: 0.85, actual_text: '85.00%' }]);
  assert.equal(graded({ right: 95, of: 100 }, 'accuracy >= 90%').expectations[0]!.pass, true);
  assert.match(accuracyText(s.accuracy).join('\n'), /accuracy 85\.0% \(95% CI 76\.7%–90\.7%\)  correct 85  wrong 15  unparsed 0  \(1 failed, not graded\)/);
  // a run without answers has no accuracy at all
  const none = buildSummary(plan(), new RunAggregator(), { started_at: '', duration_s: 1, ended_by: 'completed', target: 'x', accuracy: new RunGrading(plan()).summary() });
  assert.equal('accuracy' in none, false);
});

test('expect accuracy for a subject or a level reads the breakdowns', () => {
  const t = new AccuracyTally({ buckets: [], slice_ms: 1000 });
  for (let i = 0; i < 10; i++) t.add(i < 9 ? 'correct' : 'wrong', { prompt: 'a', offset_ms: 0, input_tokens: null, subject: 'Algebra', level: '1' });
  for (let i = 0; i < 10; i++) t.add(i < 4 ? 'correct' : 'unparsed', { prompt: 'b', offset_ms: 0, input_tokens: null, subject: 'Geometry', level: '5' });
  const p = plan({
    expectations: [
      { text: 'accuracy for algebra >= 85%', metric: 'accuracy', op: '>=', value: 0.85, line: 1, group: 'algebra' },
      { text: 'accuracy for level 5 >= 50%', metric: 'accuracy', op: '>=', value: 0.5, line: 2, group: 'level 5' },
      { text: 'accuracy for Topology >= 10%', metric: 'accuracy', op: '>=', value: 0.1, line: 3, group: 'Topology' },
    ],
  });
  const s = buildSummary(p, new RunAggregator(), { started_at: '', duration_s: 1, ended_by: 'completed', target: 'x', accuracy: t.summary() });
  assert.deepEqual(s.expectations.map((e) => [e.pass, e.actual_text]), [[true, '90.00%'], [false, '40.00%'], [false, 'not measured']]);
});

test('llmload compare --fail-if "accuracy -2%": two percentage points', () => {
  const a = graded({ right: 90, of: 100 });
  const b = graded({ right: 87, of: 100 });
  const c = graded({ right: 89, of: 100 });
  const g = parseGate('accuracy -2%');
  assert.ok(!('error' in g));
  if ('error' in g) return;
  const ab = evaluateGate(g, compareSummaries(a, b));
  assert.equal(ab.crossed, true);
  assert.ok(Math.abs(ab.change! + 0.03) < 1e-12);
  assert.equal(evaluateGate(g, compareSummaries(a, c)).crossed, false, '1 point down holds');
  // The gate is the user's threshold; the verdict column also weighs noise: 3 points on 100 graded
  // answers is inside the band (compare/noise.ts), 40 points is not.
  const row = compareSummaries(a, b).rows.find((r) => r.metric === 'accuracy')!;
  assert.equal(row.verdict, 'same');
  const d = graded({ right: 50, of: 100 });
  assert.equal(compareSummaries(a, d).rows.find((r) => r.metric === 'accuracy')!.verdict, 'worse');
  assert.deepEqual(parseGate('accuracy p95 -2%'), { error: '"accuracy" has no percentiles; write it without "p95"' });
});
