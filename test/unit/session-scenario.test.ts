// The scenario language of multi-turn sessions: `session [turns N] [think D]` in a prompt and
// `sessions [turns N] [think D]` in a sharegpt dataset: exact diagnostics for each mistake, the plan
// a good line resolves to, ShareGPT conversations as sessions, and the request each turn builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDatasetPrompts, parseScenario, resolvePlan, type RunPlan } from '../../src/core/scenario';
import { turnPrompt, userMessage } from '../../src/core/load/session';

const fixtures = path.resolve(__dirname, '../fixtures/scenarios');
const B = 'target builtin:chat\nload users 2 for 10s\nprompt "p"\n  user hi\n';

function diagnose(text: string): string[] {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: (f) => (f === '/virtual/data/chats.json' ? '[]' : undefined) });
  return [...p.diagnostics, ...r.diagnostics].map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}`,
  );
}

function plan(text: string): RunPlan {
  const p = parseScenario(text);
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {} });
  assert.deepEqual([...p.diagnostics, ...r.diagnostics], []);
  return r.plan!;
}

const CASES: Array<[string, string, string[]]> = [
  ['turns without a number', B + '  session turns\n', ['5:11-5:16 error: turns needs a number of turns, e.g. session turns 4']],
  ['turns 0', B + '  session turns 0\n', ['5:17-5:18 error: turns must be between 1 and 1000, got 0']],
  ['turns not a number', B + '  session turns x\n', ['5:17-5:18 error: expected a number for turns, got "x"']],
  ['turns not whole', B + '  session turns 2.5\n', ['5:17-5:20 error: expected a whole number for turns, got "2.5"']],
  ['think without a duration', B + '  session think\n', ['5:11-5:16 error: think needs the pause between turns, e.g. session think 2s']],
  ['think without a unit', B + '  session think 2\n', ['5:17-5:18 error: expected a duration like 10s or 500ms, got "2"']],
  ['misspelled option', B + '  session turn 3\n', ['5:11-5:15 error: unexpected "turn"; did you mean "turns"?']],
  ['option twice', B + '  session turns 3 turns 4\n', ['5:19-5:24 error: turns is given twice; write session turns 4 think 2s (both optional)']],
  ['a stray word', B + '  session turns 3 foo\n', ['5:19-5:22 error: unexpected "foo"; write session turns 4 think 2s (both optional)']],
  ['an assistant line in a session', B + '  assistant Hello\n  user more\n  session\n', ["5:3-5:12 error: a session sends the model's own answers as the assistant turns; remove this assistant line, or the session line"]],
  ['two session lines', B + '  user more\n  session\n  session turns 2\n', ['7:3-7:10 error: duplicate "session" line; the first is on line 6']],
  ['a one-turn session', B + '  session\n', ['5:3-5:10 warning: a session of one turn sends no history; write session turns 4 (later turns repeat the last user line) or add a user line per turn']],
  ['session at the top level', 'target builtin:chat\nload users 2 for 10s\nsession turns 2\n', ['3:1-3:8 error: "session" belongs in a prompt block; indent it under one']],
  ['session with a block below it', B + '  session turns 2\n    user more\n', ['6:5-6:14 error: unexpected indentation: "session" does not take an indented block; move this line left']],
  ['sessions in a sharegpt dataset, misspelled', 'target builtin:chat\nload users 2 for 10s\ndataset sharegpt data/chats.json\n  sessions turns 3 thnik 1s\n', ['4:20-4:25 error: unexpected "thnik"; did you mean "think"?']],
  ['session (singular) in a sharegpt dataset', 'target builtin:chat\nload users 2 for 10s\ndataset sharegpt data/chats.json\n  session\n', ['4:3-4:10 error: in a sharegpt dataset each conversation is a session: write sessions, e.g. sessions turns 4 think 2s']],
];

for (const [name, text, expect] of CASES) {
  test(`session diagnostics: ${name}`, () => assert.deepEqual(diagnose(text), expect));
}

test('a prompt session resolves: system turns open every request, user lines are the turns, think and turns as written', () => {
  const p = plan('target builtin:chat\nload users 1 for 1s\nprompt "p"\n  system Be brief.\n  user Hi\n  user And then?\n  max_tokens 20\n  session think 2 s turns 4\n');
  assert.deepEqual(p.prompts[0], {
    name: 'p',
    weight: 1,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
    params: { max_tokens: 20 },
    session: { preamble: [{ role: 'system', content: 'Be brief.' }], users: ['Hi', 'And then?'], turns: 4, think_ms: 2000 },
  });
  // Without turns: one turn per user line; without think: the scenario's think applies.
  const q = plan('target builtin:chat\nload users 1 for 1s\nprompt "p"\n  user a\n  user b\n  session\n');
  assert.deepEqual(q.prompts[0]!.session, { preamble: [], users: ['a', 'b'], turns: 2 });
  // Under an open-loop load the scenario's think is the pause between a session's turns: no "think has no effect" warning.
  assert.equal(plan('target builtin:chat\nload rate 2/s for 10s\nthink 1s\nprompt "p"\n  user a\n  user b\n  session\n').think_ms, 1000);
  assert.deepEqual(diagnose('target builtin:chat\nload rate 2/s for 10s\nthink 1s\nprompt "p"\n  user a\n'), ['3:7-3:9 warning: think has no effect on a rate load: requests arrive on their own schedule, not after a user\'s pause']);
});

test('each turn resends the earlier turns with the answers given, and past the last user line repeats it', () => {
  const p = plan('target builtin:chat\nload users 1 for 1s\nprompt "p"\n  system S\n  user a\n  user b\n  session turns 3\n').prompts[0]!;
  assert.equal(userMessage(p.session!, 3), 'b');
  assert.deepEqual(turnPrompt(p, []).messages, p.messages);
  assert.deepEqual(turnPrompt(p, ['A1', 'A2']).messages, [
    { role: 'system', content: 'S' },
    { role: 'user', content: 'a' },
    { role: 'assistant', content: 'A1' },
    { role: 'user', content: 'b' },
    { role: 'assistant', content: 'A2' },
    { role: 'user', content: 'b' },
  ]);
});

test('sharegpt sessions: each conversation replays its human turns in order; the recorded answers are left out', () => {
  const p = plan(`target builtin:chat\nload users 1 for 1s\ndataset sharegpt ${path.join(fixtures, 'sharegpt.jsonl')}\n  sessions think 500ms\n`);
  const ds = p.datasets[0]!;
  assert.deepEqual(ds.kind === 'sharegpt' && ds.sessions, { think_ms: 500 });
  assert.deepEqual(loadDatasetPrompts(ds, fixtures), [
    {
      name: 'sharegpt:1',
      weight: 0.5,
      messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hi' }],
      params: {},
      session: { preamble: [{ role: 'system', content: 'Be kind.' }], users: ['Hi', 'Bye'], turns: 2, think_ms: 500 },
    },
    { name: 'sharegpt:2', weight: 0.5, messages: [{ role: 'user', content: 'Role-style record' }], params: {}, session: { preamble: [], users: ['Role-style record'], turns: 1, think_ms: 500 } },
  ]);
  // turns N caps each conversation.
  const capped = loadDatasetPrompts({ ...ds, sessions: { turns: 1 } } as typeof ds, fixtures);
  assert.deepEqual(capped.map((x) => x.session?.turns), [1, 1]);
});
