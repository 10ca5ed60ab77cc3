// The engine model end to end over loopback, measured by llmload's own client: relations between
// runs (longer prompt -> later first token by the modelled prefill cost; a prefill burst slows
// running decodes unless P/D splits them; prefix caching cuts TTFT; speculation sends several
// tokens per chunk; a small KV cache preempts and grows the tails). No assertion times the machine:
// the modelled steps are tens of milliseconds, far above loopback and timer noise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createClient } from '../../src/core/protocols/index';
import type { ApiKind, PromptPlan } from '../../src/core/scenario/plan';
import type { StreamResult } from '../../src/core/protocols/types';
import { defineProfile, startSimulator, type RunningSimulator } from '../../src/core/sim/index';
import type { ProfileOverrides } from '../../src/core/sim/profiles';
import type { EngineSpec } from '../../src/core/sim/engine/cost-model';

const parseProm = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => { name: string; metrics: { value?: string }[] }[];

/** Round-number engine costs: 20 ms per step, 0.1 ms per prefill token, 0.2 ms per decoding sequence, no KV read cost. */
function engineProfile(engine: Partial<EngineSpec>, over: ProfileOverrides = {}) {
  return defineProfile('llama3-8b-h100', {
    answer_tokens: [40, 40],
    keepalive_interval_ms: 0,
    ...over,
    engine: { step_ms: 20, prefill_token_us: 100, decode_seq_us: 200, kv_token_ns: 0, kv_tokens: 200_000, max_num_batched_tokens: 8192, ...engine },
  });
}

/** Distinct text of about `tokens` estimated tokens (4 characters each), so no two prompts share a block. */
function text(tokens: number, salt: string): string {
  const word = `${salt}-abc `;
  return word.repeat(Math.ceil((tokens * 4) / word.length)).slice(0, tokens * 4);
}

const plan = (text: string, max_tokens = 1000): PromptPlan => ({ name: 'p', weight: 1, messages: [{ role: 'user', content: text }], params: { max_tokens } });

function clientOf(sim: RunningSimulator, api: ApiKind = 'openai-chat') {
  const base = api === 'websocket' ? sim.url.replace(/^http/, 'ws') + '/ws' : sim.url;
  return createClient({ api, model: 'm', timeouts: { total_ms: 60_000 }, headers: {} } as Parameters<typeof createClient>[0], base);
}

const ttftOf = (r: StreamResult): number => r.packets.find((p) => p.kind === 'answer' || p.kind === 'thinking')!.t_ms;
const outputTimes = (r: StreamResult): number[] => r.packets.filter((p) => p.kind === 'answer' || p.kind === 'thinking').map((p) => p.t_ms);
const gaps = (r: StreamResult): number[] => {
  const t = outputTimes(r);
  return t.slice(1).map((x, i) => x - t[i]);
};

async function metric(sim: RunningSimulator, name: string): Promise<number> {
  const parsed = parseProm(await (await fetch(sim.url.replace(/\/v1$/, '/metrics'))).text());
  return parsed.find((m) => m.name === name)!.metrics.reduce((s, m) => s + Number(m.value), 0);
}

