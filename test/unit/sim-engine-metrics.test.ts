// Engine profiles as `builtin:NAME?opt=..` targets (validated while typing), and the simulator's
// Prometheus /metrics read with a real text-format parser: vLLM's names, types and labels, and
// counters that agree with what the llmload client measured over loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createClient } from '../../src/core/protocols/index';
import type { PromptPlan } from '../../src/core/scenario/plan';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { defineProfile, parseProfileOverrides, resolveProfile, startSimulator } from '../../src/core/sim/index';
import { answerAccuracy } from '../../src/core/sim/answers';

interface PromMetric {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
}
const parseProm = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => PromMetric[];

function diags(target: string) {
  const r = parseScenario(`scenario "x"\ntarget ${target}\nload users 1 for 1s\nprompt "p"\n  user hi\n`);
  return [...r.diagnostics, ...resolvePlan(r.tree).diagnostics];
}

test('engine options in the target: parsed, merged into the engine spec, and validated while typing', () => {
  assert.deepEqual(parseProfileOverrides('replicas=2&router=prefix-aware&pd=1:3&quantization=fp8&spec_tokens=3&tp=2').engine, {
    replicas: 2,
    router: 'prefix-aware',
    pd_prefill: 1,
    pd_decode: 3,
    quantization: 'fp8',
    spec_tokens: 3,
    tp: 2,
  });
  const p = resolveProfile('llama3-8b-h100?quantization=int4&max_num_seqs=64');
  assert.equal(p.engine?.quantization, 'int4');
  assert.equal(p.engine?.max_num_seqs, 64);
  assert.equal(p.engine?.step_ms, 6, 'the rest of the spec is the named profile');
  // The quantization's accuracy factor scales the share of known-answer questions answered right (sim/answers.ts).
  assert.equal(answerAccuracy(p), 0.9 * 0.97);
  assert.equal(answerAccuracy(resolveProfile('llama3-8b-h100')), 0.9);
  assert.equal(answerAccuracy(resolveProfile('llama3-8b-h100-fp8')), 0.9 * 0.995);
  assert.equal(answerAccuracy(resolveProfile('llama3-8b-h100?quantization=int4&accuracy=0.8')), 0.8 * 0.97);
  assert.equal(resolveProfile('chat').engine, undefined, 'the fast profiles stay on the simple model');

  assert.deepEqual(diags('builtin:llama3-8b-h100?replicas=2&router=round-robin'), []);
  assert.deepEqual(diags('builtin:llama3-70b-h100x4?pd=1:1&kv_tokens=4096'), []);
  const cases: [string, RegExp][] = [
    ['builtin:llama3-8b-h100?router=random', /router=random: must be one of round-robin, least-loaded, prefix-aware/],
    ['builtin:llama3-8b-h100?quantization=fp4', /quantization=fp4: must be one of bf16, fp8, int8, int4/],
    ['builtin:llama3-8b-h100?pd=2', /pd=2: must be PREFILL:DECODE engine counts like 1:1/],
    ['builtin:llama3-8b-h100?replicas=0', /replicas must be > 0/],
    ['builtin:llama3-8b-h100?spec_acceptance=1.5', /spec_acceptance must be 0\.\.1/],
    ['builtin:llama3-70b-h100x4?tp=1', /no memory left for the KV cache: 141 GB of weights do not fit 1 GPU\(s\) of 80 GB; raise tp, quantize, or set kv_tokens/],
    ['builtin:chat?replicas=2', /engine options \(replicas\) need an engine profile: llama3-8b-h100/],
  ];
  for (const [target, message] of cases) {
    const [d] = diags(target);
    assert.ok(d, `${target}: a diagnostic`);
    assert.match(d.message, message, target);
  }
});

const prompt = (text: string, max_tokens = 200): PromptPlan => ({ name: 'p', weight: 1, messages: [{ role: 'user', content: text }], params: { max_tokens } });

