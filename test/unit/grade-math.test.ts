import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mathEqual } from '../../src/core/grade/math';
import { extractMathAnswer, lastBoxed } from '../../src/core/grade/math-extract';
import { normaliseMath } from '../../src/core/grade/math-normalise';
import { gradeAnswer } from '../../src/core/grade';

test('each normalisation of a math answer', () => {
  const cases: Array<[string, string, string]> = [
    ['\\dfrac → \\frac', '\\dfrac{3}{4}', '\\frac{3}{4}'],
    ['\\tfrac → \\frac', '\\tfrac{3}{4}', '\\frac{3}{4}'],
    ['\\left / \\right dropped', '\\left( 1, 2 \\right)', '(1,2)'],
    ['\\text{} unwrapped', '\\text{Evelyn}', 'Evelyn'],
    ['\\mathrm{} unwrapped', '\\mathrm{B}', 'B'],
    ['units in \\text dropped', '12 \\text{ cm}', '12'],
    ['unit words dropped', '12 inches', '12'],
    ['square units dropped', '30 \\text{ square units}', '30'],
    ['degrees: ^\\circ', '90^\\circ', '90'],
    ['degrees: ^{\\circ}', '45^{\\circ}', '45'],
    ['degrees: °', '30°', '30'],
    ['degrees: the word', '60 degrees', '60'],
    ['dollar signs', '$\\$18.90$', '18.9'],
    ['trailing .0', '6.0', '6'],
    ['trailing zeros', '2.50', '2.5'],
    ['leading point', '.5', '0.5'],
    ['spaces removed', 'x ^ 2 + 1', 'x^2+1'],
    ['spacing commands', '3\\,000\\!', '3000'],
    ['thousands separators', '1,234,567', '1234567'],
    ['a/b → \\frac{a}{b}', '3/4', '\\frac{3}{4}'],
    ['negative a/b', '-3/4', '-\\frac{3}{4}'],
    ['\\frac12 → \\frac{1}{2}', '\\frac12', '\\frac{1}{2}'],
    ['\\sqrt2 → \\sqrt{2}', '2\\sqrt2', '2\\sqrt{2}'],
    ['x = value', 'x = 5', '5'],
    ['percent kept as \\%', '10%', '10\\%'],
    ['matrix rows kept', '\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', '\\begin{pmatrix}1\\\\2\\end{pmatrix}'],
  ];
  for (const [what, input, want] of cases) assert.equal(normaliseMath(input), want, what);
});

test('the last \\boxed{} with braces matched, and the fallbacks', () => {
  assert.equal(lastBoxed('so \\boxed{1} or rather \\boxed{\\frac{\\sqrt{3}}{2}}.'), '\\frac{\\sqrt{3}}{2}');
  assert.equal(lastBoxed('a set \\boxed{\\{1, 2\\}}'), '\\{1, 2\\}');
  assert.equal(lastBoxed('\\boxed{5} then an unclosed \\boxed{6'), '5');
  assert.equal(lastBoxed('\\fbox{7}'), '7');
  assert.equal(lastBoxed('\\boxed 9.'), '9');
  assert.equal(lastBoxed('no box'), undefined);
  assert.equal(extractMathAnswer('Adding up, the answer is $\\frac{1}{2}$.'), '\\frac{1}{2}');
  assert.equal(extractMathAnswer('Work...\nFinal answer: 42'), '42');
  assert.equal(extractMathAnswer('**Final Answer:** 17.'), '17');
  assert.equal(extractMathAnswer('The answer is 12. That was easy.'), '12');
  assert.equal(extractMathAnswer('I am not sure.'), undefined);
});

