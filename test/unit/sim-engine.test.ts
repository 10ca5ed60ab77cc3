// The engine model on a virtual clock (no real timers): step costs, chunked prefill, preemption,
// prefix caching with LRU eviction, P/D transfer, speculative decoding, routers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualTimer } from '../../src/core/sim/engine/clock';
import { kvBudgetTokens, resolveCost, stepMs, type EngineSpec } from '../../src/core/sim/engine/cost-model';
import { Deployment } from '../../src/core/sim/engine/deployment';
import { KvCache } from '../../src/core/sim/engine/kv-cache';
import { LLAMA3_70B_H100X4, LLAMA3_8B_H100 } from '../../src/core/sim/engine/options';
import { expectedTokensPerStep } from '../../src/core/sim/engine/speculative';

/** A spec with round numbers: 10 ms per step, 0.1 ms per prefill token, 1 ms per decode, no KV read cost. */
function spec(over: Partial<EngineSpec> = {}): EngineSpec {
  return {
    ...LLAMA3_8B_H100,
    step_ms: 10,
    prefill_token_us: 100,
    decode_seq_us: 1000,
    kv_token_ns: 0,
    kv_tokens: 100_000,
    max_num_batched_tokens: 1000,
    max_num_seqs: 64,
    ...over,
  };
}

interface Trace {
  emits: { at: number; n: number }[];
  done: boolean;
  error?: string;
}

function setup(over: Partial<EngineSpec> = {}, prefixCaching = true) {
  const timer = new VirtualTimer();
  const d = new Deployment(spec(over), timer, { seed: 1, prefixCaching });
  const submit = (promptTokens: number, maxOutput: number, keys: number[] = []) => {
    const trace: Trace = { emits: [], done: false };
    const handle = d.submit({
      promptTokens,
      keys,
      maxOutput,
      sink: {
        tokens: (n) => trace.emits.push({ at: d.clock.now(), n }),
        done: (error) => {
          trace.done = true;
          trace.error = error;
        },
      },
    });
    return { trace, handle };
  };
  return { timer, d, submit };
}

const total = (t: Trace): number => t.emits.reduce((s, e) => s + e.n, 0);
const keysOf = (prefix: number, blocks: number): number[] => Array.from({ length: blocks }, (_, i) => prefix * 1000 + i);

test('step time is base + prefill tokens + decode sequences + context read, scaled by quantization and tp', () => {
  const c = resolveCost(spec({ kv_token_ns: 1000 }));
  assert.equal(stepMs(c, { prefillTokens: 100, decodeSeqs: 0, contextTokens: 0 }), 10 + 10);
  assert.equal(stepMs(c, { prefillTokens: 0, decodeSeqs: 5, contextTokens: 1000 }), 10 + 5 + 1);
  const fp8 = resolveCost(spec({ quantization: 'fp8' }));
  assert.ok(fp8.baseMs < c.baseMs && fp8.prefillTokenMs < c.prefillTokenMs);
  const tp4 = resolveCost(spec({ tp: 4, tp_comm_ms: 1 }));
  assert.equal(tp4.baseMs, 10 / 4 + 1);
  // KV budget: FP8 halves weights and KV bytes, so more tokens fit; 70B BF16 needs tp 4.
  assert.ok(kvBudgetTokens({ ...LLAMA3_8B_H100, quantization: 'fp8' }) > 2 * kvBudgetTokens(LLAMA3_8B_H100));
  assert.ok(kvBudgetTokens({ ...LLAMA3_70B_H100X4, tp: 1 }) < 0);
  assert.ok(kvBudgetTokens(LLAMA3_70B_H100X4) > 100_000);
});

test('a lone request: TTFT is one prefill step, each later token one decode step', () => {
  const { timer, submit } = setup();
  const { trace } = submit(500, 4);
  timer.runUntilIdle();
  assert.deepEqual(
    trace.emits.map((e) => e.at),
    [10 + 50, 60 + 11, 71 + 11, 82 + 11],
  );
  assert.equal(trace.done, true);
});

