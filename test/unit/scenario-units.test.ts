/** Values with units, the "did you mean" matcher and variable scanning. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parsePercent, parseRate, parseTokenCount, parseTokenRate, parseSpeed, formatDuration } from '../../src/core/scenario/units';
import { closest } from '../../src/core/scenario/suggest';
import { findVariableRefs, substituteVariables, fillTemplate } from '../../src/core/scenario/variables';
import { shuffle } from '../../src/core/scenario/datasets';

const value = <T>(p: { ok: true; value: T } | { ok: false; message: string }) => (p.ok ? p.value : p.message);

test('durations: ms s m h, decimals and compounds', () => {
  assert.equal(value(parseDuration('500ms')), 500);
  assert.equal(value(parseDuration('10s')), 10000);
  assert.equal(value(parseDuration('1.5m')), 90000);
  assert.equal(value(parseDuration('2h')), 7200000);
  assert.equal(value(parseDuration('1m30s')), 90000);
  assert.equal(value(parseDuration('0.25s')), 250);
  assert.equal(value(parseDuration('10')), 'expected a duration like 10s or 500ms, got "10"');
  assert.equal(value(parseDuration('10 sec')), 'expected a duration like 10s or 500ms, got "10 sec"');
  assert.equal(value(parseDuration('5d')), 'unknown duration unit "d" in "5d"; use ms, s, m or h');
  assert.equal(value(parseDuration('')), 'expected a duration like 10s or 500ms, got ""');
});

test('token counts: k is 1,000 and Ki is 1,024', () => {
  assert.equal(value(parseTokenCount('256')), 256);
  assert.equal(value(parseTokenCount('4k')), 4000);
  assert.equal(value(parseTokenCount('4Ki')), 4096);
  assert.equal(value(parseTokenCount('1.5k')), 1500);
  assert.equal(value(parseTokenCount('1M')), 1000000);
  assert.equal(value(parseTokenCount('1Mi')), 1048576);
  assert.equal(value(parseTokenCount('1.0001k')), 'expected a whole number of tokens, got "1.0001k" (= 1000.1)');
  assert.equal(value(parseTokenCount('4kb')), 'unknown token unit "kb" in "4kb"; use k (1,000) or Ki (1,024)');
});

test('rates, token rates, percentages and speeds', () => {
  assert.equal(value(parseRate('2rps')), 2);
  assert.equal(value(parseRate('5/s')), 5);
  assert.equal(value(parseRate('90qpm')), 1.5);
  assert.equal(value(parseRate('2')), 'expected a rate like 2 rps, 120 qpm or 5/s, got "2"');
  assert.equal(value(parseRate('2rpm')), 'unknown rate unit "rpm" in "2rpm"; did you mean "qpm"?');
  assert.equal(value(parseRate('2rsp')), 'unknown rate unit "rsp" in "2rsp"; did you mean "rps"?');
  assert.equal(value(parseRate('2xyz')), 'unknown rate unit "xyz" in "2xyz"; use rps, qpm or /s');
  assert.equal(value(parseTokenRate('20/s')), 20);
  assert.equal(value(parseTokenRate('20tok/s')), 20);
  assert.equal(value(parsePercent('99.9%')), 0.999);
  assert.equal(value(parsePercent('0%')), 0);
  assert.equal(value(parseSpeed('2x')), 2);
  assert.equal(value(parseSpeed('0.5')), 0.5);
  assert.equal(formatDuration(90000), '90s');
  assert.equal(formatDuration(120000), '2m');
  assert.equal(formatDuration(250), '250ms');
});

test('did you mean: transpositions, case, prefixes; nothing for far words', () => {
  assert.equal(closest('tagret', ['target', 'api']), 'target');
  assert.equal(closest('Target', ['target']), 'target');
  assert.equal(closest('temp', ['temperature', 'top_p']), 'temperature');
  assert.equal(closest('xyz', ['target', 'api']), undefined);
  assert.equal(closest('ab', ['api']), undefined);
});

test('variables: references with positions, $${ as a literal, substitution', () => {
  const { refs, errors } = findVariableRefs('a ${X} ${env:HOME} ${secret:K} $${Y}');
  assert.deepEqual(refs, [
    { namespace: 'var', name: 'X', start: 2, end: 6 },
    { namespace: 'env', name: 'HOME', start: 7, end: 18 },
    { namespace: 'secret', name: 'K', start: 19, end: 30 },
  ]);
  assert.deepEqual(errors, []);
  const s = substituteVariables('a ${X} $${Y} ${env:Z}', (ns, n) => (ns === 'var' && n === 'X' ? '1' : undefined));
  assert.deepEqual(s, { text: 'a 1 ${Y} ', missing: [{ namespace: 'env', name: 'Z' }] });
  assert.deepEqual(findVariableRefs('${}').errors.map((e) => e.message), ['"${}" is not a variable name; write ${NAME}']);
});

test('templates fill nested fields and write objects as JSON', () => {
  assert.deepEqual(fillTemplate('{{a}} {{b.c}} {{d}} {{ e }}', { a: 'x', b: { c: 2 }, d: [1], e: null }), { text: 'x 2 [1] ', missing: ['e'] });
  assert.deepEqual(fillTemplate('{{constructor}}{{a.toString}}', { a: {} }), { text: '', missing: ['constructor', 'a.toString'] });
});

test('shuffle is a seeded permutation', () => {
  const xs = Array.from({ length: 20 }, (_, i) => i);
  const a = shuffle(xs, 1);
  assert.deepEqual(a, shuffle(xs, 1));
  assert.notDeepEqual(a, xs);
  assert.notDeepEqual(a, shuffle(xs, 2));
  assert.deepEqual([...a].sort((x, y) => x - y), xs);
});
