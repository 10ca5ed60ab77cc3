import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareRun, PrepareError } from '../../src/core/prepare/prompts';
import { TokenizeClient } from '../../src/core/tokenize/client';
import { loadTokenizer, countPrompt } from '../../src/core/tokenize';
import { plan } from '../helpers/plans';

const tokenize = new TokenizeClient();
after(() => tokenize.close());

test('datasets become prompts, and every prompt gets its templated input count from the tokenizer', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-prep-'));
  fs.writeFileSync(path.join(dir, 'qa.jsonl'), '{"q":"What is 2+2?","a":"4"}\n{"q":"Name a colour.","a":"red"}\n');
  const p = plan({
    model: 'Qwen/Qwen3-8B',
    file: path.join(dir, 'x.llmload'),
    datasets: [
      { kind: 'jsonl', name: 'qa', path: 'qa.jsonl', weight: 2, messages: [{ role: 'user', content: '{{q}}' }], answer: '{{a}}', params: { max_tokens: 16 }, shuffle: false },
      { kind: 'synthetic', name: 'syn', weight: 1, input: { min: 300, max: 300 }, output: { min: 20, max: 20 }, shared_prefix: 100, count: 3, seed: 7, params: {} },
    ],
  });
  const r = await prepareRun(p, { tokenize });
  assert.deepEqual(r.plan.prompts.map((x) => x.name), ['short', 'long', 'qa:1', 'qa:2', 'syn:1', 'syn:2', 'syn:3']);
  assert.deepEqual(r.plan.prompts.map((x) => x.weight), [3, 1, 1, 1, 1 / 3, 1 / 3, 1 / 3]);
  assert.deepEqual(r.tokenizer, { name: 'qwen3', guessed: true });
  assert.match(r.notes.join('\n'), /guessed from the model name/);
  // counts are the chat-templated counts the server sees, computed in the worker
  const tok = await loadTokenizer('qwen3');
  for (const pr of r.plan.prompts) assert.equal(r.inputTokens.get(pr.name), countPrompt(tok, pr).chat, pr.name);
  const syn = r.plan.prompts.filter((x) => x.name.startsWith('syn:'));
  for (const s of syn) assert.equal(tok.count(s.messages.map((m) => m.content).join('')), 300);
});

test('without a tokenizer: file datasets still load, synthetic ones are a clear error', async () => {
  const noTok = plan({ model: 'sim-reasoner' });
  const r = await prepareRun(noTok, { tokenize });
  assert.equal(r.inputTokens.size, 0);
  assert.equal(r.tokenizer, undefined);
  await assert.rejects(
    prepareRun(plan({ model: 'sim', datasets: [{ kind: 'synthetic', name: 's', weight: 1, input: { min: 10, max: 10 }, output: { min: 1, max: 1 }, shared_prefix: 0, count: 1, params: {} }] }), { tokenize }),
    (e: unknown) => e instanceof PrepareError && /needs a tokenizer.*tokenizer qwen3/.test(e.message),
  );
  await assert.rejects(
    prepareRun(plan({ datasets: [{ kind: 'jsonl', name: 'gone', path: '/nonexistent/x.jsonl', weight: 1, messages: [{ role: 'user', content: '{{q}}' }], params: {}, shuffle: false }] }), { tokenize }),
    (e: unknown) => e instanceof PrepareError && /dataset "gone": cannot read dataset/.test(e.message),
  );
});