test('chunked prefill: a long prompt is split by max_num_batched_tokens and the first token comes after the last chunk', () => {
  const { timer, d, submit } = setup({ max_num_batched_tokens: 1000 });
  const { trace } = submit(2500, 2);
  timer.runUntilIdle();
  // 1000 + 1000 + 500 prefill tokens: (10 + 100) * 2 + (10 + 50).
  assert.equal(trace.emits[0].at, 280);
  assert.equal(d.engines[0].steps, 3 + 1);
  assert.equal(d.engines[0].metrics.promptTokens, 2500);
});

test('a decode that shares a step with a prefill chunk is slowed by it (the interference P/D removes)', () => {
  const { timer, submit } = setup({ max_num_batched_tokens: 2048 });
  const a = submit(10, 50);
  timer.advance(100); // a is decoding: 11 ms per token
  const gapsBefore = a.trace.emits.slice(2).map((e, i) => e.at - a.trace.emits[i + 1].at);
  assert.ok(gapsBefore.every((g) => Math.abs(g - 11) < 1e-9));
  const b = submit(2000, 1);
  timer.runUntilIdle();
  const joined = a.trace.emits.findIndex((e) => e.at > b.trace.emits[0].at - 1e-9);
  const gap = a.trace.emits[joined].at - a.trace.emits[joined - 1].at;
  // The step carrying b's 2000-token prefill also carried a's decode: 10 + 200 + 1 ms.
  assert.ok(gap >= 200, `ITL during the prefill was ${gap} ms`);
  assert.equal(total(a.trace), 50);
});

test('max_num_seqs bounds the running batch; the rest wait', () => {
  const { timer, d, submit } = setup({ max_num_seqs: 2 });
  const r = [submit(10, 5), submit(10, 5), submit(10, 5)];
  timer.advance(5);
  assert.equal(d.engines[0].numRunning, 2);
  assert.equal(d.engines[0].numWaiting, 1);
  timer.runUntilIdle();
  assert.ok(r[2].trace.emits[0].at > r[0].trace.emits[4].at - 1e-9, 'the third starts when one of the first two finishes');
  assert.ok(r.every((x) => x.trace.done && total(x.trace) === 5));
});

test('KV cache full: the newest running request is preempted, recomputed later, and counted', () => {
  // 20 blocks of 16 = 320 tokens; three requests of 64 prompt + 100 output tokens cannot all fit.
  const { timer, d, submit } = setup({ kv_tokens: 320, max_num_batched_tokens: 4096 });
  const r = [submit(64, 100), submit(64, 100), submit(64, 100)];
  timer.runUntilIdle();
  const m = d.engines[0].metrics;
  assert.ok(m.preemptions >= 1, `preemptions ${m.preemptions}`);
  assert.equal(r[0].handle.preemptions, 0, 'the oldest request is never the victim');
  assert.ok(r[2].handle.preemptions >= 1, 'the newest is');
  assert.ok(r.every((x) => x.trace.done && total(x.trace) === 100));
  assert.equal(m.generationTokens, 300);
  // Recompute: prefill processed more than the prompts alone.
  assert.equal(d.engines[0].kv.usage(), 0);
});

test('a request that outgrows the whole KV cache alone is ended there, and the queue goes on', () => {
  // 20 blocks = 320 tokens; A wants 16 + 400.
  const { timer, submit } = setup({ kv_tokens: 320 });
  const a = submit(16, 400);
  timer.advance(280 * 11); // A holds about 19 of the 20 blocks
  const b = submit(100, 20); // needs 7 blocks: waits (a waiting request never preempts)
  timer.advance(50);
  assert.equal(b.trace.emits.length, 0);
  timer.runUntilIdle();
  assert.equal(a.trace.done, true);
  assert.ok(total(a.trace) < 400 && total(a.trace) >= 300 - 16, `A sent ${total(a.trace)}`);
  assert.equal(b.trace.done, true);
  assert.equal(total(b.trace), 20);
});