test('every API streams through the engine, and faults are classified as with the simple model', async () => {
  const sim = await startSimulator({ profile: engineProfile({ step_ms: 2 }, { thinking_tokens: [5, 8], answer_tokens: [6, 10] }) });
  try {
    for (const api of ['openai-chat', 'openai-completions', 'openai-responses', 'anthropic', 'ollama', 'tgi', 'websocket'] as ApiKind[]) {
      const client = clientOf(sim, api);
      try {
        const r = await client.send(plan('What is the capital of France?', 100));
        assert.equal(r.error, undefined, `${api}: ${r.error?.message}`);
        assert.ok(r.complete && r.answer_text.length > 0 && r.thinking_text.length > 0, api);
      } finally {
        await client.close();
      }
    }
    // Without streaming the body comes when the engine emitted the last token, with the engine's usage.
    const body = { model: 'm', messages: [{ role: 'user', content: 'What is the capital of France?' }] };
    const res = await fetch(`${sim.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    const json = (await res.json()) as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    assert.ok(json.choices[0].message.content.length > 0 && json.usage.completion_tokens > 0);
    // slow_ttft holds the request back before it reaches the engine.
    const slow = createClient({ api: 'openai-chat', model: 'm', timeouts: { total_ms: 10_000 }, headers: { 'x-llmload-sim-fault': 'slow_ttft=300' } } as Parameters<typeof createClient>[0], sim.url);
    try {
      const r = await slow.send(plan('hi', 100));
      assert.equal(r.error, undefined);
      assert.ok(ttftOf(r) >= 300, `TTFT ${ttftOf(r)} ms with slow_ttft=300`);
    } finally {
      await slow.close();
    }
    for (const [fault, kind] of [['stream_error', 'stream_error'], ['disconnect', 'disconnect'], ['http_429', 'http_429'], ['stall=2', 'timeout_stall']]) {
      const client = createClient({ api: 'openai-chat', model: 'm', timeouts: { total_ms: 10_000, stall_ms: 300 }, headers: { 'x-llmload-sim-fault': fault } } as Parameters<typeof createClient>[0], sim.url);
      try {
        const r = await client.send(plan('hi', 100));
        assert.equal(r.error?.kind, kind, fault);
      } finally {
        await client.close();
      }
    }
  } finally {
    await sim.close();
  }
});

test('a lone request: TTFT grows with the prompt as the profile prefill cost says (within 10%)', async (t) => {
  const sim = await startSimulator({ profile: engineProfile({}) });
  const client = clientOf(sim);
  try {
    const short = await client.send(plan(text(200, 'a'), 2));
    const long = await client.send(plan(text(4200, 'b'), 2));
    const model = ((4200 - 200) * 100) / 1000; // 400 ms more prefill at 0.1 ms per token
    const measured = ttftOf(long) - ttftOf(short);
    t.diagnostic(`TTFT ${ttftOf(short).toFixed(1)} ms at 200 tokens, ${ttftOf(long).toFixed(1)} ms at 4,200: +${measured.toFixed(1)} ms, model +${model} ms`);
    assert.ok(Math.abs(measured - model) <= 0.1 * model, `TTFT grew by ${measured.toFixed(1)} ms; the model says ${model} ms`);
    assert.ok(ttftOf(short) >= 20 + 20, 'one step of base + 200 prefill tokens');
  } finally {
    await client.close();
    await sim.close();
  }
});

/** Four streams decoding, then a burst of four 8,000-token prompts; returns the decodes' gaps. */
async function burstIntoDecodes(pd: boolean): Promise<number[][]> {
  const sim = await startSimulator({
    profile: engineProfile({ step_ms: 5, prefill_token_us: 50, decode_seq_us: 100, max_num_batched_tokens: 2048, ...(pd ? { pd_prefill: 1, pd_decode: 1 } : {}) }, { answer_tokens: [300, 300] }),
  });
  const client = clientOf(sim);
  try {
    const decodes = Array.from({ length: 4 }, (_, i) => client.send(plan(text(50, `d${i}`))));
    await new Promise((r) => setTimeout(r, 300));
    const burst = Array.from({ length: 4 }, (_, i) => client.send(plan(text(8000, `b${i}`), 1)));
    const done = await Promise.all(decodes);
    await Promise.all(burst);
    for (const r of done) assert.equal(r.error, undefined);
    return done.map(gaps);
  } finally {
    await client.close();
    await sim.close();
  }
}

test('a long-prompt burst into a busy engine stretches the running decodes ITL; with P/D it does not', async (t) => {
  // Each 2,048-token prefill chunk makes a step of 5 + 102 ms; a decode-only step is about 5.4 ms.
  const shared = await burstIntoDecodes(false);
  const split = await burstIntoDecodes(true);
  const slow = (g: number[]) => g.filter((x) => x > 80).length;
  const worst = (gs: number[][]) => Math.max(...gs.flat()).toFixed(0);
  t.diagnostic(`gaps over 80 ms per decode stream: shared ${shared.map(slow).join(',')} (max ${worst(shared)} ms), P/D ${split.map(slow).join(',')} (max ${worst(split)} ms)`);
  for (const g of shared) assert.ok(slow(g) >= 5, `shared engine: ${slow(g)} gaps over 80 ms`);
  for (const g of split) assert.ok(slow(g) <= 1, `P/D: ${slow(g)} gaps over 80 ms`);
});

test('prefix caching on vs off on a shared-prefix workload: cached tokens reported, TTFT cut', async (t) => {
  const prefix = text(4000, 'shared');
  const run = async (caching: boolean) => {
    const sim = await startSimulator({ profile: engineProfile({}, { prefix_caching: caching }) });
    const client = clientOf(sim);
    try {
      const out: StreamResult[] = [];
      for (let i = 0; i < 5; i++) out.push(await client.send(plan(`${prefix} question ${i}: why?`, 2)));
      return out;
    } finally {
      await client.close();
      await sim.close();
    }
  };
  const on = await run(true);
  const off = await run(false);
  const mean = (rs: StreamResult[]) => rs.slice(1).reduce((s, r) => s + ttftOf(r), 0) / (rs.length - 1);
  t.diagnostic(`mean TTFT of requests 2-5: cache on ${mean(on).toFixed(1)} ms, off ${mean(off).toFixed(1)} ms`);
  assert.equal(on[0].usage?.cached_tokens, 0);
  for (const r of on.slice(1)) assert.equal(r.usage?.cached_tokens, 4000, 'the whole 4,000-token prefix (250 blocks) is cached');
  for (const r of off) assert.equal(r.usage?.cached_tokens, 0);
  // Off: 20 + 400 ms of prefill each; on: 20 ms + a few uncached tokens.
  assert.ok(mean(on) < 0.3 * mean(off), `TTFT with cache ${mean(on).toFixed(0)} ms, without ${mean(off).toFixed(0)} ms`);
});

test('speculative decoding raises the token rate and sends several tokens per chunk', async (t) => {
  const run = async (engine: Partial<EngineSpec>) => {
    const sim = await startSimulator({ profile: engineProfile({ step_ms: 10, ...engine }, { answer_tokens: [150, 150] }) });
    const client = clientOf(sim);
    try {
      const r = await client.send(plan('Tell me a long story.'));
      assert.equal(r.error, undefined);
      const t = outputTimes(r);
      return { tokens: r.usage!.completion_tokens!, chunks: r.answer_chunks, rate: (r.usage!.completion_tokens! - 1) / ((t.at(-1)! - t[0]) / 1000) };
    } finally {
      await client.close();
      await sim.close();
    }
  };
  const plain = await run({});
  const spec = await run({ spec_tokens: 3, spec_acceptance: 0.8, spec_draft_ms: 1 });
  t.diagnostic(`plain ${plain.chunks} chunks / ${plain.tokens} tokens at ${plain.rate.toFixed(0)} tok/s; k=3 a=0.8: ${spec.chunks} chunks / ${spec.tokens} tokens at ${spec.rate.toFixed(0)} tok/s`);
  assert.equal(plain.chunks, plain.tokens, 'one token per chunk without speculation');
  assert.equal(spec.tokens, 150);
  // 1 + 0.8 + 0.64 + 0.512 = 2.95 tokens per step on average.
  assert.ok(spec.chunks < 0.6 * spec.tokens, `${spec.chunks} chunks for ${spec.tokens} tokens`);
  assert.ok(spec.rate > 1.8 * plain.rate, `token rate ${spec.rate.toFixed(0)}/s vs ${plain.rate.toFixed(0)}/s`);
});

test('past the KV budget: preemptions appear in /metrics and the TTFT and e2e tails grow', async (t) => {
  const run = async (kvTokens: number) => {
    const sim = await startSimulator({ profile: engineProfile({ step_ms: 5, kv_tokens: kvTokens }, { answer_tokens: [150, 150] }) });
    const client = clientOf(sim);
    try {
      const rs = await Promise.all(Array.from({ length: 16 }, (_, i) => client.send(plan(text(200, `k${i}`)))));
      for (const r of rs) assert.equal(r.error, undefined);
      return { preemptions: await metric(sim, 'vllm:num_preemptions_total'), ttft: Math.max(...rs.map(ttftOf)), e2e: Math.max(...rs.map((r) => r.end_ms)) };
    } finally {
      await client.close();
      await sim.close();
    }
  };
  const roomy = await run(100_000);
  // 16 x (200 + 150) tokens need 5,600; 2,048 hold about six requests at once.
  const tight = await run(2048);
  t.diagnostic(`kv 100k: ${JSON.stringify(roomy)}; kv 2048: ${JSON.stringify(tight)}`);
  assert.equal(roomy.preemptions, 0);
  assert.ok(tight.preemptions > 0, `preemptions ${tight.preemptions}`);
  assert.ok(tight.e2e > 1.5 * roomy.e2e, `max e2e ${tight.e2e.toFixed(0)} vs ${roomy.e2e.toFixed(0)} ms`);
  assert.ok(tight.ttft > 2 * roomy.ttft, `max TTFT ${tight.ttft.toFixed(0)} vs ${roomy.ttft.toFixed(0)} ms`);
});
