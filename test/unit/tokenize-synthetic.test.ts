// Synthetic prompts: exact token lengths by the tokenizer's own count, confirmed by Hugging Face's
// Rust tokenizers; a shared prefix identical across prompts and exactly as long as asked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLED_TOKENIZERS, countPrompt, loadTokenizer, makeSyntheticPrompts, syntheticDatasetPrompts } from '../../src/core/tokenize';
import type { SyntheticDatasetPlan } from '../../src/core/scenario/plan';
import { bundledTokenizerJson, rustIds } from '../fixtures/tokenize/reference';

function contentOf(p: { messages: { content: string }[] }): string {
  assert.equal(p.messages.length, 1);
  return p.messages[0]!.content;
}

for (const name of BUNDLED_TOKENIZERS) {
  describe(`synthetic prompts with ${name}`, () => {
    it('input 1000 gives prompts of exactly 1000 tokens', async () => {
      const tok = await loadTokenizer(name);
      const json = bundledTokenizerJson(name);
      const prompts = makeSyntheticPrompts(tok, { input: 1000, output: 64, count: 5, seed: 7 });
      assert.equal(prompts.length, 5);
      for (const p of prompts) {
        assert.equal((await rustIds(json, contentOf(p))).length, 1000, p.name);
        assert.equal(tok.count(contentOf(p)), 1000);
        assert.equal(p.params.max_tokens, 64);
        assert.equal(p.messages[0]!.role, 'user');
      }
      assert.equal(new Set(prompts.map(contentOf)).size, 5, 'prompts differ');
    });

    it('a shared prefix is identical across prompts and exactly as long as asked', async () => {
      const tok = await loadTokenizer(name);
      const json = bundledTokenizerJson(name);
      const prompts = makeSyntheticPrompts(tok, { input: 1000, output: 16, shared_prefix: 300, count: 4, seed: 11 });
      const ids = await Promise.all(prompts.map(async (p) => rustIds(json, contentOf(p))));
      for (const i of ids) assert.equal(i.length, 1000);
      const head = ids[0]!.slice(0, 300);
      for (const i of ids) assert.deepEqual(i.slice(0, 300), head, 'first 300 token ids are the same');
      // The prefix text: 300 tokens by itself, and every prompt starts with it.
      const prefixText = tok.decode(head);
      assert.equal((await rustIds(json, prefixText)).length, 300);
      for (const p of prompts) assert.ok(contentOf(p).startsWith(prefixText));
      // Past the prefix the prompts diverge (within the next few tokens).
      const differs = ids.slice(1).some((i) => i.slice(300, 310).join() !== ids[0]!.slice(300, 310).join());
      assert.ok(differs, 'prompts differ after the prefix');
    });

    it('measures the templated chat prompt exactly when asked to', async () => {
      const tok = await loadTokenizer(name);
      const json = bundledTokenizerJson(name);
      const prompts = makeSyntheticPrompts(tok, { input: 500, output: 8, shared_prefix: 100, count: 3, seed: 3, measure: 'chat' });
      for (const p of prompts) {
        assert.equal(countPrompt(tok, p).chat, 500);
        assert.equal((await rustIds(json, tok.applyChatTemplate!(p.messages))).length, 500);
      }
    });
  });
}

describe('synthetic prompt specs', () => {
  it('is reproducible with a seed and changes with another seed', async () => {
    const tok = await loadTokenizer('qwen3');
    const a = makeSyntheticPrompts(tok, { input: 200, output: 10, count: 3, seed: 42 });
    const b = makeSyntheticPrompts(tok, { input: 200, output: 10, count: 3, seed: 42 });
    const c = makeSyntheticPrompts(tok, { input: 200, output: 10, count: 3, seed: 43 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.map(contentOf), c.map(contentOf));
  });

  it('draws each length from a range, exactly, within the range', async () => {
    const tok = await loadTokenizer('llama3');
    const prompts = makeSyntheticPrompts(tok, { input: { min: 100, max: 400 }, output: { min: 10, max: 20 }, count: 12, seed: 5 });
    const lengths = prompts.map((p) => tok.count(contentOf(p)));
    for (const n of lengths) assert.ok(n >= 100 && n <= 400, String(n));
    assert.ok(new Set(lengths).size > 1, 'lengths vary');
    for (const p of prompts) assert.ok(p.params.max_tokens! >= 10 && p.params.max_tokens! <= 20);
  });

  it('builds a prompt of exactly 100k tokens', async () => {
    const tok = await loadTokenizer('deepseek-v3');
    const [p] = makeSyntheticPrompts(tok, { input: 100_000, output: 1, shared_prefix: 4096, count: 1, seed: 1 });
    assert.equal((await rustIds(bundledTokenizerJson('deepseek-v3'), contentOf(p!))).length, 100_000);
  });

  it('rejects impossible specs with a clear message', async () => {
    const tok = await loadTokenizer('qwen3');
    assert.throws(() => makeSyntheticPrompts(tok, { input: 100, output: 1, shared_prefix: 200, count: 1, seed: 1 }), /shared_prefix \(200\) is longer than input \(100\)/);
    assert.throws(() => makeSyntheticPrompts(tok, { input: 0, output: 1, count: 1, seed: 1 }), /input must be at least 1 token/);
    assert.throws(() => makeSyntheticPrompts(tok, { input: 1.5, output: 1, count: 1, seed: 1 }), /whole number/);
    assert.throws(() => makeSyntheticPrompts(tok, { input: { min: 10, max: 5 }, output: 1, count: 1, seed: 1 }), /range 10..5 is empty/);
    assert.throws(() => makeSyntheticPrompts(tok, { input: 5, output: 1, count: 1, seed: 1, measure: 'chat' }), /chat template and shared_prefix alone take \d+ tokens/);
  });
});

describe('a scenario\'s synthetic dataset', () => {
  const ds: SyntheticDatasetPlan = {
    kind: 'synthetic',
    name: 'long',
    weight: 2,
    input: { min: 1000, max: 1000 },
    output: { min: 256, max: 256 },
    shared_prefix: 128,
    count: 4,
    params: { temperature: 0, max_tokens: 9 },
    body: { ignore_eos: true },
  };

  it('names its prompts like dataset records, shares the weight, keeps params and body, sets max_tokens', async () => {
    const tok = await loadTokenizer('qwen3');
    const prompts = syntheticDatasetPrompts(tok, ds, { fallbackSeed: 3 });
    assert.deepEqual(prompts.map((p) => p.name), ['long:1', 'long:2', 'long:3', 'long:4']);
    for (const p of prompts) {
      assert.equal(p.weight, 0.5);
      assert.deepEqual(p.params, { temperature: 0, max_tokens: 256 });
      assert.deepEqual(p.body, { ignore_eos: true });
      assert.equal(tok.count(contentOf(p)), 1000);
    }
    // The dataset's own seed wins over the scenario's; without one the scenario's is used.
    assert.deepEqual(syntheticDatasetPrompts(tok, { ...ds, seed: 8 }, { fallbackSeed: 3 }), syntheticDatasetPrompts(tok, { ...ds, seed: 8 }));
    assert.deepEqual(syntheticDatasetPrompts(tok, ds, { fallbackSeed: 3 }), prompts);
    assert.notDeepEqual(syntheticDatasetPrompts(tok, ds, { fallbackSeed: 4 }).map(contentOf), prompts.map(contentOf));
  });
});