test('prefix cache: a repeated prefix is not prefilled again and is reported as cached tokens', () => {
  const { timer, d, submit } = setup();
  const keys = keysOf(1, 10); // 160 tokens in 10 full blocks
  const a = submit(170, 1, keys);
  timer.runUntilIdle();
  const b = submit(170, 1, keys);
  const startB = d.clock.now();
  timer.runUntilIdle();
  assert.equal(a.handle.cachedTokens, 0);
  assert.equal(b.handle.cachedTokens, 160);
  assert.equal(b.trace.emits[0].at - startB, 10 + 1, 'only the 10 uncached tokens are prefilled');
  const m = d.engines[0].metrics;
  assert.equal(m.prefixQueries, 340);
  assert.equal(m.prefixHits, 160);
});

test('prefix cache off: nothing is reused', () => {
  const { timer, submit } = setup({}, false);
  const keys = keysOf(1, 10);
  submit(170, 1, keys);
  timer.runUntilIdle();
  const b = submit(170, 1, keys);
  timer.runUntilIdle();
  assert.equal(b.handle.cachedTokens, 0);
});

test('prefix cache: least recently used blocks are evicted first when room is needed', () => {
  // 12 blocks: a 4-block prefix A, then B, then C; D needs room and evicts A's blocks (used longest ago).
  const { timer, submit } = setup({ kv_tokens: 12 * 16 });
  // Each prompt takes 4 keyed blocks + 1 partial one.
  const run = (p: number, blocks = 4) => {
    const x = submit(blocks * 16 + 1, 1, keysOf(p, blocks));
    timer.runUntilIdle();
    return x.handle.cachedTokens;
  };
  run(1);
  run(2);
  assert.equal(run(1), 64, 'A is reused and becomes the most recently used');
  run(3); // 4 plain blocks + evicts the LRU block: B's tail
  run(4, 2); // 1 plain block + evicts two more of B's, tail first
  assert.equal(run(1), 64, 'A, used more recently, survived');
  assert.equal(run(2), 16, 'B lost its last three blocks; its head block is still cached');
});

test('KvCache: hits take blocks back from the free list; release puts tails first in line for eviction', () => {
  const kv = new KvCache(4, true);
  const blocks = kv.allocate(2)!;
  kv.register(blocks[0], 11);
  kv.register(blocks[1], 12);
  kv.release(blocks);
  assert.equal(kv.freeBlocks, 4);
  assert.equal(kv.usage(), 0);
  assert.deepEqual(kv.acquireHits([11, 12, 13], 3), blocks);
  assert.equal(kv.usage(), 0.5);
  kv.release(blocks);
  kv.allocate(3); // 2 plain + evicts the LRU cached block, which is the tail (12)
  assert.equal(kv.has(11), true);
  assert.equal(kv.has(12), false);
  assert.equal(kv.allocate(2), undefined, 'not enough free: nothing taken');
  assert.equal(kv.freeBlocks, 1);
});

test('P/D: prefill on one engine, KV transferred, decode on another whose steps carry no prefill', () => {
  const { timer, d, submit } = setup({ pd_prefill: 1, pd_decode: 1, kv_transfer_ms: 2, kv_transfer_token_us: 10 });
  const a = submit(10, 30);
  timer.advance(60);
  const decode = d.decodePool[0];
  const b = submit(1000, 3);
  const widths: number[] = [];
  const t0 = d.clock.now();
  while (!b.trace.done) {
    timer.advance(1);
    if (decode.lastStep && decode.lastStep.prefillTokens > 0) widths.push(decode.lastStep.prefillTokens);
  }
  timer.runUntilIdle();
  assert.deepEqual(widths, [], 'the decode engine never batched a prefill chunk');
  // b: prefill step 10 + 100 ms, transfer 2 + 1000 x 0.01 ms, then its first decode step on the decode engine.
  const ttft = b.trace.emits[0].at - t0;
  assert.ok(ttft >= 110 + 12, `TTFT ${ttft}`);
  assert.ok(ttft <= 110 + 12 + 2 * 12, `TTFT ${ttft}`);
  assert.equal(d.prefillPool[0].metrics.promptTokens, 1010);
  assert.equal(d.prefillPool[0].metrics.generationTokens, 0);
  assert.equal(decode.metrics.generationTokens, 33);
  // a's decode gaps stay at one decode step of a batch of at most 2, never a prefill.
  const gaps = a.trace.emits.slice(1).map((e, i) => e.at - a.trace.emits[i].at);
  assert.ok(Math.max(...gaps) <= 10 + 2 + 1e-9, `largest gap ${Math.max(...gaps)}`);
  assert.equal(total(a.trace), 30);
});

