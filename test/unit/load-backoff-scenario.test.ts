// The `backoff` line: what it resolves to, and exact diagnostics (1-based LINE:COL-LINE:COL, with
// the fix the editor offers) for its mistakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { TOP_KEYWORDS } from '../../src/core/scenario/keywords';

const USERS = 'target builtin:reasoning\nload users 2 for 10s\nprompt "p"\n  user hi\n';
const RATE = 'target builtin:reasoning\nload rate 2 rps for 10s\nprompt "p"\n  user hi\n';

function check(text: string): { backoff: unknown; diagnostics: string[] } {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: () => undefined });
  const diagnostics = [...p.diagnostics, ...r.diagnostics].map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}${d.fix ? ` [fix: ${d.fix.text}]` : ''}`,
  );
  return { backoff: r.plan ? (r.plan.backoff ?? 'default') : 'no plan', diagnostics };
}

test('backoff lines resolve to the plan the engine follows', () => {
  assert.deepEqual(check(USERS), { backoff: 'default', diagnostics: [] });
  assert.deepEqual(check(USERS + 'backoff 100ms..10s\n'), { backoff: { base_ms: 100, cap_ms: 10_000, skip: false }, diagnostics: [] });
  assert.deepEqual(check(USERS + 'backoff 1s..1m\n'), { backoff: { base_ms: 1000, cap_ms: 60_000, skip: false }, diagnostics: [] });
  assert.deepEqual(check(USERS + 'backoff off\n'), { backoff: false, diagnostics: [] });
  assert.deepEqual(check(RATE + 'backoff 200ms..5s skip\n'), { backoff: { base_ms: 200, cap_ms: 5000, skip: true }, diagnostics: [] });
  assert.deepEqual(check(RATE + 'backoff skip\n'), { backoff: { base_ms: 100, cap_ms: 10_000, skip: true }, diagnostics: [] });
});

test('skip on a closed-loop load is a warning: users always wait', () => {
  assert.deepEqual(check(USERS + 'backoff skip\n').diagnostics, [
    '5:9-5:13 warning: skip applies to open-loop loads (rate, rate stages, replay); closed-loop users always wait out the backoff, so remove skip',
  ]);
});

const MISTAKES: Array<[string, string, string]> = [
  ['no bounds', 'backoff\n', '5:1-5:8 error: backoff needs its wait bounds or off; write backoff BASE..CAP [skip], e.g. backoff 100ms..10s, or backoff off'],
  ['backwards', 'backoff 10s..1s\n', '5:9-5:16 error: the range 10s..1s runs backwards; write the shorter wait first: 1s..10s [fix: 1s..10s]'],
  ['no unit', 'backoff 100..10s\n', '5:9-5:12 error: expected a duration like 10s or 500ms, got "100"'],
  ['one bound', 'backoff 100ms\n', '5:9-5:14 error: write the shortest and the longest wait, e.g. 100ms..10s [fix: 100ms..10s]'],
  ['zero base', 'backoff 0ms..1s\n', '5:9-5:12 error: the shortest wait must be above 0, got 0ms; write e.g. 100ms..1s, or backoff off to send without waiting'],
  ['misspelled skip', 'backoff 100ms..10s skp\n', '5:20-5:23 error: unexpected "skp"; did you mean "skip"? [fix: skip]'],
  ['spaces around ..', 'backoff 100ms .. 10s\n', '5:9-5:21 error: write the wait bounds as one word, without spaces, e.g. 100ms..10s'],
  ['no cap', 'backoff 100ms..\n', '5:16-5:16 error: expected the longest wait after "..", e.g. 100ms..10s'],
  ['bad unit', 'backoff 1s..2x\n', '5:13-5:15 error: unknown duration unit "x" in "2x"; use ms, s, m or h'],
  ['off with more', 'backoff off skip\n', '5:13-5:17 error: unexpected "skip"; write backoff BASE..CAP [skip], e.g. backoff 100ms..10s, or backoff off'],
  ['twice', 'backoff off\nbackoff 1s..2s\n', '6:1-6:8 error: duplicate "backoff" line; the first is on line 5'],
  ['misspelled', 'backof 1s..2s\n', '5:1-5:7 error: unknown directive "backof"; did you mean "backoff"? [fix: backoff]'],
];

for (const [name, line, expected] of MISTAKES) {
  test(`backoff mistake: ${name}`, () => {
    const r = check(USERS + line);
    assert.deepEqual(r.diagnostics, [expected]);
    assert.equal(r.backoff, 'no plan');
  });
}

test('backoff inside a block is a top-level directive out of place', () => {
  assert.deepEqual(check(USERS + '  backoff off\n').diagnostics, ['5:3-5:10 error: "backoff" is a top-level directive; move it out of a prompt block (no indentation)']);
});

test('the editor knows the keyword (hover and completion)', () => {
  assert.match(TOP_KEYWORDS.backoff ?? '', /backoff 100ms\.\.10s/);
});
