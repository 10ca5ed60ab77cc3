import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultGrader, gradeAnswer, isGraderName } from '../../src/core/grade';
import { normaliseText } from '../../src/core/grade/exact';
import { numbersEqual, parseNumber } from '../../src/core/grade/number';
import { extractChoice } from '../../src/core/grade/choice';

test('exact: normalised text', () => {
  assert.equal(normaliseText('  **Paris.**  '), 'paris');
  assert.equal(normaliseText('The answer is: "Blue Whale"!'), 'blue whale');
  assert.equal(normaliseText('Answer:   New   York'), 'new york');
  assert.equal(gradeAnswer('exact', 'Paris.', 'paris').verdict, 'correct');
  assert.equal(gradeAnswer('exact', 'Lyon', 'Paris').verdict, 'wrong');
  assert.equal(gradeAnswer('exact', '  ', 'Paris').verdict, 'unparsed');
});

test('number: tolerance, thousands separators, percent', () => {
  assert.deepEqual(parseNumber('1,234,567'), { value: 1234567, percent: false });
  assert.deepEqual(parseNumber('12.5%'), { value: 12.5, percent: true });
  assert.deepEqual(parseNumber('-3/4'), { value: -0.75, percent: false });
  assert.equal(parseNumber('twelve'), undefined);
  assert.ok(numbersEqual('1,000', '1000'));
  assert.ok(numbersEqual('3.14159', '3.1416'));
  assert.ok(!numbersEqual('3.14', '3.15'));
  assert.ok(numbersEqual('12.5%', '0.125'));
  assert.ok(numbersEqual('12.5%', '12.5'));
  assert.ok(!numbersEqual('12.5%', '13%'));
  const g = gradeAnswer('number', 'We add them: 1,200 + 34 = 1,234 apples.', '1234');
  assert.deepEqual(g, { verdict: 'correct', expected: '1234', extracted: '1,234' });
  assert.equal(gradeAnswer('number', 'About 7.', '8').verdict, 'wrong');
  assert.equal(gradeAnswer('number', 'No idea.', '8').verdict, 'unparsed');
});

test('choice: A–E letter extraction', () => {
  assert.equal(extractChoice('B'), 'B');
  assert.equal(extractChoice('(C)'), 'C');
  assert.equal(extractChoice('D. Mitochondria'), 'D');
  assert.equal(extractChoice('Let me think. The correct answer is (E) because...'), 'E');
  assert.equal(extractChoice('Answer: a'), 'A');
  assert.equal(extractChoice('so \\boxed{B}'), 'B');
  assert.equal(extractChoice('I pick **C** here'), 'C');
  assert.equal(extractChoice('None of these look right.'), undefined);
  assert.equal(gradeAnswer('choice', 'The answer is B.', '(b)').verdict, 'correct');
  assert.equal(gradeAnswer('choice', 'The answer is B.', 'C').verdict, 'wrong');
  assert.equal(gradeAnswer('choice', 'Hmm.', 'C').verdict, 'unparsed');
});

test('regex: the expected answer is a pattern found in the reply', () => {
  assert.equal(gradeAnswer('regex', 'It was in 1969, I think.', '\\b1969\\b').verdict, 'correct');
  assert.equal(gradeAnswer('regex', 'It was in 1970.', '\\b1969\\b').verdict, 'wrong');
  assert.equal(gradeAnswer('regex', 'anything', '(unclosed').verdict, 'wrong');
});

test('grader names and the default grader', () => {
  assert.ok(isGraderName('math') && isGraderName('exact') && !isGraderName('fuzzy') && !isGraderName('constructor'));
  assert.equal(defaultGrader(['\\boxed{3}']), 'math');
  assert.equal(defaultGrader(['\\frac{1}{2}', '3']), 'math');
  assert.equal(defaultGrader(['Paris', '42']), 'exact');
});
