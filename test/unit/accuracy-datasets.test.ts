/**
 * Datasets with answers: the new lines parse with exact diagnostics, MATH-500 files and the
 * generated arithmetic set become graded prompts, and a bad record is an error at its file:line
 * unless the scenario says to leave such records out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { loadDatasetPrompts } from '../../src/core/scenario/datasets';
import type { ArithmeticDatasetPlan, Math500DatasetPlan, DatasetPlan } from '../../src/core/scenario/plan';
import { arithmeticPrompts } from '../../src/core/grade/arithmetic';
import { gradeAnswer } from '../../src/core/grade';
import { completionsAt } from '../../src/extension/language/analysis';

const FIX = path.resolve(__dirname, '../fixtures/accuracy');
const B = 'target builtin:chat\nload users 2 for 10s\n';
const FILES: Record<string, string> = {
  '/virtual/data/qa.jsonl': '{"question": "2+2?", "answer": "4"}\n',
  '/virtual/data/m.jsonl': '{"problem": "1+1?", "answer": "2", "subject": "Algebra", "level": 1}\n',
};

function diagnose(text: string): string[] {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: (f) => FILES[f] });
  return [...p.diagnostics, ...r.diagnostics].map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}`,
  );
}

function planOf(text: string): DatasetPlan[] {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: (f) => FILES[f] });
  assert.deepEqual([...p.diagnostics, ...r.diagnostics].filter((d) => d.severity === 'error'), []);
  return r.plan!.datasets;
}

test('the accuracy lines resolve into the plan', () => {
  const [a, m, j] = planOf(
    B +
      'dataset arithmetic\n  count 50\n  levels 2..3\n  seed 4\n  max_tokens 64\n' +
      'dataset math500 data/m.jsonl\n  sample 10\n  bad_records skip\n' +
      'dataset jsonl data/qa.jsonl\n  user {{question}}\n  answer {{answer}}\n  grader number\n' +
      'expect\n  accuracy >= 90%\n',
  );
  assert.deepEqual(a, { kind: 'arithmetic', name: 'arithmetic', weight: 1, count: 50, levels: { min: 2, max: 3 }, params: { max_tokens: 64 }, seed: 4 });
  assert.deepEqual(m, { kind: 'math500', name: 'm', path: '/virtual/data/m.jsonl', weight: 1, params: {}, sample: 10, shuffle: false, bad_records: 'skip' });
  assert.equal((j as { grader?: string }).grader, 'number');
});

const CASES: Array<[string, string, string[]]> = [
  ['unknown grader', 'dataset jsonl data/qa.jsonl\n  user {{question}}\n  answer {{answer}}\n  grader maths\n', ['6:10-6:15 error: unknown grader "maths"; did you mean "math"?']],
  ['grader with no name', 'dataset jsonl data/qa.jsonl\n  user {{question}}\n  answer {{answer}}\n  grader\n', ['6:3-6:9 error: grader needs one of "math", "exact", "number", "choice" or "regex", e.g. grader math']],
  ['grader without an answer line', 'dataset jsonl data/qa.jsonl\n  user {{question}}\n  grader exact\n', ['5:3-5:9 error: grader grades the answer line, and this dataset has none; add a line like: answer {{answer}}']],
  ['bad_records choice', 'dataset math500 data/m.jsonl\n  bad_records ignore\n', ['4:15-4:21 error: unknown choice "ignore"; expected "fail" or "skip"']],
  ['levels out of range', 'dataset arithmetic\n  levels 0..5\n', ['4:10-4:14 error: levels must be a level or a range within 1..4, e.g. levels 1..3, got 0..5']],
  ['levels in a math500 block', 'dataset math500 data/m.jsonl\n  levels 1..2\n', ['4:3-4:9 error: "levels" belongs in a dataset block, not in a dataset math500 block']],
  ['math500 without a path', 'dataset math500\n', ['3:1-3:16 error: dataset math500 needs a file path, e.g. dataset math500 data/math500.jsonl']],
  ['math500 file missing', 'dataset math500 data/none.jsonl\n', ['3:17-3:32 error: file not found: data/none.jsonl (looked for /virtual/data/none.jsonl)']],
  ['answer in a math500 block', 'dataset math500 data/m.jsonl\n  answer {{answer}}\n', ["4:3-4:9 error: a math500 dataset sends each record's problem (with the instruction to put the answer in \\boxed{}) and grades its answer field; remove this answer line, or use dataset jsonl for templates of your own"]],
  ['accuracy for with no group', 'dataset arithmetic\nexpect\n  accuracy for >= 80%\n', ['5:12-5:15 error: accuracy for needs a subject or a level, e.g. accuracy for Algebra >= 80% or accuracy for level 5 >= 50%']],
  ['a statistic on accuracy', 'dataset arithmetic\nexpect\n  accuracy p95 >= 80%\n', ['5:12-5:15 error: "accuracy" takes no statistic; write e.g. accuracy >= 80%']],
  ['accuracy with no graded dataset', 'prompt "p"\n  user hi\nexpect\n  accuracy >= 90%\n', ['6:3-6:18 warning: accuracy needs graded answers: add answer {{field}} to a dataset jsonl block, or use dataset math500 or dataset arithmetic']],
];

for (const [name, text, want] of CASES) {
  test(`diagnostic: ${name}`, () => assert.deepEqual(diagnose(B + text), want));
}

test('expect accuracy for a subject or a level', () => {
  const p = parseScenario(B + 'dataset arithmetic\nexpect\n  accuracy for level 4 >= 50%\n  accuracy for "Intermediate Algebra" > 60%\n  accuracy for Algebra >= 80%\n', '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: (f) => FILES[f] });
  assert.deepEqual([...p.diagnostics, ...r.diagnostics], []);
  assert.deepEqual(r.plan!.expectations.map((e) => [e.group, e.op, e.value]), [['level 4', '>=', 0.5], ['Intermediate Algebra', '>', 0.6], ['Algebra', '>=', 0.8]]);
});

test('completion offers the new formats and grader names', () => {
  const labels = (r: ReturnType<typeof completionsAt>) => (r.kind === 'items' ? r.items.map((i) => i.label) : []);
  assert.ok(labels(completionsAt('dataset ', { line: 0, character: 8 }, [])).includes('math500'));
  assert.deepEqual(labels(completionsAt('dataset arithmetic\n  grader ', { line: 1, character: 9 }, [])), ['math', 'exact', 'number', 'choice', 'regex']);
});

const math500 = (file: string, extra: Partial<Math500DatasetPlan> = {}): Math500DatasetPlan => ({ kind: 'math500', name: 'math', path: path.join(FIX, file), weight: 1, params: {}, shuffle: false, ...extra });

test('a MATH-500 file becomes prompts with the standard instruction, graded by math, labelled by subject and level', () => {
  const prompts = loadDatasetPrompts(math500('math500-sample.jsonl'), FIX);
  assert.equal(prompts.length, 4);
  assert.equal(prompts[1]!.messages[0]!.content, 'What is the value of $513^2 - 487^2$?\nPlease reason step by step, and put your final answer within \\boxed{}.');
  assert.deepEqual({ ...prompts[0], messages: undefined }, {
    name: 'math:1', weight: 0.25, messages: undefined, params: {}, answer: '\\left( 3, \\frac{\\pi}{2} \\right)', grader: 'math', subject: 'Precalculus', level: '2',
  });
  // the records' own solutions grade correct against their answers
  assert.equal(gradeAnswer('math', 'so the polar coordinates are $\\boxed{(3,\\frac{\\pi}{2})}$.', prompts[0]!.answer!).verdict, 'correct');
  assert.equal(gradeAnswer('math', 'so $x=\\boxed{\\frac{9}{19}}$', prompts[2]!.answer!).verdict, 'correct');
});

test('a malformed MATH-500 record is an error at its file:line, or left out and noted with bad_records skip', () => {
  const file = path.join(FIX, 'math500-broken.jsonl');
  assert.throws(() => loadDatasetPrompts(math500('math500-broken.jsonl'), FIX), { message: /math500-broken\.jsonl:4: not JSON/ });
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acc-'));
  const noAnswer = path.join(dir, 'no-answer.jsonl');
  fs.writeFileSync(noAnswer, fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).join('\n'));
  assert.throws(() => loadDatasetPrompts({ ...math500(''), path: noAnswer }, dir), {
    message: `${noAnswer}:2: the record has no "answer" (a MATH-500 record holds problem, solution, answer, subject, level, unique_id); to leave such records out, add a line: bad_records skip`,
  });
  fs.rmSync(dir, { recursive: true });
  const notes: string[] = [];
  const prompts = loadDatasetPrompts(math500('math500-broken.jsonl', { bad_records: 'skip' }), FIX, notes);
  assert.deepEqual(prompts.map((p) => p.answer), ['2', '6', '8']);
  assert.equal(notes.length, 2);
  // JSON that does not parse is noted as the file is read, records without an answer after
  assert.match(notes[1]!, new RegExp(`^left out \\(bad_records skip\\): ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: the record has no "answer"`));
  assert.match(notes[0]!, /^left out \(bad_records skip\): .*math500-broken\.jsonl:4: not JSON/);
});

test('a jsonl dataset with answers gets a default grader: math for LaTeX answers, else exact', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acc-'));
  fs.writeFileSync(path.join(dir, 'a.jsonl'), '{"q": "half?", "a": "\\\\frac{1}{2}"}\n{"q": "one?", "a": "1"}\n');
  fs.writeFileSync(path.join(dir, 'b.jsonl'), '{"q": "capital?", "a": "Paris"}\n');
  const jsonl = (f: string) => ({ kind: 'jsonl' as const, name: f, path: path.join(dir, f), weight: 1, messages: [{ role: 'user' as const, content: '{{q}}' }], answer: '{{a}}', params: {}, shuffle: false });
  assert.deepEqual(loadDatasetPrompts(jsonl('a.jsonl'), dir).map((p) => p.grader), ['math', 'math']);
  assert.deepEqual(loadDatasetPrompts(jsonl('b.jsonl'), dir).map((p) => p.grader), ['exact']);
  fs.rmSync(dir, { recursive: true });
});

test('the arithmetic set: seeded, every level, exact answers that its own grader accepts', () => {
  const ds: ArithmeticDatasetPlan = { kind: 'arithmetic', name: 'arithmetic', weight: 1, count: 40, levels: { min: 1, max: 4 }, seed: 9, params: {} };
  const a = arithmeticPrompts(ds);
  assert.deepEqual(arithmeticPrompts(ds), a);
  assert.notDeepEqual(arithmeticPrompts({ ...ds, seed: 10 }).map((p) => p.answer), a.map((p) => p.answer));
  assert.deepEqual([...new Set(a.map((p) => p.level))].sort(), ['1', '2', '3', '4']);
  assert.ok(a.every((p) => p.grader === 'math' && p.messages[0]!.content.includes('\\boxed{}')));
  // check each answer by evaluating the question
  for (const p of a) {
    const q = /^Compute \$(.*)\$\./.exec(p.messages[0]!.content)![1]!;
    const js = q.replace(/\\times/g, '*').replace(/\\frac\{(\d+)\}\{(\d+)\}/g, '($1/$2)');
    const want = Function(`return (${js})`)() as number;
    const got = p.answer!.startsWith('\\frac') || p.answer!.startsWith('-\\frac') ? Number(eval(p.answer!.replace(/\\frac\{(\d+)\}\{(\d+)\}/, '($1/$2)'))) : Number(p.answer);
    assert.ok(Math.abs(want - got) < 1e-9, `${q} = ${want}, answer ${p.answer}`);
    assert.equal(gradeAnswer('math', `The result is \\boxed{${p.answer}}.`, p.answer!).verdict, 'correct');
  }
  const levels = arithmeticPrompts({ ...ds, levels: { min: 2, max: 2 } });
  assert.ok(levels.every((p) => p.level === '2'));
  assert.ok(loadDatasetPrompts(ds, '/nowhere').length === 40);
});
