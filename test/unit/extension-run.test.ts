// The run controller's pure parts: the cost guard's estimate, secret references and scrubbing a
// run folder of secret values.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { costGuard, estimateRequests, isLocalUrl } from '../../src/extension/run/cost-estimate';
import { redact, scrubRunFolder, secretNames } from '../../src/extension/run/secret-refs';
import { traceFromSetting } from '../../src/extension/run/trace-setting';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmload-extrun-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function plan(text: string) {
  const { tree } = parseScenario(text, path.join(tmp, 's.llmload'));
  const r = resolvePlan(tree, { file: path.join(tmp, 's.llmload'), env: {}, secret: () => 'x' });
  assert.ok(r.plan, JSON.stringify(r.diagnostics));
  return r.plan;
}
const scenario = (target: string, load: string) => `target ${target}\nmodel m\n${load}\nprompt "p"\n  user ${'word '.repeat(40)}\n  max_tokens 1000\n`;

describe('cost guard', () => {
  it('knows loopback from remote targets', () => {
    for (const u of ['http://127.0.0.1:8000/v1', 'http://localhost/v1', 'http://[::1]:9/']) assert.equal(isLocalUrl(u), true, u);
    for (const u of ['https://api.openai.com/v1', 'http://10.0.0.5/v1', 'not a url']) assert.equal(isLocalUrl(u), false, u);
  });

  it('estimates requests from the load shape, capped by stop after N requests', () => {
    assert.equal(estimateRequests({ kind: 'rate', per_s: 4, duration_ms: 60_000, arrival: 'poisson' }), 240);
    assert.equal(estimateRequests({ kind: 'users', users: 10, duration_ms: 50_000 }), 100);
    assert.equal(estimateRequests({ kind: 'rate', per_s: 4, duration_ms: 60_000, arrival: 'poisson' }, 50), 50);
    assert.equal(estimateRequests({ kind: 'replay', path: 'x', speed: 1 }), Infinity);
    const step = estimateRequests({ kind: 'step', start: 2, add: 2, every_ms: 10_000, max: 6, hold_ms: 10_000 });
    assert.equal(step, Math.ceil((2 * 10 + 4 * 10 + 6 * 10) / 5));
  });

  it('asks only for non-local targets over the limit', () => {
    const big = plan(scenario('https://api.example.com/v1', 'load rate 10 rps for 10m'));
    const est = costGuard(big, 1_000_000);
    assert.ok(est, 'a big remote run needs confirmation');
    assert.equal(est.target, 'https://api.example.com/v1');
    assert.equal(est.requests, 6000);
    assert.ok(est.tokens > 6000 * 1000);
    assert.equal(costGuard(big, 1e12), undefined, 'under a high limit');
    assert.equal(costGuard(plan(scenario('http://127.0.0.1:8000/v1', 'load rate 10 rps for 10m')), 1), undefined, 'loopback is never guarded');
    assert.equal(costGuard(plan(scenario('builtin:chat', 'load rate 10 rps for 10m')), 1), undefined, 'nor the simulator');
    assert.ok(costGuard(plan(scenario('builtin:chat', 'load rate 10 rps for 10m')), 1, 'https://staging.example.com/v1'), 'an environment override to a remote URL is guarded');
  });
});

describe('secrets', () => {
  it('finds every ${secret:NAME} in order, once', () => {
    const { tree } = parseScenario('target builtin:chat\nkey ${secret:A}\nheader X-B ${secret:B}\nvar V ${secret:A}\nprompt "p"\n  user hi ${env:HOME}\n', '/x.llmload');
    assert.deepEqual(secretNames(tree), ['A', 'B']);
  });

  it('redacts values, and scrubs every file of a run folder', () => {
    assert.equal(redact('Bearer sk-123456 and sk-123456', ['sk-123456']), 'Bearer *** and ***');
    assert.equal(redact('abc', ['ab']), 'abc', 'values under 4 characters are left alone');
    const dir = path.join(tmp, 'run');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'plan.json'), '{"headers":{"X-Trace":"sk-secret-1"}}');
    writeFileSync(path.join(dir, 'sub', 'packets.jsonl'), 'clean\n');
    const changed = scrubRunFolder(dir, ['sk-secret-1']);
    assert.deepEqual(changed, [path.join(dir, 'plan.json')]);
    assert.equal(readFileSync(path.join(dir, 'plan.json'), 'utf8'), '{"headers":{"X-Trace":"***"}}');
    assert.equal(readFileSync(path.join(dir, 'sub', 'packets.jsonl'), 'utf8'), 'clean\n');
  });
});

describe('trace sampling setting', () => {
  it('maps each choice to a trace plan, and "scenario" (or nonsense) to the scenario\'s own', () => {
    assert.deepEqual(traceFromSetting('all'), { mode: 'all' });
    assert.deepEqual(traceFromSetting('failures'), { mode: 'failures' });
    assert.deepEqual(traceFromSetting('first 200'), { mode: 'first', n: 200 });
    assert.equal(traceFromSetting('scenario'), undefined);
    assert.equal(traceFromSetting('first 0'), undefined);
    assert.equal(traceFromSetting('sometimes'), undefined);
  });
});
