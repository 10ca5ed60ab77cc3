// The API registry: one entry per API the scenario language accepts, looked up by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_REGISTRY, apiDefinition, createAdapter, createClient } from '../../src/core/protocols';
import { WebSocketProtocolClient } from '../../src/core/protocols/websocket-client';
import { API_KINDS } from '../../src/core/scenario/keywords';
import type { ApiKind, PromptPlan } from '../../src/core/scenario/plan';
import { decodeSplit, fixture } from '../fixtures/streams/helpers';

const plan = (api: string) => ({ api: api as ApiKind, model: 'm', timeouts: { total_ms: 1000 }, headers: { 'X-Trace': 't' }, key: 'k' });
const prompt: PromptPlan = { name: 'p', weight: 1, messages: [{ role: 'user', content: 'hi' }], params: { max_tokens: 4 } };

test('registry: exactly one entry per API the scenario language accepts', () => {
  const names = API_REGISTRY.map((d) => d.api);
  assert.equal(new Set(names).size, names.length, `duplicate names in ${names.join(', ')}`);
  assert.deepEqual([...names].sort(), [...API_KINDS].sort());
  for (const api of API_KINDS) assert.equal(apiDefinition(api)?.api, api);
});

test('registry: every HTTP API gives an adapter that builds a POST to the target and decodes its stream', () => {
  for (const def of API_REGISTRY) {
    if (def.transport !== 'http') continue;
    const a = createAdapter(plan(def.api), 'http://127.0.0.1:1/v1', { sse: { path: '/generate' } });
    assert.equal(a.api, def.api);
    const req = a.buildRequest(prompt);
    assert.equal(req.method, 'POST', def.api);
    assert.match(req.url, /^http:\/\/127\.0\.0\.1:1\/v1\//, def.api);
    assert.equal(req.headers['x-trace'], 't', `${def.api}: the scenario's headers are sent`);
    assert.ok(Object.values(req.headers).some((v) => v === 'k' || v === 'Bearer k'), `${def.api}: the key is sent`);
    assert.ok(JSON.parse(req.body), def.api);
    assert.equal(a.createDecoder({ contentType: 'text/event-stream' }).record.packets.length, 0);
  }
  // the registry entry is what createAdapter uses: a fixture decodes through it
  const r = decodeSplit('anthropic', fixture('anthropic-thinking.sse'));
  assert.ok(r.complete && r.answer_text.length > 0 && r.thinking_text.length > 0);
});

test('registry: websocket has a client and no HTTP adapter; an unknown API keeps its error', async () => {
  assert.throws(() => createAdapter(plan('websocket'), 'ws://127.0.0.1:1/'), /^Error: API websocket has no HTTP adapter$/);
  assert.throws(() => createAdapter(plan('grpc'), 'http://127.0.0.1:1/'), /^Error: API grpc has no HTTP adapter$/);
  assert.throws(() => createClient(plan('grpc'), 'http://127.0.0.1:1/'), /^Error: API grpc has no HTTP adapter$/);
  assert.equal(apiDefinition('toString'), undefined);
  const c = createClient(plan('websocket'), 'ws://127.0.0.1:1/');
  assert.ok(c instanceof WebSocketProtocolClient);
  await c.close();
  assert.throws(() => createClient(plan('websocket'), 'not a url'));
});
