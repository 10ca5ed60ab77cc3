import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GRADERS, GRADER_NAMES, gradeAnswer, isGraderName } from '../../src/core/grade';

test('every grader is registered under its own name, and the language offers exactly the registered graders', () => {
  for (const [key, g] of Object.entries(GRADERS)) assert.equal(g.name, key);
  assert.deepEqual([...GRADER_NAMES].sort(), Object.keys(GRADERS).sort());
  assert.equal(isGraderName('exact'), true);
  assert.equal(isGraderName('toString'), false);
});

test('gradeAnswer grades with the named grader: unparsed, wrong and correct are told apart', () => {
  assert.equal(gradeAnswer('number', 'no digits here', '42').verdict, 'unparsed');
  assert.equal(gradeAnswer('number', 'it is 41', '42').verdict, 'wrong');
  assert.equal(gradeAnswer('number', 'it is 42', '42').verdict, 'correct');
});
