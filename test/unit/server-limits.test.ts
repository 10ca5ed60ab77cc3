// The server's own context limit, read where it publishes it (llama.cpp /props, vLLM /v1/models,
// TGI /info), checked against the prompts before the run with the smaller of it and the scenario's
// `context` applied, and recorded in plan.json and summary.json.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { limitFromModels, limitFromProps, limitFromTgiInfo, readServerLimit } from '../../src/core/run/server-limits';
import { startScenarioRun } from '../../src/core/run/scenario-run';
import { appliedContextLimit, runLimitWarnings } from '../../src/core/tokenize/limits';
import { loadTokenizer, type LoadedTokenizer } from '../../src/core/tokenize';
import { startStandin } from '../helpers/engine-standin';
import { startSimulator } from '../../src/core/sim';
import { waitUntilReady } from '../../src/core/run/readiness';

describe('reading the published limit', () => {
  it('llama.cpp /props: default_generation_settings.n_ctx is per slot, with total_slots', () => {
    const props = { default_generation_settings: { id: 0, n_ctx: 4096, params: { n_predict: -1 } }, total_slots: 4, model_path: '/m.gguf', chat_template: '' };
    assert.deepEqual(limitFromProps(props), { context: 4096, engine: 'llama.cpp', endpoint: '/props', source: 'llama.cpp /props n_ctx 4096 per slot, 4 slots', slots: 4 });
    assert.equal(limitFromProps({ default_generation_settings: {} }), undefined);
    assert.equal(limitFromProps('<html>'), undefined);
  });

  it('vLLM /v1/models: max_model_len of the scenario\'s model, else of the first entry that has one', () => {
    const models = {
      object: 'list',
      data: [
        { id: 'base', object: 'model', owned_by: 'vllm', root: 'base', parent: null, max_model_len: 32768 },
        { id: 'lora-a', object: 'model', owned_by: 'vllm', root: 'base', parent: 'base', max_model_len: 8192 },
      ],
    };
    assert.equal(limitFromModels(models, 'lora-a')?.context, 8192);
    assert.equal(limitFromModels(models, 'lora-a')?.source, '/v1/models max_model_len 8192 of lora-a');
    assert.equal(limitFromModels(models, 'other')?.context, 32768);
    // llama.cpp's list has meta.n_ctx_train (the model's training length, not the server's): not a limit.
    assert.equal(limitFromModels({ object: 'list', data: [{ id: 'm', meta: { n_ctx_train: 32768 } }] }, 'm'), undefined);
  });

  it('TGI /info: max_input_tokens (older max_input_length) and max_total_tokens', () => {
    assert.deepEqual(limitFromTgiInfo({ model_id: 'm', max_input_tokens: 4095, max_total_tokens: 4096, router: 'text-generation-router' }), {
      context: 4096,
      max_input: 4095,
      engine: 'tgi',
      endpoint: '/info',
      source: 'TGI /info max_input_tokens 4095, max_total_tokens 4096',
    });
    assert.equal(limitFromTgiInfo({ max_input_length: 1024, max_total_tokens: 2048 })?.source, 'TGI /info max_input_length 1024, max_total_tokens 2048');
    assert.equal(limitFromTgiInfo({ model_id: 'm' }), undefined);
  });
});

describe('which limit applies', () => {
  it('the smaller of the server\'s and the scenario\'s, named in the message', () => {
    const server = { context: 4096, source: 'llama.cpp /props n_ctx 4096 per slot' };
    assert.deepEqual(appliedContextLimit({ context: 16_000 }, server), { tokens: 4096, from: 'server', text: "the server's limit (llama.cpp /props n_ctx 4096 per slot)" });
    assert.deepEqual(appliedContextLimit({ context: 2000 }, server), { tokens: 2000, from: 'context', text: "the scenario's context 2k" });
    assert.equal(appliedContextLimit({}, undefined), undefined);
    const w = runLimitWarnings([{ label: 'prompt "a"', tokens: 5000 }, { label: 'prompt "b"', tokens: 4000, maxTokens: 200 }, { label: 'prompt "c"', tokens: 10 }], appliedContextLimit({ context: 16_000 }, server));
    assert.deepEqual(w, [
      `prompt "a" is 5,000 tokens, over the 4,096-token context window (the server's limit (llama.cpp /props n_ctx 4096 per slot)): the server will reject it (records say context_exceeded)`,
      `prompt "b": 4,000 input + 200 max_tokens = 4,200, over the 4,096-token context window (the server's limit (llama.cpp /props n_ctx 4096 per slot)): generation may be cut short or refused`,
    ]);
  });

  it('many prompts over one limit make one line naming the longest', () => {
    const subjects = Array.from({ length: 10 }, (_, i) => ({ label: `prompt "d:${i + 1}"`, tokens: 5000 + i }));
    const w = runLimitWarnings(subjects, { tokens: 4096, from: 'server', text: 'X' });
    assert.deepEqual(w, ['10 of 10 prompts are over it, the longest prompt "d:10" is 5,009 tokens, over the 4,096-token context window (X): the server will reject it (records say context_exceeded)']);
  });
});

