// countPlan: a whole scenario's counts and limit diagnostics, in place and through the worker.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenario } from '../../src/core/scenario';
import { TokenizeClient, countPlan, countPrompt, loadTokenizer } from '../../src/core/tokenize';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmload-plan-'));
const client = new TokenizeClient();
after(async () => {
  await client.close();
  rmSync(tmp, { recursive: true, force: true });
});

const TEXT = `scenario "plan counts"
target builtin:chat
api openai-chat
model m
tokenizer qwen3
buckets 1k 4k
seed 5
load users 1 for 10s

prompt "hello"
  user Hello 👋
  max_tokens 20

dataset synthetic
  input 990..999 tokens
  output 16 tokens
  count 6

dataset jsonl broken.jsonl
  user {{q}}
`;

function plan() {
  const file = path.join(tmp, 'p.llmload');
  writeFileSync(file, TEXT);
  writeFileSync(path.join(tmp, 'broken.jsonl'), '{"q": "fine"}\n{"x": 1}\n');
  const r = loadScenario(file);
  assert.ok(r.plan, r.diagnostics.map((d) => d.message).join('\n'));
  return { plan: r.plan, text: r.text };
}

describe('countPlan', () => {
  it('counts prompts and datasets, points at their lines, and flags prompts pushed out of their bucket', async () => {
    const tok = await loadTokenizer('qwen3');
    const { plan: p, text } = plan();
    const c = countPlan(tok, p, { baseDir: tmp, text });
    assert.equal(c.served, 'chat');
    assert.deepEqual(c.context, { tokens: 131072, from: 'model_max_length' });
    assert.equal(c.prompts.length, 1);
    assert.deepEqual(c.prompts[0]!.counts, countPrompt(tok, p.prompts[0]!));
    assert.equal(c.prompts[0]!.range!.start.line, 9);
    const [synth, jsonl] = c.datasets;
    assert.equal(synth!.kind, 'synthetic');
    assert.equal(synth!.range!.start.line, 13);
    assert.ok(synth!.raw.min >= 990 && synth!.raw.max <= 999);
    // The template's tokens carry the 990..999-token inputs (bucket <1k) over 1,000.
    assert.ok(synth!.chat.max >= 1000);
    assert.equal(synth!.served.histogram.reduce((a, h) => a + h.count, 0), 6);
    const bucketWarnings = c.diagnostics.filter((d) => d.message.includes("outside its dataset's bucket <1k"));
    assert.ok(bucketWarnings.length > 0);
    for (const w of bucketWarnings) assert.equal(w.range.start.line, 13);
    assert.match(jsonl!.error!, /broken\.jsonl:2: the record has no field "q"/);
    const err = c.diagnostics.find((d) => d.severity === 'error')!;
    assert.equal(err.range.start.line, 18);
    assert.match(err.message, /dataset "broken": .*broken\.jsonl:2: the record has no field "q"/);
  });

  it('gives the same answer through the worker', async () => {
    const tok = await loadTokenizer('qwen3');
    const { plan: p, text } = plan();
    assert.deepEqual(await client.countPlan('qwen3', p, { baseDir: tmp, text }), countPlan(tok, p, { baseDir: tmp, text }));
  });
});
