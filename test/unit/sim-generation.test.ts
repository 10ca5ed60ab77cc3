// The simulator's response planning (pure): lengths, caps, chunking, jitter bounds, profiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { estimatePromptTokens, planGeneration, type SimRequest } from '../../src/core/sim/generation';
import { PROFILES, defineProfile, resolveProfile } from '../../src/core/sim/profiles';
import { createRng } from '../../src/core/sim/random';

const request = (over: Partial<SimRequest> = {}): SimRequest => ({
  promptText: 'What is the capital of France?',
  stream: true,
  includeUsage: false,
  thinking: true,
  ...over,
});

test('prompt tokens are ceil(characters / 4), at least 1', () => {
  assert.equal(estimatePromptTokens(''), 1);
  assert.equal(estimatePromptTokens('abcd'), 1);
  assert.equal(estimatePromptTokens('abcde'), 2);
  assert.equal(estimatePromptTokens('x'.repeat(400)), 100);
});

test('a max_tokens cap only cuts the same output shorter, thinking first', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 200 }), fc.boolean(), (seed, cap, tags) => {
      const profile = PROFILES.reasoning;
      const full = planGeneration({ profile, request: request(), rng: createRng(seed), thinkTags: tags });
      const cut = planGeneration({ profile, request: request({ maxTokens: cap }), rng: createRng(seed), thinkTags: tags });
      const total = full.thinkingTokens + full.answerTokens;
      assert.equal(cut.thinkingTokens + cut.answerTokens, Math.min(cap, total));
      assert.ok(full.thinkingText.startsWith(cut.thinkingText));
      assert.ok(full.answerText.startsWith(cut.answerText));
      assert.equal(cut.finishReason, cap < total ? 'length' : 'stop');
      if (cap < full.thinkingTokens) {
        assert.equal(cut.answerTokens, 0);
        assert.equal(cut.thinkingClosed, false);
      }
      if (tags) assert.equal(cut.thinkingText.endsWith('</think>'), cut.thinkingClosed);
    }),
    { numRuns: 300 },
  );
});

test('lengths stay in the profile ranges; chunks never mix phases and carry every token', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 5 }), (seed, perChunk) => {
      const profile = defineProfile('reasoning', { tokens_per_chunk: perChunk });
      const g = planGeneration({ profile, request: request(), rng: createRng(seed), thinkTags: false });
      assert.ok(g.thinkingTokens >= 24 && g.thinkingTokens <= 64);
      assert.ok(g.answerTokens >= 16 && g.answerTokens <= 56);
      const sum = (phase: string) => g.chunks.filter((c) => c.phase === phase).reduce((n, c) => n + c.tokens, 0);
      assert.equal(sum('thinking'), g.thinkingTokens);
      assert.equal(sum('answer'), g.answerTokens);
      assert.ok(g.chunks.every((c) => c.tokens >= 1 && c.tokens <= perChunk));
      const firstAnswer = g.chunks.findIndex((c) => c.phase === 'answer');
      assert.ok(g.chunks.slice(firstAnswer).every((c) => c.phase === 'answer'));
      assert.equal(g.chunks.map((c) => c.text).join(''), g.thinkingText + g.answerText);
    }),
    { numRuns: 200 },
  );
});

test('decode delays stay within the jitter band; the first token costs no decode time', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.double({ min: 0, max: 0.9, noNaN: true }), (seed, jitter) => {
      const profile = defineProfile('chat', { jitter, decode_tokens_per_s: 50 });
      const g = planGeneration({ profile, request: request(), rng: createRng(seed), thinkTags: false });
      assert.equal(g.chunks[0].delayMs, 0);
      for (const c of g.chunks.slice(1)) {
        assert.ok(c.delayMs >= 20 * (1 - jitter) - 1e-9 && c.delayMs <= 20 * (1 + jitter) + 1e-9);
      }
    }),
    { numRuns: 200 },
  );
});

test('prefill time is overhead plus prompt tokens over the prefill rate; slow_ttft adds to it', () => {
  const profile = defineProfile('chat', { overhead_ms: 10, prefill_tokens_per_s: 1000 });
  const g = planGeneration({ profile, request: request({ promptText: 'x'.repeat(800) }), rng: createRng(1), thinkTags: false });
  assert.equal(g.promptTokens, 200);
  assert.equal(g.prefillMs, 210);
  const slow = planGeneration({ profile, request: request({ promptText: 'x'.repeat(800) }), rng: createRng(1), thinkTags: false, fault: 'slow_ttft', faultArg: 500 });
  assert.equal(slow.prefillMs, 710);
});