// [extracted, expected, equivalent?]
const PAIRS: Array<[string, string, boolean]> = [
  ['\\frac{1}{2}', '0.5', true],
  ['\\frac{1}{2}', '1/2', true],
  ['0.5', '1/2', true],
  ['\\frac12', '\\frac{1}{2}', true],
  ['\\dfrac{1}{2}', '\\tfrac{1}{2}', true],
  ['\\frac{1}{2}', '\\frac{1}{3}', false],
  ['0.5', '0.05', false],
  ['\\sqrt{51}', '51^{1/2}', true],
  ['\\sqrt{51}', '\\sqrt{52}', false],
  ['2\\sqrt{2}', '\\sqrt{8}', true],
  ['\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}', true],
  ['\\frac{\\sqrt{3}}{2}', '\\frac{\\sqrt{2}}{2}', false],
  ['90^\\circ', '90', true],
  ['90^{\\circ}', '90', true],
  ['90^\\circ', '180', false],
  ['(3, \\frac{\\pi}{2})', '\\left( 3, \\frac{\\pi}{2} \\right)', true],
  ['(3, \\frac{\\pi}{2})', '(3, \\frac{\\pi}{3})', false],
  ['(3, \\frac{\\pi}{2})', '(\\frac{\\pi}{2}, 3)', false],
  ['p - q', '-q+p', true],
  ['p - q', 'q - p', false],
  ['x^2+2x+1', '(x+1)^2', true],
  ['x^2+2x+1', '(x-1)^2', false],
  ['2x', 'x+x', true],
  ['\\text{Evelyn}', 'Evelyn', true],
  ['\\text{Evelyn}', 'Evelynn', false],
  ['evelyn', 'Evelyn', true],
  ['10\\%', '0.1', true],
  ['10\\%', '10', true],
  ['10\\%', '0.2', false],
  ['[1, 2)', '[1,2)', true],
  ['(1, 2)', '[1, 2]', false],
  ['(-\\infty, 3]', '(-\\infty,3]', true],
  ['(-\\infty, 3]', '(-\\infty, 3)', false],
  ['\\{1, 2\\}', '\\{2, 1\\}', true],
  ['\\{1, 2\\}', '\\{1, 3\\}', false],
  ['\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', '\\begin{pmatrix}1\\\\2\\end{pmatrix}', true],
  ['\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', '\\begin{pmatrix}2\\\\1\\end{pmatrix}', false],
  ['\\begin{pmatrix} 1/2 \\\\ 2 \\end{pmatrix}', '\\begin{pmatrix}0.5\\\\2\\end{pmatrix}', true],
  ['5 \\text{ cm}', '5', true],
  ['5 \\text{ cm}', '6', false],
  ['12 inches', '12', true],
  ['1,000', '1000', true],
  ['1,000', '100', false],
  ['x = 5', '5', true],
  ['x = 5', '6', false],
  ['\\dfrac{3}{4}', '0.75', true],
  ['6.0', '6', true],
  ['6.01', '6', false],
  ['\\$18.90', '18.9', true],
  ['-3', '3', false],
  ['-\\frac{1}{2}', '-0.5', true],
  ['\\pi', '3.14', false],
  ['2\\pi', '\\pi + \\pi', true],
  ['\\frac{\\pi}{4}', '45', false],
  ['3', '4', false],
  ['3', '3', true],
  ['Evelyn', 'Bob', false],
  ['\\infty', '\\infty', true],
  ['e^{i\\pi}', '-1', true],
  ['\\sqrt{2}/2', '\\frac{\\sqrt{2}}{2}', true],
  ['\\frac{7}{2}', '3.5', true],
  ['\\frac{7}{2}', '3\\frac{1}{2}', true],
  ['1.5', '3/2', true],
  ['2^{10}', '1024', true],
  ['10^{-2}', '0.01', true],
  ['\\log_2 8', '3', true],
  ['(1,2,3)', '(1,2,3)', true],
  ['(1,2,3)', '(1,2)', false],
  ['\\left[ 0, 1 \\right]', '[0,1]', true],
];

test(`a table of ${PAIRS.length} tricky pairs`, () => {
  assert.ok(PAIRS.length >= 60);
  const wrong: string[] = [];
  for (const [a, b, want] of PAIRS) {
    const got = mathEqual(a, b);
    if (got !== want) wrong.push(`${a}  vs  ${b}: expected ${want ? 'equivalent' : 'different'}`);
  }
  assert.deepEqual(wrong, []);
});

test('the math grader reads only the answer it is given and says unparsed when there is none', () => {
  assert.deepEqual(gradeAnswer('math', 'Step by step... so \\boxed{\\dfrac{1}{2}}', '\\frac12'), { verdict: 'correct', expected: '\\frac12', extracted: '\\dfrac{1}{2}' });
  assert.equal(gradeAnswer('math', 'so \\boxed{3}', '4').verdict, 'wrong');
  assert.deepEqual(gradeAnswer('math', 'I cannot tell.', '4'), { verdict: 'unparsed', expected: '4' });
  // an expected answer given as a whole solution is graded by its box
  assert.equal(gradeAnswer('math', '\\boxed{10}', 'Adding, we get $\\boxed{10}$.').verdict, 'correct');
});
