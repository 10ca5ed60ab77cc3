import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, resolvePlan } from '../../src/core/scenario';

function diags(target: string) {
  const r = parseScenario(`scenario "x"\ntarget ${target}\nload users 1 for 1s\nprompt "p"\n  user hi\n`);
  return [...r.diagnostics, ...resolvePlan(r.tree).diagnostics];
}

test('a misspelled built-in profile is caught while typing, with a fix', () => {
  const [d, ...rest] = diags('builtin:reasonin');
  assert.equal(rest.length, 0);
  assert.equal(d!.message, 'unknown simulator profile "reasonin"; did you mean "reasoning"?');
  assert.deepEqual(d!.range.start, { line: 1, character: 7 });
  assert.equal(d!.fix?.text, 'builtin:reasoning');
  assert.equal(diags('builtin:zzz')[0]!.message, 'unknown simulator profile "zzz"; the built-in profiles are chat, reasoning, llama3-8b-h100, llama3-8b-h100-fp8, llama3-70b-h100x4, r1-distill-8b-h100');
});

test('a profile may carry options and fault rates; unknown options are named', () => {
  assert.deepEqual(diags('builtin:chat?decode_tokens_per_s=20&fault.reset=0.05'), []);
  const r = parseScenario('scenario "x"\ntarget builtin:chat?decode_tokens_per_s=20\nload users 1 for 1s\nprompt "p"\n  user hi\n');
  assert.deepEqual(resolvePlan(r.tree).plan?.target, { kind: 'builtin', profile: 'chat?decode_tokens_per_s=20' });
  const [bad] = diags('builtin:chat?bogus=1');
  assert.match(bad!.message, /^unknown simulator profile option "bogus"; known options: .*decode_tokens_per_s.*; see docs\/simulator\.md/);
});
