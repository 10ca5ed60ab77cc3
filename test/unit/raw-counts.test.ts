// The raw count is the tokenizer's count of exactly the text a raw-text API is sent. The body is
// captured on a loopback server for Completions and TGI, and the count is checked against it.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createClient, type ClientPlan } from '../../src/core/protocols';
import { promptText } from '../../src/core/protocols/prompt-text';
import { prepareRun } from '../../src/core/prepare/prompts';
import type { PromptPlan } from '../../src/core/scenario/plan';
import { countPrompt, loadTokenizer, TokenizeClient, type LoadedTokenizer } from '../../src/core/tokenize';
import { startScenarioRun } from '../../src/core/run/scenario-run';
import { plan as testPlan } from '../helpers/plans';
import { startStandin } from '../helpers/engine-standin';

const PROMPTS: PromptPlan[] = [
  { name: 'hello-world', weight: 1, messages: [{ role: 'system', content: 'Hello' }, { role: 'user', content: 'World' }], params: { max_tokens: 4 } },
  {
    name: 'conversation',
    weight: 1,
    messages: [
      { role: 'system', content: 'You are terse.\n' },
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '4' },
      { role: 'user', content: 'And 3+3? 你好 👍  ' },
    ],
    params: { max_tokens: 4 },
  },
  { name: 'single', weight: 1, messages: [{ role: 'user', content: 'One message only.' }], params: { max_tokens: 4 } },
];

/** A server that records each POST body and answers a one-token stream in the API's shape. */
async function capture(api: 'openai-completions' | 'tgi'): Promise<{ url: string; bodies: Array<Record<string, unknown>>; close(): Promise<void> }> {
  const bodies: Array<Record<string, unknown>> = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (api === 'tgi') {
        res.end('data: {"index":1,"token":{"id":1,"text":"ok","logprob":0,"special":false},"generated_text":"ok","details":{"finish_reason":"eos_token","generated_tokens":1}}\n\n');
      } else {
        res.end('data: {"id":"c","choices":[{"index":0,"text":"ok","finish_reason":null}]}\n\ndata: {"id":"c","choices":[{"index":0,"text":"","finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('raw counts are counts of the sent text', () => {
  let tok: LoadedTokenizer;
  before(async () => {
    tok = await loadTokenizer('qwen3');
  });

  for (const api of ['openai-completions', 'tgi'] as const) {
    it(`${api}: the counted text is the sent text, and the raw count is its token count`, async () => {
      const srv = await capture(api);
      const plan: ClientPlan = { api, model: 'm', timeouts: { total_ms: 5000 }, headers: {} };
      const client = createClient(plan, api === 'tgi' ? srv.url : `${srv.url}/v1`);
      try {
        for (const p of PROMPTS) {
          const r = await client.send(p);
          assert.equal(r.error, undefined, JSON.stringify(r.error));
        }
      } finally {
        await client.close();
        await srv.close();
      }
      assert.equal(srv.bodies.length, PROMPTS.length);
      PROMPTS.forEach((p, i) => {
        const sent = (api === 'tgi' ? srv.bodies[i]!.inputs : srv.bodies[i]!.prompt) as string;
        assert.equal(typeof sent, 'string');
        // One function builds the text for the request and for the count.
        assert.equal(promptText(p), sent);
        const c = countPrompt(tok, p);
        assert.equal(c.raw, tok.count(sent), `${p.name}: raw ${c.raw}, the sent text has ${tok.count(sent)} tokens`);
        if (p.messages.length > 1) {
          const sumOfTurns = c.turns.reduce((a, b) => a + b, 0);
          assert.ok(c.raw > sumOfTurns, `${p.name}: the blank-line separators are counted (${c.raw} > ${sumOfTurns})`);
        }
      });
    });
  }

  it('system Hello + user World: 3 tokens, as the server counts "Hello\\n\\nWorld"', () => {
    const c = countPrompt(tok, PROMPTS[0]!);
    assert.deepEqual(c.turns, [1, 1]);
    assert.equal(c.raw, 3);
    assert.equal(tok.count('Hello\n\nWorld'), 3);
  });

  it('the counts a run carries (prepareRun, in the tokenization worker) are the sent text counts for raw-text APIs', async () => {
    const tokenize = new TokenizeClient();
    try {
      for (const api of ['openai-completions', 'tgi'] as const) {
        const prepared = await prepareRun(testPlan({ api, tokenizer: 'qwen3', prompts: PROMPTS }), { tokenize, baseDir: process.cwd() });
        for (const p of PROMPTS) assert.equal(prepared.inputTokens.get(p.name), tok.count(promptText(p)), `${api} ${p.name}`);
      }
    } finally {
      await tokenize.close();
    }
  });

  it('a completions run against a server that counts what it got: the tokenizer and the server agree exactly', { timeout: 60_000 }, async () => {
    const srv = await startStandin({ shape: 'llama.cpp', tok, nCtx: 4096 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-raw-'));
    const file = path.join(dir, 'raw.llmload');
    fs.writeFileSync(
      file,
      `scenario "raw counts"\ntarget ${srv.url}\napi openai-completions\nmodel tiny\ntokenizer qwen3\nload users 1 for 30s\nstop after 6 requests\n` +
        `prompt "two"\n  system Hello\n  user World\n  max_tokens 4\n` +
        `prompt "three"\n  system You are terse.\n  user What is 2+2?\n  assistant 4\n  max_tokens 4\n`,
    );
    try {
      const started = await startScenarioRun(file, { outDir: path.join(dir, 'run'), env: {} });
      assert.equal(started.kind, 'started');
      if (started.kind !== 'started') return;
      const { summary } = await started.handle.done;
      assert.equal(summary.requests.ok, 6, JSON.stringify(summary.errors));
      const acc = summary.token_accounting.input;
      assert.equal(acc.requests, 6);
      assert.equal(acc.server, acc.tokenizer);
      assert.equal(acc.diff_pct, 0, 'no "+50% input tokens" note: the separators are counted');
      const recs = fs.readFileSync(path.join(dir, 'run', 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const sent = srv.bodies.map((b) => String(b.body.prompt));
      for (const [i, r] of recs.entries()) assert.equal(r.input_tokens_tokenizer, tok.count(sent[i]!), `request ${i}`);
    } finally {
      await srv.close();
    }
  });
});

