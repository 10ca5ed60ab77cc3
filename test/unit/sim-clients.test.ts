// The project's own protocol clients against the simulator, over real loopback sockets: every API
// decodes a normal answer, and each failure kind the simulator produces is classified as that kind.
// Also the self-checking clock: every packet arrives at or after the simulator sent its frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../../src/core/protocols/index';
import type { ApiKind, PromptPlan } from '../../src/core/scenario/plan';
import { startSimulator, type RunningSimulator } from '../../src/core/sim/index';

// Fast decode, slow enough prefill for keep-alives to show.
const PROFILE = 'reasoning?decode_tokens_per_s=2000&prefill_tokens_per_s=500&keepalive_interval_ms=10&thinking_tokens=6-10&answer_tokens=8-12';
const APIS: ApiKind[] = ['openai-chat', 'openai-completions', 'openai-responses', 'anthropic', 'ollama', 'tgi', 'websocket'];
const prompt: PromptPlan = {
  name: 'p',
  weight: 1,
  messages: [{ role: 'user', content: 'What is the capital of France? '.repeat(4) }],
  params: { max_tokens: 100 },
};

async function send(sim: RunningSimulator, api: ApiKind, fault?: string) {
  const base = api === 'websocket' ? sim.url.replace(/^http/, 'ws') + '/ws' : sim.url;
  const plan = { api, model: 'sim', timeouts: { total_ms: 10_000, stall_ms: 300 }, headers: fault ? { 'x-llmload-sim-fault': fault } : {} };
  const client = createClient(plan as Parameters<typeof createClient>[0], base);
  try {
    return await client.send(prompt);
  } finally {
    await client.close();
  }
}

test('every API: a normal answer decodes complete, thinking before answer, with server usage', async () => {
  const sim = await startSimulator({ profile: PROFILE, seed: 2 });
  try {
    for (const api of APIS) {
      const r = await send(sim, api);
      assert.equal(r.error, undefined, `${api}: ${r.error?.message}`);
      assert.equal(r.complete, true, api);
      const kinds = r.packets.map((p) => p.kind);
      const firstThinking = kinds.indexOf('thinking');
      const firstAnswer = kinds.indexOf('answer');
      assert.ok(firstThinking >= 0 && firstAnswer > firstThinking, `${api}: thinking then answer`);
      assert.ok(r.answer_text.length > 0 && r.thinking_text.length > 0, api);
      assert.ok((r.usage?.completion_tokens ?? 0) > 0, `${api}: usage`);
      if (api !== 'ollama' && api !== 'websocket') assert.ok(kinds.slice(0, firstThinking).includes('heartbeat'), `${api}: keep-alives before the first token`);
    }
  } finally {
    await sim.close();
  }
});

test('every API: each failure kind the simulator produces is classified as that kind', async () => {
  const sim = await startSimulator({ profile: PROFILE, seed: 2 });
  const expected: [string, string][] = [
    ['http_429', 'http_429'],
    ['http_500', 'http_5xx'],
    ['http_400', 'http_4xx'],
    ['stall=2', 'timeout_stall'],
    ['disconnect', 'disconnect'],
    ['bad_stream', 'bad_stream'],
    ['stream_error', 'stream_error'],
  ];
  try {
    // The APIs run side by side; each one's faults in turn.
    await Promise.all(APIS.map(async (api) => {
      for (const [fault, kind] of expected) {
        const r = await send(sim, api, fault);
        assert.equal(r.error?.kind, kind, `${api} ${fault}: got ${r.error?.kind} (${r.error?.message})`);
        if (fault === 'http_429' && api !== 'websocket') assert.equal(r.error?.retry_after, '1', `${api}: retry-after kept`);
      }
      const reset = await send(sim, api, 'reset');
      assert.ok(reset.error, `${api} reset: a failure`);
      assert.equal(reset.complete, false);
      const empty = await send(sim, api, 'empty_answer');
      assert.equal(empty.answer_text, '', `${api}: empty_answer has no answer text`);
      const truncated = await send(sim, api, 'truncated_thinking');
      assert.equal(truncated.answer_text, '', `${api}: truncated_thinking has no answer`);
      assert.ok(truncated.thinking_text.length > 0);
    }));
  } finally {
    await sim.close();
  }
});

test('self-checking clock: every packet arrives at or after the simulator sent its frame', async (t) => {
  const sim = await startSimulator({ profile: PROFILE, seed: 2 });
  try {
    for (const api of ['openai-chat', 'openai-responses', 'anthropic'] as ApiKind[]) {
      const r = await send(sim, api);
      assert.ok(r.response_id, `${api}: response id`);
      const sent = sim.sendLog(r.response_id!);
      assert.ok(sent, `${api}: the simulator logged ${r.response_id}`);
      const arrivals = r.packets.map((p) => r.start_ms + p.t_ms);
      // Same process, same clock: nothing arrives before it was sent (0.05 ms of float slack).
      assert.ok(arrivals[0] >= sent[0] - 0.05 && arrivals.at(-1)! >= sent.at(-1)! - 0.05, api);
      if (api === 'openai-chat') {
        // One SSE event, one packet: the times pair up one to one.
        assert.equal(r.packets.length, sent.length, 'packets = frames');
        const lags = arrivals.map((a, i) => a - sent[i]);
        assert.ok(lags.every((lag) => lag >= -0.05), `min lag ${Math.min(...lags).toFixed(3)} ms`);
        lags.sort((a, b) => a - b);
        t.diagnostic(`openai-chat: send->packet lag ms p50 ${lags[Math.floor(lags.length / 2)].toFixed(3)} max ${lags.at(-1)!.toFixed(3)}`);
      } else {
        assert.ok(r.packets.length >= sent.length, `${api}: a packet for every frame`);
      }
    }
  } finally {
    await sim.close();
  }
});

test('offered tools: the clients see tool_call packets and no answer', async () => {
  const sim = await startSimulator({ profile: PROFILE, seed: 2 });
  try {
    for (const api of ['openai-chat', 'openai-responses', 'anthropic', 'ollama'] as ApiKind[]) {
      const tools =
        api === 'anthropic'
          ? [{ name: 'search', input_schema: { type: 'object' } }]
          : api === 'openai-responses'
            ? [{ type: 'function', name: 'search' }]
            : [{ type: 'function', function: { name: 'search', parameters: { type: 'object' } } }];
      const plan = { api, model: 'sim', timeouts: { total_ms: 10_000 }, headers: {} };
      const client = createClient(plan as Parameters<typeof createClient>[0], sim.url);
      try {
        const r = await client.send({ ...prompt, body: { tools } });
        assert.ok(r.packets.some((p) => p.kind === 'tool_call'), `${api}: a tool_call packet`);
        assert.equal(r.answer_text, '', api);
        assert.equal(r.complete, true, api);
      } finally {
        await client.close();
      }
    }
  } finally {
    await sim.close();
  }
});