test('thinking turned off by the request gives no thinking tokens', () => {
  const g = planGeneration({ profile: PROFILES.reasoning, request: request({ thinking: false }), rng: createRng(4), thinkTags: false });
  assert.equal(g.thinkingTokens, 0);
  assert.ok(g.answerTokens > 0);
});

test('think_tags_omit_open leaves out the opening tag but keeps the closing one', () => {
  const profile = defineProfile('reasoning', { think_tags_omit_open: true });
  const g = planGeneration({ profile, request: request(), rng: createRng(4), thinkTags: true });
  assert.ok(!g.thinkingText.includes('<think>'));
  assert.ok(g.thinkingText.endsWith('</think>'));
});

test('bad profiles are rejected with every problem named', () => {
  assert.throws(
    () => defineProfile('chat', { decode_tokens_per_s: 0, answer_tokens: [5, 2], jitter: 2, fault_rates: { boom: 0.1 } as never }),
    (e: Error) =>
      /decode_tokens_per_s/.test(e.message) && /answer_tokens/.test(e.message) && /jitter/.test(e.message) && /unknown fault "boom"/.test(e.message),
  );
  assert.throws(() => resolveProfile('gpu'), /known profiles: chat, reasoning/);
  // A partial object is completed from the chat profile.
  assert.equal(resolveProfile({ name: 'mine', decode_tokens_per_s: 5 } as never).prefill_tokens_per_s, PROFILES.chat.prefill_tokens_per_s);
});

test('a profile name may carry changes as a query string', () => {
  const p = resolveProfile('reasoning?decode_tokens_per_s=20&thinking_tokens=5-9&answer_tokens=7&think_tags_split=true&reasoning_format=think_tags&fault.reset=0.05');
  assert.equal(p.name, 'reasoning');
  assert.equal(p.decode_tokens_per_s, 20);
  assert.deepEqual(p.thinking_tokens, [5, 9]);
  assert.deepEqual(p.answer_tokens, [7, 7]);
  assert.equal(p.think_tags_split, true);
  assert.equal(p.reasoning_format, 'think_tags');
  assert.deepEqual(p.fault_rates, { reset: 0.05 });
  assert.equal(p.prefill_tokens_per_s, PROFILES.reasoning.prefill_tokens_per_s);
  assert.equal(PROFILES.reasoning.decode_tokens_per_s, 60, 'the built-in profile is not changed');
  assert.throws(() => resolveProfile('chat?speed=3'), /unknown simulator profile option "speed"; known options: .*decode_tokens_per_s/);
  assert.throws(() => resolveProfile('chat?fault.boom=0.1'), /unknown fault/);
  assert.throws(() => resolveProfile('chat?jitter=lots'), /must be a number/);
  assert.throws(() => resolveProfile('chat?reasoning_format=xml'), /reasoning_format must be one of/);
  assert.throws(() => resolveProfile('nope?jitter=0'), /unknown simulator profile "nope"/);
});

test('the prefix cache hits only leading blocks whose whole preceding text matches', async () => {
  const { PrefixCache } = await import('../../src/core/sim/prefix-cache');
  const cache = new PrefixCache();
  const a = 'a'.repeat(64 * 3) + 'tail';
  assert.equal(cache.lookupAndInsert(a, 49), 0);
  assert.equal(cache.lookupAndInsert(a + ' more', 50), 48, 'three blocks of 16 tokens');
  assert.equal(cache.lookupAndInsert('b' + a, 50), 0, 'a different first character changes every block after it');
  assert.equal(cache.lookupAndInsert('a'.repeat(64), 16), 15, 'at least one token is always computed');
  const g = planGeneration({ profile: defineProfile('chat', { overhead_ms: 0, prefill_tokens_per_s: 1000 }), request: request({ promptText: 'x'.repeat(400) }), rng: createRng(1), thinkTags: false, cachedTokens: 64 });
  assert.equal(g.cachedTokens, 64);
  assert.equal(g.prefillMs, 36, '100 prompt tokens, 64 cached: 36 prefilled at 1000 tokens/s');
  const small = new PrefixCache(2);
  small.lookupAndInsert('c'.repeat(64 * 2), 32);
  small.lookupAndInsert('d'.repeat(64), 16);
  assert.equal(small.lookupAndInsert('c'.repeat(64 * 2), 32), 0, 'a full cache starts over');
});
