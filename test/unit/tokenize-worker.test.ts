// The tokenization worker: same answers as counting in place, errors carried over with their
// code, and the calling event loop keeps running while a long prompt is counted.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TokenizeClient, TokenizerError, countPrompt, loadTokenizer, makeSyntheticPrompts, syntheticDatasetPrompts } from '../../src/core/tokenize';
import { workerEntry } from '../../src/core/tokenize/client';

const client = new TokenizeClient();
after(() => client.close());

const PROMPTS = [
  { messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Capital of France?' }] },
  { messages: [{ role: 'user' as const, content: '你好 👍 def f(x): return x' }] },
];

describe('TokenizeClient', () => {
  it('runs the TypeScript worker from sources, and the bundled one when it sits next to the code', () => {
    const fromSources = workerEntry();
    assert.equal(path.basename(fromSources.file), 'worker.ts');
    assert.equal(fromSources.typescript, true);
    const dist = mkdtempSync(path.join(os.tmpdir(), 'llmload-dist-'));
    try {
      writeFileSync(path.join(dist, 'tokenize-worker.js'), '');
      assert.deepEqual(workerEntry(dist), { file: path.join(dist, 'tokenize-worker.js') });
      assert.throws(() => workerEntry(path.join(dist, 'nowhere')), /tokenization worker is missing/);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });

  it('answers as counting in place does', async () => {
    const tok = await loadTokenizer('qwen3');
    const info = await client.load('qwen3');
    assert.deepEqual(info, { name: 'qwen3', source: 'bundled', location: tok.location, modelMaxLength: 131072, hasChatTemplate: true });
    assert.deepEqual(await client.count('qwen3', ['hello world', '你好', '']), [tok.count('hello world'), tok.count('你好'), 0]);
    assert.deepEqual(await client.countPrompts('qwen3', PROMPTS), PROMPTS.map((p) => countPrompt(tok, p)));
    const spec = { input: 300, output: 20, shared_prefix: 50, count: 3, seed: 9 };
    assert.deepEqual(await client.synthetic('qwen3', spec), makeSyntheticPrompts(tok, spec));
    const ds = {
      kind: 'synthetic' as const,
      name: 'd',
      weight: 1,
      input: { min: 50, max: 80 },
      output: { min: 5, max: 5 },
      shared_prefix: 0,
      count: 2,
      params: {},
    };
    assert.deepEqual(await client.syntheticDataset('qwen3', ds, 7), syntheticDatasetPrompts(tok, ds, { fallbackSeed: 7 }));
  });

  it('answers many requests in flight, each to its caller', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => 'word '.repeat(i + 1));
    const answers = await Promise.all(texts.map((t) => client.count('llama3', [t])));
    const tok = await loadTokenizer('llama3');
    assert.deepEqual(answers, texts.map((t) => [tok.count(t)]));
  });

  it('carries a load error back with its code', async () => {
    const hub = mkdtempSync(path.join(os.tmpdir(), 'llmload-hub-'));
    try {
      await assert.rejects(client.count('acme/none', ['x'], { hfCacheDir: hub }), (e: unknown) => {
        assert.ok(e instanceof TokenizerError);
        assert.equal(e.code, 'needs-download');
        assert.match(e.message, /not in the Hugging Face cache/);
        return true;
      });
      await assert.rejects(client.synthetic('qwen3', { input: 5, output: 1, shared_prefix: 9, count: 1, seed: 1 }), /shared_prefix \(9\) is longer than input \(5\)/);
    } finally {
      rmSync(hub, { recursive: true, force: true });
    }
  });

  it('keeps the calling event loop free while it loads and counts a 100k-token prompt', async () => {
    const fresh = new TokenizeClient();
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const [p] = await fresh.synthetic('deepseek-v3', { input: 100_000, output: 1, count: 1, seed: 2 });
      const ticksBeforeCount = ticks;
      const [n] = await fresh.count('deepseek-v3', [p!.messages[0]!.content]);
      clearInterval(timer);
      assert.equal(n, 100_000);
      assert.ok(ticksBeforeCount > 0, 'timers ran while the worker loaded the tokenizer and built the prompt');
    } finally {
      await fresh.close();
    }
  });

  it('fails pending calls when closed, and starts a new worker on the next call', async () => {
    const c = new TokenizeClient();
    const rejected = assert.rejects(c.count('deepseek-r1', ['x'.repeat(1000)]), /the tokenization worker was closed/);
    await c.close();
    await rejected;
    assert.deepEqual(await c.count('deepseek-r1', ['hello']), [1]);
    await c.close();
  });
});
