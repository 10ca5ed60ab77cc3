// Cross-check against the built-in simulator (src/core/sim), which writes each API's stream from
// its own reading of the documented formats: every API decodes to thinking then answer with
// server usage, and every fault the simulator can inject comes back as the matching error kind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../src/core/sim';
import { createClient, type ClientOptions } from '../../src/core/protocols';
import type { ApiKind, PromptPlan } from '../../src/core/scenario/plan';

const FAST = 'reasoning?decode_tokens_per_s=3000&overhead_ms=0&thinking_tokens=8-16&answer_tokens=8-16';
const prompt: PromptPlan = { name: 'p', weight: 1, messages: [{ role: 'user', content: 'What is the capital of France?' }], params: { max_tokens: 200 } };
// The simulator's default WebSocket replies are OpenAI chat chunks, which the default mapping reads.
const WS: ClientOptions = { websocket: {} };

let sim: RunningSimulator;
let apis: [ApiKind, string, ClientOptions?][] = [];

before(async () => {
  sim = await startSimulator({ profile: FAST, seed: 7 });
  const root = sim.url.replace(/\/v1$/, '');
  apis = [
    ['openai-chat', sim.url],
    ['openai-completions', sim.url],
    ['openai-responses', sim.url],
    ['anthropic', sim.url],
    ['ollama', root],
    ['tgi', root],
    ['websocket', `${root.replace(/^http/, 'ws')}/v1/ws`, WS],
  ];
});
after(async () => {
  await sim.close();
});

async function send(api: ApiKind, url: string, opts: ClientOptions | undefined, headers: Record<string, string> = {}) {
  const c = createClient({ api, model: 'sim-reasoner', timeouts: { total_ms: 10_000, stall_ms: 400 }, headers }, url, opts);
  try {
    return await c.send(prompt);
  } finally {
    await c.close();
  }
}

test('every API: thinking before answer, complete, server usage', async () => {
  for (const [api, url, opts] of apis) {
    const r = await send(api, url, opts);
    assert.equal(r.error, undefined, `${api}: ${JSON.stringify(r.error)}`);
    assert.equal(r.complete, true, api);
    assert.equal(r.finish_reason, 'stop', api);
    assert.ok(r.thinking_text.trim().length > 0 && r.answer_text.trim().length > 0, api);
    const kinds = r.packets.map((p) => p.kind);
    assert.ok(kinds.lastIndexOf('thinking') < kinds.indexOf('answer'), `${api}: ${kinds.join(',')}`);
    assert.ok((r.usage?.completion_tokens ?? 0) >= r.answer_chunks, api);
    assert.notEqual(r.answer_text.includes('<think>') || r.answer_text.includes('</think>'), true, api);
  }
});

test('openai-chat: every reasoning format the simulator writes, tags split or without the opening tag', async () => {
  const [, url] = apis[0];
  for (const fmt of ['reasoning_content', 'reasoning', 'reasoning_details', 'think_tags']) {
    const r = await send('openai-chat', url, undefined, { 'x-llmload-sim-reasoning-format': fmt });
    assert.equal(r.error, undefined, fmt);
    assert.ok(r.thinking_text.length > 0 && r.answer_text.length > 0, fmt);
  }
  for (const extra of ['think_tags_split=true', 'think_tags_omit_open=true']) {
    const s = await startSimulator({ profile: `${FAST}&reasoning_format=think_tags&${extra}`, seed: 7 });
    const c = createClient({ api: 'openai-chat', model: 'm', timeouts: { total_ms: 10_000 }, headers: {} }, s.url);
    const r = await c.send(prompt);
    await c.close();
    await s.close();
    assert.equal(r.error, undefined, extra);
    assert.ok(r.thinking_text.length > 0, extra);
    assert.ok(!r.answer_text.includes('think>'), `${extra}: ${r.answer_text}`);
    assert.ok(r.answer_text.length > 0, extra);
  }
});

const FAULTS: [string, string][] = [
  ['http_429', 'http_429'],
  ['http_500', 'http_5xx'],
  ['http_400', 'http_4xx'],
  ['reset', 'disconnect'],
  ['stall', 'timeout_stall'],
  ['disconnect', 'disconnect'],
  ['bad_stream', 'bad_stream'],
  ['stream_error', 'stream_error'],
];

test('every fault on every API is its own error kind, with the packets before it kept', async () => {
  for (const [api, url, opts] of apis) {
    const results = await Promise.all(FAULTS.map(([fault]) => send(api, url, opts, { 'x-llmload-sim-fault': fault })));
    results.forEach((r, i) => {
      const [fault, want] = FAULTS[i];
      assert.equal(r.error?.kind, want, `${api} ${fault}: ${JSON.stringify(r.error)}`);
      if (fault === 'http_429') assert.equal(r.error?.retry_after, '1', api);
      // Not asserted for `reset`: a TCP reset makes the kernel drop bytes the client had not read yet.
      if (['stall', 'disconnect', 'stream_error'].includes(fault)) assert.ok(r.packets.some((p) => p.kind === 'thinking'), `${api} ${fault}`);
    });
  }
});
