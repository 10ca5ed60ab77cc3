/** Resolving trees into plans: variables, files, datasets, defaults and load end conditions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDatasetPrompts, loadScenario, parseScenario, resolvePlan, type RunPlan } from '../../src/core/scenario';

const fixtures = path.resolve(__dirname, '../fixtures/scenarios');

function plan(text: string, env: Record<string, string> = {}): RunPlan {
  const p = parseScenario(text);
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env, readFile: () => undefined });
  assert.deepEqual([...p.diagnostics, ...r.diagnostics], []);
  assert.ok(r.plan);
  return r.plan;
}

const BASE = 'target builtin:chat\nprompt "p"\n  user hi\n';

test('variables from var lines, the environment and secrets are substituted; files resolve next to the scenario', () => {
  const r = loadScenario(path.join(fixtures, 'features.llmload'), {
    env: { TARGET_URL: 'http://127.0.0.1:9' },
    secret: (n) => (n === 'API_KEY' ? 'sk-test' : undefined),
  });
  assert.deepEqual(r.diagnostics, []);
  const p = r.plan!;
  assert.equal(p.scenario, 'Fixture: tester');
  assert.deepEqual(p.target, { kind: 'url', url: 'http://127.0.0.1:9' });
  assert.equal(p.api, 'openai-completions');
  assert.equal(p.model, 'm-tester');
  assert.equal(p.key, 'sk-test');
  assert.deepEqual(p.headers, { 'X-Who': 'tester' });
  assert.deepEqual(p.prompts[0].messages, [{ role: 'user', content: 'Text from a file.' }]);
  assert.deepEqual(p.prompts[0].body, { tags: ['tester'], n: 2 });
  assert.deepEqual(p.datasets, [
    { kind: 'jsonl', name: 'qa', path: path.join(fixtures, 'qa.jsonl'), weight: 1, messages: [{ role: 'user', content: '{{q}} [{{meta.lang}}]' }], answer: '{{a}}', params: {}, sample: 2, shuffle: true, seed: 9 },
    { kind: 'sharegpt', name: 'sharegpt', path: path.join(fixtures, 'sharegpt.jsonl'), weight: 2, params: {}, shuffle: false },
  ]);
  assert.deepEqual(p.load, { kind: 'rate', per_s: 2, duration_ms: Infinity, arrival: 'poisson' });
  assert.deepEqual(p.stop, { after_requests: 50 });
  assert.deepEqual(p.warmup, { duration_ms: 10000 });
});

test('a secret defaults to the environment variable of the same name', () => {
  const p = plan(BASE + 'load users 1 for 1s\nkey ${secret:K}\n', { K: 'from-env' });
  assert.equal(p.key, 'from-env');
});

test('defaults: api, model from a builtin profile, timeout, trace, think, buckets, headers, datasets', () => {
  const p = plan(BASE + 'load users 1 for 1s\n');
  assert.equal(p.api, 'openai-chat');
  assert.equal(p.model, 'chat');
  assert.deepEqual(p.timeouts, { total_ms: 300000 });
  assert.deepEqual(p.trace, { mode: 'first', n: 200 });
  assert.equal(p.think_ms, 0);
  assert.deepEqual(p.buckets, []);
  assert.deepEqual(p.headers, {});
  assert.deepEqual(p.datasets, []);
  assert.equal(p.scenario, 's');
  for (const k of ['key', 'tokenizer', 'warmup', 'stop', 'seed'] as const) assert.equal(k in p, false, k);
});

test('load shapes resolve to base units', () => {
  assert.deepEqual(plan(BASE + 'load users 3 for 1m30s\n').load, { kind: 'users', users: 3, duration_ms: 90000 });
  assert.deepEqual(plan(BASE + 'load rate 120 qpm for 2m uniform\n').load, { kind: 'rate', per_s: 2, duration_ms: 120000, arrival: 'uniform' });
  assert.deepEqual(plan(BASE + 'load rate 5/s\nstop after 1m\n').load, { kind: 'rate', per_s: 5, duration_ms: 60000, arrival: 'poisson' });
  assert.deepEqual(plan(BASE + 'load users 2\nstop after 100 requests\n').load, { kind: 'users', users: 2, duration_ms: Infinity });
  assert.deepEqual(plan(BASE + 'load stages\n  ramp to 30 qpm over 1m\n  hold 2m\n  ramp to 2 rps over 30s\n').load, {
    kind: 'stages',
    stages: [
      { kind: 'ramp_rate', to_per_s: 0.5, over_ms: 60000 },
      { kind: 'hold', for_ms: 120000 },
      { kind: 'ramp_rate', to_per_s: 2, over_ms: 30000 },
    ],
  });
  assert.deepEqual(plan(BASE + 'load step\n  start 1 user\n  add 3 every 500ms\n  max 10\n  hold 1h\n').load, { kind: 'step', start: 1, add: 3, every_ms: 500, max: 10, hold_ms: 3600000 });
});

test('run control and output lines', () => {
  const p = plan(BASE + 'load users 1 for 10m\nwarmup 5 requests\nstop after 5m\nstop errors > 2.5%\nthink 1.5s\nbuckets 512 4Ki 16k\ntrace first 10\nseed 123\ntimeout 1m\ntimeout ttft 5s\ntimeout stall 2s\ntokenizer ./tok.json\n');
  assert.deepEqual(p.warmup, { requests: 5 });
  assert.deepEqual(p.stop, { after_ms: 300000, error_rate_above: 0.025 });
  assert.equal(p.think_ms, 1500);
  assert.deepEqual(p.buckets, [512, 4096, 16000]);
  assert.deepEqual(p.trace, { mode: 'first', n: 10 });
  assert.equal(p.seed, 123);
  assert.deepEqual(p.timeouts, { total_ms: 60000, ttft_ms: 5000, stall_ms: 2000 });
  assert.equal(p.tokenizer, './tok.json');
});

test('prompt parameters, stop sequences and text forms', () => {
  const p = plan(
    'target builtin:chat\nload users 1 for 1s\nprompt "p" weight 0.5\n  user """Quoted "inline" text"""\n  assistant "a \\"quoted\\" string"\n  user Literal $${NOT_A_VAR} and C# # kept\n  max_tokens 2Ki\n  temperature 0\n  top_p 1\n  seed 3\n  stop "\\n\\n" END "###"\n  body\n    {"top_k": 40,\n     "nested": {"a": [1, 2]}}\n',
  );
  const pr = p.prompts[0];
  assert.equal(pr.weight, 0.5);
  assert.deepEqual(pr.messages, [
    { role: 'user', content: 'Quoted "inline" text' },
    { role: 'assistant', content: 'a "quoted" string' },
    { role: 'user', content: 'Literal ${NOT_A_VAR} and C# # kept' },
  ]);
  assert.deepEqual(pr.params, { max_tokens: 2048, temperature: 0, top_p: 1, seed: 3, stop: ['\n\n', 'END', '###'] });
  assert.deepEqual(pr.body, { top_k: 40, nested: { a: [1, 2] } });
});

test('synthetic datasets are described in the plan', () => {
  const p = plan('target builtin:chat\nload users 1 for 1s\ndataset synthetic weight 2\n  input 1.5k..2Ki tokens\n  output 100..200\n  shared_prefix 512 tokens\n  temperature 0\n');
  assert.deepEqual(p.datasets, [
    { kind: 'synthetic', name: 'synthetic', weight: 2, input: { min: 1500, max: 2048 }, output: { min: 100, max: 200 }, shared_prefix: 512, count: 100, params: { temperature: 0 } },
  ]);
  assert.deepEqual(p.prompts, []);
});

test('loadDatasetPrompts fills jsonl templates, and shuffles and samples with the seed', () => {
  const r = loadScenario(path.join(fixtures, 'features.llmload'), { env: { TARGET_URL: 'http://127.0.0.1:9' }, secret: () => 'k' });
  const [jsonl, sharegpt] = r.plan!.datasets;
  const a = loadDatasetPrompts(jsonl, fixtures);
  const b = loadDatasetPrompts(jsonl, fixtures);
  assert.deepEqual(a, b, 'the same seed gives the same sample');
  assert.equal(a.length, 2);
  assert.equal(jsonl.kind, 'jsonl');
  const { sample: _sample, ...unsampled } = jsonl as Extract<typeof jsonl, { kind: 'jsonl' }>;
  const all = loadDatasetPrompts({ ...unsampled, shuffle: false }, fixtures);
  assert.deepEqual(all, [
    { name: 'qa:1', weight: 1 / 3, messages: [{ role: 'user', content: '2+2? [en]' }], params: {}, answer: '4', grader: 'exact' },
    { name: 'qa:3', weight: 1 / 3, messages: [{ role: 'user', content: 'Capital of Peru? [es]' }], params: {}, answer: 'Lima', grader: 'exact' },
    { name: 'qa:4', weight: 1 / 3, messages: [{ role: 'user', content: 'Largest ocean? [en]' }], params: {}, answer: 'Pacific', grader: 'exact' },
  ]);
  for (const x of a) assert.ok(all.some((y) => y.name === x.name));
  assert.ok(a.every((x) => x.weight === 0.5), 'the dataset weight is shared among its records');
  assert.deepEqual(loadDatasetPrompts(sharegpt, fixtures), [
    { name: 'sharegpt:1', weight: 1, messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hi' }], params: {} },
    { name: 'sharegpt:2', weight: 1, messages: [{ role: 'user', content: 'Role-style record' }], params: {} },
  ]);
});

test('loadDatasetPrompts reads ShareGPT JSON arrays and names the line of a broken record', () => {
  const ex = path.resolve(__dirname, '../../examples');
  const prompts = loadDatasetPrompts({ kind: 'sharegpt', name: 's', path: 'data/sharegpt-sample.json', weight: 1, params: {}, shuffle: false }, ex);
  assert.equal(prompts.length, 3);
  assert.deepEqual(prompts[1].messages.map((m) => m.role), ['system', 'user']);
  assert.throws(
    () => loadDatasetPrompts({ kind: 'jsonl', name: 'b', path: 'broken.jsonl', weight: 1, messages: [{ role: 'user', content: '{{q}}' }], params: {}, shuffle: false }, fixtures),
    /broken\.jsonl:2: not JSON/,
  );
  assert.throws(
    () => loadDatasetPrompts({ kind: 'jsonl', name: 'b', path: 'qa.jsonl', weight: 1, messages: [{ role: 'user', content: '{{nope}}' }], params: {}, shuffle: false }, fixtures),
    /qa\.jsonl:1: the record has no field "nope"/,
  );
  assert.throws(() => loadDatasetPrompts({ kind: 'jsonl', name: 'b', path: 'none.jsonl', weight: 1, messages: [], params: {}, shuffle: false }, fixtures), /cannot read dataset/);
});