test('speculative decoding: each decode step emits 1..k+1 tokens, about (1 - a^(k+1)) / (1 - a) on average', () => {
  const { timer, d, submit } = setup({ spec_tokens: 3, spec_acceptance: 0.7, spec_draft_ms: 0.5 });
  const r = submit(10, 2000);
  timer.runUntilIdle();
  const sizes = r.trace.emits.slice(1, -1).map((e) => e.n);
  assert.ok(sizes.every((n) => n >= 1 && n <= 4));
  assert.ok(sizes.some((n) => n > 1), 'some steps carry several tokens');
  const mean = sizes.reduce((s, n) => s + n, 0) / sizes.length;
  assert.ok(Math.abs(mean - expectedTokensPerStep(3, 0.7)) < 0.15, `mean ${mean}`);
  assert.equal(total(r.trace), 2000);
  const m = d.engines[0].metrics;
  assert.equal(m.specDraftTokens, 3 * m.specDrafts);
  assert.equal(m.specAcceptedPerPos.reduce((s, n) => s + n, 0), m.specAccepted);
  assert.ok(m.specAcceptedPerPos[0] >= m.specAcceptedPerPos[1] && m.specAcceptedPerPos[1] >= m.specAcceptedPerPos[2]);
  // Faster than without: fewer, slightly longer steps.
  const plain = setup();
  const p = plain.submit(10, 2000);
  plain.timer.runUntilIdle();
  assert.ok(r.trace.emits.at(-1)!.at < 0.6 * p.trace.emits.at(-1)!.at);
});

test('routers: round-robin takes turns, least-loaded picks the emptiest, prefix-aware follows the cache', () => {
  const rr = setup({ replicas: 3, router: 'round-robin' });
  for (let i = 0; i < 6; i++) rr.submit(10, 100);
  assert.deepEqual(rr.d.engines.map((e) => e.load), [2, 2, 2]);

  const ll = setup({ replicas: 2, router: 'least-loaded' });
  ll.submit(10, 100);
  ll.submit(10, 100);
  ll.submit(10, 100);
  assert.deepEqual(ll.d.engines.map((e) => e.load), [2, 1]);

  const pa = setup({ replicas: 3, router: 'prefix-aware' });
  const keys = keysOf(7, 8);
  pa.submit(200, 1, keys);
  pa.timer.runUntilIdle();
  const holder = pa.d.engines.findIndex((e) => e.metrics.promptTokens > 0);
  pa.submit(10, 100); // load elsewhere does not matter when one engine holds the prefix
  const again = pa.submit(200, 1, keys);
  pa.timer.runUntilIdle();
  assert.equal(again.handle.cachedTokens, 128);
  assert.equal(pa.d.engines[holder].metrics.prefixHits, 128);
});

test('a client that leaves frees its blocks at once and the engine goes on', () => {
  const { timer, d, submit } = setup();
  const a = submit(100, 1000);
  const b = submit(100, 10);
  timer.advance(50);
  a.handle.cancel();
  assert.equal(d.engines[0].numRunning, 1);
  timer.runUntilIdle();
  assert.equal(b.trace.done, true);
  assert.equal(a.trace.done, false);
  assert.equal(d.engines[0].kv.usage(), 0);
});

test('one clock event per step: 2,000 streams need no timer per stream', () => {
  const { timer, d, submit } = setup({ max_num_seqs: 256, max_num_batched_tokens: 8192 });
  const all = Array.from({ length: 2000 }, () => submit(50, 20));
  assert.ok(d.clock.pending <= 1);
  timer.runUntilIdle();
  assert.ok(all.every((x) => x.trace.done));
  assert.ok(d.engines[0].steps < 2000, `steps ${d.engines[0].steps}`);
});
