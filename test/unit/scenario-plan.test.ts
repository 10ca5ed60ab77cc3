import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadScenario, parseScenario, resolvePlan } from '../../src/core/scenario';
import { runCheck } from '../../src/cli/check';

const root = path.resolve(__dirname, '../..');

function planOf(text: string, env: Record<string, string> = {}) {
  const parsed = parseScenario(text, '/tmp/x.llmload');
  const r = resolvePlan(parsed.tree, { file: '/tmp/x.llmload', env, readFile: () => undefined });
  return { plan: r.plan, diagnostics: [...parsed.diagnostics, ...r.diagnostics] };
}

test('the quickstart resolves to the documented plan with no diagnostics', () => {
  const file = path.join(root, 'examples/quickstart.llmload');
  const r = loadScenario(file, { env: {} });
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.plan, {
    scenario: 'Quickstart: reasoning model under step load',
    file,
    target: { kind: 'builtin', profile: 'reasoning' },
    api: 'openai-chat',
    model: 'sim-reasoner',
    timeouts: { total_ms: 60000 },
    headers: {},
    prompts: [
      {
        name: 'short question',
        weight: 3,
        messages: [
          { role: 'system', content: 'You are a concise assistant.' },
          { role: 'user', content: 'What is the capital of France?' },
        ],
        params: { max_tokens: 128 },
      },
      { name: 'explain', weight: 1, messages: [{ role: 'user', content: 'Explain in two paragraphs why the sky is blue.' }], params: { max_tokens: 400 } },
    ],
    datasets: [],
    load: { kind: 'step', start: 2, add: 2, every_ms: 1000, max: 16, hold_ms: 10000 },
    think_ms: 0,
    buckets: [],
    trace: { mode: 'first', n: 200 },
    expectations: [
      { text: 'ttft p95 < 3s', metric: 'ttft', stat: 'p95', op: '<', value: 3000, line: 24 },
      { text: 'success >= 99%', metric: 'success', op: '>=', value: 0.99, line: 25 },
    ],
  });
});

test('an http target becomes a url target', () => {
  const r = planOf('target http://127.0.0.1:8000/v1\nmodel m\nload users 2 for 10s\nprompt "p"\n  user hi\n');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.plan?.target, { kind: 'url', url: 'http://127.0.0.1:8000/v1' });
  assert.deepEqual(r.plan?.load, { kind: 'users', users: 2, duration_ms: 10000 });
});

test('a scenario with an error yields no plan and a ranged diagnostic', () => {
  const r = planOf('target builtin:chat\nload users 2 for 10\nprompt "p"\n  user hi\n');
  assert.equal(r.plan, undefined);
  assert.deepEqual(r.diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.range.end.character, d.message]), [
    [1, 17, 19, 'expected a duration like 10s or 500ms, got "10"'],
  ]);
});

test('loadScenario reports a missing file as a diagnostic', () => {
  const r = loadScenario('/nonexistent/dir/none.llmload');
  assert.equal(r.plan, undefined);
  assert.equal(r.diagnostics.length, 1);
  assert.match(r.diagnostics[0].message, /cannot read \/nonexistent\/dir\/none\.llmload: no such file/);
});

test('runCheck prints FILE:LINE:COL diagnostics and exits 2 on errors, 0 when clean', () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  assert.equal(runCheck([path.join(root, 'examples/quickstart.llmload')], io), 0);
  assert.deepEqual(err, []);
  assert.equal(runCheck(['/nonexistent/none.llmload'], io), 2);
  assert.deepEqual(err, ['/nonexistent/none.llmload:1:1: error: cannot read /nonexistent/none.llmload: no such file']);
});
