import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, resolvePlan } from '../../src/core/scenario';

const base = 'scenario "c"\ntarget builtin:chat\nload users 1 for 1s\nprompt "p"\n  user hi\n';

test('context sets the plan\'s context window in tokens (k = 1,000, Ki = 1,024)', () => {
  for (const [text, value] of [['context 128k', 128_000], ['context 32Ki', 32_768], ['context 8192 tokens', 8192]] as const) {
    const { tree, diagnostics } = parseScenario(`${base}${text}\n`);
    assert.deepEqual(diagnostics, [], text);
    assert.equal(resolvePlan(tree).plan?.context, value, text);
  }
});

test('a context that is not a token count, or given twice, is one clear error', () => {
  const bad = parseScenario(`${base}context lots\n`);
  assert.equal(bad.diagnostics.length, 1);
  assert.equal(bad.diagnostics[0]!.message, 'expected a token count like 256, 4k or 4Ki, got "lots"');
  assert.deepEqual(bad.diagnostics[0]!.range.start, { line: 5, character: 8 });
  const twice = parseScenario(`${base}context 8k\ncontext 16k\n`);
  const r = resolvePlan(twice.tree);
  assert.equal(r.diagnostics.length, 1);
  assert.match(r.diagnostics[0]!.message, /duplicate "context" line; the first is on line 6/);
});