function scenario(url: string, body: string): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-limit-'));
  const file = path.join(dir, 'limit.llmload');
  fs.writeFileSync(file, `scenario "limits"\ntarget ${url}\napi openai-chat\nmodel tiny\ntokenizer qwen3\n${body}`);
  return { dir, file };
}

// Seeded: prompt choice is random by weight, and six unseeded picks were all "short" about 1 run in 64.
const LONG_AND_SHORT = `context 16k
seed 7
load users 1 for 30s
stop after 6 requests
prompt "short" weight 1
  user Say hello.
  max_tokens 4
dataset synthetic weight 1
  input 5000 tokens
  output 4 tokens
  count 1
`;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), progress: () => undefined, progressDone: () => undefined };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err };
}

describe('a server whose published limit is 4,096 tokens and a 5,000-token prompt', () => {
  let tok: LoadedTokenizer;
  before(async () => {
    tok = await loadTokenizer('qwen3');
  });

  it('llama.cpp (/props): a clear warning before the run, the run goes on, the records carry the rejection', { timeout: 90_000 }, async () => {
    const srv = await startStandin({ shape: 'llama.cpp', tok, nCtx: 4096, slots: 4 });
    const { dir, file } = scenario(srv.url, LONG_AND_SHORT);
    try {
      const r = await cli(['run', file, '--out', path.join(dir, 'run'), '--quiet']);
      const err = r.err.join('\n');
      const warning = r.err.findIndex((l) =>
        /^warning: prompt "synthetic:1" is 5,0\d\d tokens, over the 4,096-token context window \(the server's limit \(llama\.cpp \/props n_ctx 4096 per slot, 4 slots\)\): the server will reject it/.test(l),
      );
      assert.ok(warning >= 0, err);
      const running = r.err.findIndex((l) => l.startsWith('running '));
      assert.ok(running > warning, 'the warning comes before the run starts');
      assert.ok(r.err.includes("the server's context limit: llama.cpp /props n_ctx 4096 per slot, 4 slots"), err);
      assert.ok(!err.includes('"short"'), 'the short prompt is within the limit');

      const recs = fs.readFileSync(path.join(dir, 'run', 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const long = recs.filter((x) => x.prompt === 'synthetic:1');
      const short = recs.filter((x) => x.prompt === 'short');
      assert.ok(long.length > 0 && short.length > 0, `long ${long.length}, short ${short.length}`);
      assert.ok(short.every((x) => x.status === 'ok'));
      for (const x of long) {
        assert.equal(x.status, 'error');
        assert.equal(x.http_status, 400);
        // llama.cpp's 400 exceed_context_size_error is classified by protocols/http-errors.ts.
        assert.equal(x.error.kind, 'context_exceeded', JSON.stringify(x.error));
      }
      // Recorded: the limit read, the one applied, how many prompts are over it.
      const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
      assert.deepEqual(summary.server.limit, { context: 4096, engine: 'llama.cpp', endpoint: '/props', source: 'llama.cpp /props n_ctx 4096 per slot, 4 slots', slots: 4 });
      assert.equal(summary.server.applied_limit.from, 'server');
      assert.equal(summary.server.prompts_over_limit, 1);
      const plan = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'plan.json'), 'utf8'));
      assert.equal(plan.server.limit.context, 4096);
    } finally {
      await srv.close();
    }
  });

  it('vLLM (/v1/models max_model_len): the same warning, naming /v1/models', { timeout: 90_000 }, async () => {
    const srv = await startStandin({ shape: 'vllm', tok, nCtx: 4096 });
    const { dir, file } = scenario(srv.url, LONG_AND_SHORT);
    try {
      const started = await startScenarioRun(file, { outDir: path.join(dir, 'run'), env: {} });
      assert.equal(started.kind, 'started');
      if (started.kind !== 'started') return;
      assert.equal(started.targetWarnings.length, 1, started.targetWarnings.join('\n'));
      assert.match(started.targetWarnings[0]!, /^prompt "synthetic:1" is 5,0\d\d tokens, over the 4,096-token context window \(the server's limit \(\/v1\/models max_model_len 4096\)\)/);
      const { summary } = await started.handle.done;
      assert.equal(summary.server?.limit?.engine, 'vllm');
      assert.ok((summary.errors.http_4xx ?? 0) + ((summary.errors as Record<string, number | undefined>).context_exceeded ?? 0) > 0);
      // /props was not asked: /v1/models already said.
      assert.equal(srv.hits.filter((h) => h.path === '/props').length, 0);
    } finally {
      await srv.close();
    }
  });

  it('the scenario\'s smaller context applies over the server\'s, and says so', { timeout: 90_000 }, async () => {
    const srv = await startStandin({ shape: 'llama.cpp', tok, nCtx: 8192 });
    const { dir, file } = scenario(srv.url, LONG_AND_SHORT.replace('context 16k', 'context 4k'));
    try {
      const started = await startScenarioRun(file, { outDir: path.join(dir, 'run'), env: {} });
      assert.equal(started.kind, 'started');
      if (started.kind !== 'started') return;
      started.handle.stop();
      await started.handle.done;
      assert.match(started.targetWarnings.join('\n'), /over the 4,000-token context window \(the scenario's context 4k\)/);
      assert.equal(started.plan.server?.applied_limit?.from, 'context');
      assert.equal(started.plan.server?.limit?.context, 8192);
    } finally {
      await srv.close();
    }
  });

  it('a target that publishes nothing: no limit, no probe error', async () => {
    const srv = await startStandin({ shape: 'llama.cpp', tok });
    try {
      assert.equal(await readServerLimit('ollama', srv.url), undefined);
      assert.equal(srv.hits.length, 0, 'nothing is asked of an Ollama target');
      assert.equal(await readServerLimit('openai-chat', 'http://127.0.0.1:1/v1', { probe_timeout_ms: 500 }), undefined);
    } finally {
      await srv.close();
    }
  });
});

describe('the built-in simulator as a URL target (llmload sim)', () => {
  it('answers the readiness check at once and publishes max_model_len on /v1/models', async () => {
    const sim = await startSimulator({ profile: 'chat', seed: 1 });
    try {
      const r = await waitUntilReady('openai-chat', sim.url, { timeout_ms: 5000 });
      assert.deepEqual([r.checked, r.ready, r.endpoint, r.probes], [true, true, '/health', 1]);
      const limit = await readServerLimit('openai-chat', sim.url, { model: 'sim-chat' });
      assert.deepEqual(limit, { context: 131072, engine: 'vllm', endpoint: '/v1/models', source: '/v1/models max_model_len 131072' });
    } finally {
      await sim.close();
    }
  });
});

describe('a builtin target', () => {
  it('checks the prompts against the scenario\'s own context before the run', { timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-limit-builtin-'));
    const file = path.join(dir, 'b.llmload');
    fs.writeFileSync(file, `target builtin:chat\ntokenizer qwen3\ncontext 1k\nload users 1 for 30s\nstop after 1 requests\ndataset synthetic\n  input 1500 tokens\n  output 4 tokens\n  count 1\n`);
    const started = await startScenarioRun(file, { outDir: path.join(dir, 'run'), env: {} });
    assert.equal(started.kind, 'started');
    if (started.kind !== 'started') return;
    await started.handle.done;
    assert.equal(started.targetWarnings.length, 1, started.targetWarnings.join('\n'));
    assert.match(started.targetWarnings[0]!, /^prompt "synthetic:1" is 1,5\d\d tokens, over the 1,000-token context window \(the scenario's context 1k\)/);
    assert.equal(started.plan.server, undefined, 'nothing is probed on the simulator');
  });
});