test('/metrics: vLLM names and types with model_name and engine labels; counters equal the run totals', async () => {
  const profile = defineProfile('llama3-8b-h100', {
    answer_tokens: [20, 60],
    engine: { step_ms: 2, prefill_token_us: 10, decode_seq_us: 50, kv_tokens: 20_000, spec_tokens: 2, spec_acceptance: 0.6 },
  });
  const sim = await startSimulator({ profile, seed: 3 });
  const client = createClient({ api: 'openai-chat', model: 'm', timeouts: { total_ms: 20_000 }, headers: {} } as Parameters<typeof createClient>[0], sim.url);
  try {
    const shared = 'You are a careful assistant who answers in full sentences. '.repeat(12);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.send(prompt(`${i % 3 === 0 ? shared : ''}Question number ${i}: what is ${i} squared?`))),
    );
    for (const r of results) assert.equal(r.error, undefined, r.error?.message);
    // Repeat the shared-prefix requests so some hit the prefix cache.
    const again = await Promise.all([0, 3].map((i) => client.send(prompt(`${shared}Question number ${i}: what is ${i} squared?`))));
    const all = [...results, ...again];

    const res = await fetch(sim.url.replace(/\/v1$/, '/metrics'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const parsed = parseProm(await res.text());
    const byName = new Map(parsed.map((m) => [m.name, m]));
    const sum = (name: string): number => byName.get(name)!.metrics.reduce((s, m) => s + Number(m.value), 0);

    const types: [string, string][] = [
      ['vllm:num_requests_running', 'GAUGE'],
      ['vllm:num_requests_waiting', 'GAUGE'],
      ['vllm:kv_cache_usage_perc', 'GAUGE'],
      ['vllm:num_preemptions_total', 'COUNTER'],
      ['vllm:prefix_cache_queries_total', 'COUNTER'],
      ['vllm:prefix_cache_hits_total', 'COUNTER'],
      ['vllm:prompt_tokens_total', 'COUNTER'],
      ['vllm:generation_tokens_total', 'COUNTER'],
      ['vllm:spec_decode_num_drafts_total', 'COUNTER'],
      ['vllm:spec_decode_num_draft_tokens_total', 'COUNTER'],
      ['vllm:spec_decode_num_accepted_tokens_total', 'COUNTER'],
      ['vllm:spec_decode_num_accepted_tokens_per_pos_total', 'COUNTER'],
      ['vllm:time_to_first_token_seconds', 'HISTOGRAM'],
      ['vllm:inter_token_latency_seconds', 'HISTOGRAM'],
      ['vllm:e2e_request_latency_seconds', 'HISTOGRAM'],
      ['vllm:request_queue_time_seconds', 'HISTOGRAM'],
      ['vllm:request_prefill_time_seconds', 'HISTOGRAM'],
      ['vllm:request_decode_time_seconds', 'HISTOGRAM'],
    ];
    for (const [name, type] of types) assert.equal(byName.get(name)?.type, type, name);
    assert.deepEqual(byName.get('vllm:num_requests_running')!.metrics[0].labels, { model_name: 'meta-llama/Llama-3.1-8B-Instruct', engine: '0' });
    assert.equal(sum('vllm:num_requests_running') + sum('vllm:num_requests_waiting'), 0, 'all done');

    const usage = (k: 'prompt_tokens' | 'completion_tokens' | 'cached_tokens') => all.reduce((s, r) => s + (r.usage?.[k] ?? 0), 0);
    assert.equal(sum('vllm:prompt_tokens_total'), usage('prompt_tokens'));
    assert.equal(sum('vllm:generation_tokens_total'), usage('completion_tokens'));
    assert.equal(sum('vllm:prefix_cache_hits_total'), usage('cached_tokens'));
    assert.ok(usage('cached_tokens') > 0, 'the repeated prefixes hit the cache');
    assert.equal(sum('vllm:prefix_cache_queries_total'), usage('prompt_tokens'));
    assert.equal(sum('vllm:request_success_total'), all.length);
    // (This parser keeps a labelled histogram's buckets but drops its _sum and _count; the +Inf bucket is the count.)
    const observations = (name: string): number => Number(byName.get(name)!.metrics[0].buckets!['+Inf']);
    assert.equal(observations('vllm:time_to_first_token_seconds'), all.length);
    assert.equal(observations('vllm:e2e_request_latency_seconds'), all.length);
    // One ITL observation per stream chunk after the first: chunks = output packets.
    const chunks = all.reduce((s, r) => s + r.answer_chunks + r.thinking_chunks, 0);
    assert.equal(observations('vllm:inter_token_latency_seconds'), chunks - all.length);
    // Speculative decoding: accepted tokens plus one per draft step make up the decoded tokens.
    const drafts = sum('vllm:spec_decode_num_drafts_total');
    assert.equal(sum('vllm:spec_decode_num_draft_tokens_total'), 2 * drafts);
    assert.equal(sum('vllm:spec_decode_num_accepted_tokens_per_pos_total'), sum('vllm:spec_decode_num_accepted_tokens_total'));
  } finally {
    await client.close();
    await sim.close();
  }
});

test('/metrics with replicas and P/D pools: one series per engine, labelled by engine', async () => {
  const sim = await startSimulator({ profile: 'llama3-8b-h100?pd=1:2&kv_tokens=4096' });
  try {
    const parsed = parseProm(await (await fetch(sim.url.replace(/\/v1$/, '/metrics'))).text());
    const usage = parsed.find((m) => m.name === 'vllm:kv_cache_usage_perc')!;
    assert.deepEqual(usage.metrics.map((m) => m.labels?.engine), ['prefill-0', 'decode-0', 'decode-1']);
    assert.ok(usage.metrics.every((m) => m.labels?.model_name === 'meta-llama/Llama-3.1-8B-Instruct' && m.value === '0'));
  } finally {
    await sim.close();
  }
});

test('/metrics on a profile without an engine serves the slot queue only: no KV cache or engine histograms', async () => {
  const sim = await startSimulator({ profile: 'chat' });
  try {
    const res = await fetch(sim.url.replace(/\/v1$/, '/metrics'));
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^vllm:num_requests_running\{model_name="[^"]+"\} 0$/m);
    assert.match(text, /^vllm:num_requests_waiting\{/m);
    assert.doesNotMatch(text, /kv_cache_usage_perc|time_to_first_token_seconds|num_preemptions/);
  } finally {
    await sim.close();
  }
});
