// `unique` synthetic prompts: each request gets a nonce of whole-word tokens right after the shared
// prefix, so no two requests send the same prompt (a prefix cache cannot serve their prefill), and
// every prompt keeps its exact token length.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { nonceCapacity, nonceText, uniquePrompts, withNonce } from '../../src/core/protocols/prompt-nonce';
import type { ProtocolClient, SentRequest } from '../../src/core/protocols';
import type { PromptPlan } from '../../src/core/scenario/plan';
import { countPrompt, loadTokenizer, makeSyntheticPrompts, type LoadedTokenizer } from '../../src/core/tokenize';
import { NONCE_LENGTH } from '../../src/core/tokenize/synthetic';
import { startScenarioRun } from '../../src/core/run/scenario-run';
import { startStandin } from '../helpers/engine-standin';

function resolve(text: string) {
  const p = parseScenario(text);
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, readFile: () => undefined });
  return { diagnostics: [...p.diagnostics, ...r.diagnostics], plan: r.plan };
}

const HEAD = 'target builtin:chat\nload users 1 for 1s\n';

describe('the unique line', () => {
  it('sets unique on a synthetic dataset', () => {
    const r = resolve(`${HEAD}dataset synthetic\n  input 100 tokens\n  output 8 tokens\n  count 2\n  unique\n`);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.plan!.datasets[0]!.kind, 'synthetic');
    assert.equal((r.plan!.datasets[0] as { unique?: boolean }).unique, true);
    const plain = resolve(`${HEAD}dataset synthetic\n  input 100 tokens\n  output 8 tokens\n`);
    assert.equal((plain.plan!.datasets[0] as { unique?: boolean }).unique, undefined);
  });

  it('is an error elsewhere, with a value, or without room for the nonce', () => {
    const jsonl = resolve(`${HEAD}dataset jsonl qa.jsonl\n  user {{q}}\n  unique\n`);
    assert.ok(jsonl.diagnostics.some((d) => d.severity === 'error' && /^"unique" belongs in a dataset block, not in a dataset jsonl block$/.test(d.message) && d.range.start.line === 4), JSON.stringify(jsonl.diagnostics));
    const valued = resolve(`${HEAD}dataset synthetic\n  input 100 tokens\n  output 8 tokens\n  unique yes\n`);
    assert.ok(valued.diagnostics.some((d) => d.severity === 'error' && /unique on its own/.test(d.message)), JSON.stringify(valued.diagnostics));
    const tight = resolve(`${HEAD}dataset synthetic\n  input 100 tokens\n  output 8 tokens\n  shared_prefix 97 tokens\n  unique\n`);
    const d = tight.diagnostics.find((x) => /unique needs at least 5 input tokens after the shared prefix/.test(x.message));
    assert.ok(d && d.severity === 'error' && d.range.start.line === 6, JSON.stringify(tight.diagnostics));
  });
});

describe('unique prompts keep their length', () => {
  let tok: LoadedTokenizer;
  before(async () => {
    tok = await loadTokenizer('qwen3');
  });

  it('every nonce written into any prompt leaves its count exact, with and without a shared prefix', () => {
    for (const shared of [0, 40]) {
      const prompts = makeSyntheticPrompts(tok, { input: { min: 60, max: 300 }, output: 8, count: 6, seed: 7, shared_prefix: shared, unique: true });
      for (const p of prompts) {
        const n = p.nonce!;
        assert.ok(n, 'has a nonce span');
        assert.equal(n.length, NONCE_LENGTH);
        assert.equal(p.messages[0]!.content.slice(n.at, n.end), nonceText(n, 0), 'the placeholder is nonce 0');
        const want = tok.count(p.messages[0]!.content);
        const texts = new Set<string>();
        for (const k of [1, 2, 63, 64, 4097, 123_456_789, nonceCapacity(n) - 1]) {
          const q = withNonce(p, k);
          texts.add(q.messages[0]!.content);
          assert.equal(tok.count(q.messages[0]!.content), want, `shared ${shared}, ${p.name}, nonce ${k}`);
          if (shared > 0) assert.ok(q.messages[0]!.content.startsWith(p.messages[0]!.content.slice(0, n.at)), 'the shared prefix stays');
        }
        assert.equal(texts.size, 7, 'distinct nonces give distinct prompts');
      }
      // The chat count (what an openai-chat server sees) is exact too: the nonce is inside one message.
      const chat = makeSyntheticPrompts(tok, { input: 120, output: 8, count: 2, seed: 3, unique: true, measure: 'chat' });
      for (const p of chat) assert.equal(countPrompt(tok, withNonce(p, 99)).chat, 120);
    }
  });

  it('the client gives each request its own nonce, and threads never share one', async () => {
    const seen: string[] = [];
    const inner: ProtocolClient = {
      send: async (p: PromptPlan) => {
        seen.push(p.messages[0]!.content);
        return {} as SentRequest;
      },
      close: async () => undefined,
    };
    const [p] = makeSyntheticPrompts(tok, { input: 50, output: 8, count: 1, seed: 1, unique: true });
    const a = uniquePrompts(inner, { index: 0, count: 2 });
    const b = uniquePrompts(inner, { index: 1, count: 2 });
    for (let i = 0; i < 50; i++) {
      await a.send(p!);
      await b.send(p!);
    }
    assert.equal(new Set(seen).size, 100);
    // A prompt without a nonce passes through untouched.
    const plain: PromptPlan = { name: 'x', weight: 1, messages: [{ role: 'user', content: 'hi' }], params: {} };
    await a.send(plain);
    assert.equal(seen.at(-1), 'hi');
  });
});

describe('a run against a server with a prompt cache', () => {
  let tok: LoadedTokenizer;
  before(async () => {
    tok = await loadTokenizer('qwen3');
  });

  async function run(unique: boolean) {
    const srv = await startStandin({ shape: 'llama.cpp', tok, promptCache: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-unique-'));
    const file = path.join(dir, 'u.llmload');
    fs.writeFileSync(
      file,
      `scenario "unique"\ntarget ${srv.url}\napi openai-chat\nmodel tiny\ntokenizer qwen3\nload users 2 for 30s\nstop after 10 requests\n` +
        `dataset synthetic\n  input 300 tokens\n  output 4 tokens\n  count 2\n${unique ? '  unique\n' : ''}`,
    );
    try {
      const started = await startScenarioRun(file, { outDir: path.join(dir, 'run'), env: {} });
      assert.equal(started.kind, 'started');
      if (started.kind !== 'started') throw new Error('not started');
      const { summary } = await started.handle.done;
      return { summary, bodies: srv.bodies.map((b) => JSON.stringify(b.body.messages)) };
    } finally {
      await srv.close();
    }
  }

  it('with unique: every request sends a prompt of its own, nothing is served from the cache, and counts stay exact', { timeout: 90_000 }, async () => {
    const { summary, bodies } = await run(true);
    assert.ok(bodies.length >= 10);
    assert.equal(new Set(bodies).size, bodies.length, 'no prompt was sent twice');
    assert.equal(summary.cache?.cached_tokens, 0);
    assert.equal(summary.cache?.note, undefined);
    assert.equal(summary.token_accounting.input.diff_pct, 0, 'the server counted what the tokenizer counted');
  });

  it('without it: two prompts over ten requests repeat, and the cache note says so', { timeout: 90_000 }, async () => {
    const { summary, bodies } = await run(false);
    assert.ok(new Set(bodies).size <= 2);
    assert.ok((summary.cache?.share ?? 0) > 0.5, String(summary.cache?.share));
    assert.match(summary.cache?.note ?? '', /of input tokens were served from the server's prefix cache/);
  });
});
