// `llmload tokens FILE`: per-prompt chat and raw counts, per-dataset statistics, limit diagnostics
// and exit codes, on scenario files written here.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTokens } from '../../src/cli/tokens';
import { countPrompt, loadTokenizer } from '../../src/core/tokenize';
import { bundledTokenizerJson } from '../fixtures/tokenize/reference';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmload-tokens-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function scenario(name: string, text: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
}

async function run(...files: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTokens(files, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const HEAD = (tokenizer: string) => `scenario "t"
target builtin:chat
api openai-chat
model test-model
${tokenizer}
buckets 1k 4k
load users 1 for 10s
`;

describe('llmload tokens', () => {
  it('prints each prompt\'s chat and raw counts and each dataset\'s min/mean/max and buckets', async () => {
    const file = scenario(
      'ok.llmload',
      HEAD('tokenizer qwen3') +
        `
prompt "greet" weight 2
  system You are terse.
  user Hello there, 你好 👍
  max_tokens 64

dataset synthetic
  input 1000 tokens
  output 32 tokens
  count 4

dataset jsonl questions.jsonl
  user Answer briefly: {{q}}
`,
    );
    writeFileSync(path.join(tmp, 'questions.jsonl'), ['short?', 'a somewhat longer question, with 数据', 'mid size one'].map((q) => JSON.stringify({ q })).join('\n') + '\n');
    const r = await run(file);
    assert.deepEqual(r.err, []);
    assert.equal(r.code, 0);
    const tok = await loadTokenizer('qwen3');
    const c = countPrompt(tok, {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hello there, 你好 👍' },
      ],
    });
    assert.match(r.out[0]!, /ok\.llmload: tokenizer qwen3 \(bundled\); context 131,072 \(model_max_length\); the server sees the chat count/);
    const greet = r.out.find((l) => l.includes('prompt "greet"'))!;
    assert.match(greet, new RegExp(`chat +${c.chat} +raw +${c.raw} +turns ${c.turns.join('\\+')} +max_tokens 64`));
    const ds = r.out.find((l) => l.includes('dataset "'))!;
    const chatOf1000 = countPrompt(tok, { messages: [{ role: 'user', content: 'x' }] }).chat - 1 + 1000;
    assert.match(ds, new RegExp(`\\(synthetic, 4 prompts\\) +chat min ${chatOf1000.toLocaleString('en-US')} mean ${chatOf1000.toLocaleString('en-US')} max ${chatOf1000.toLocaleString('en-US')} +raw min 1,000 mean 1,000 max 1,000`));
    assert.match(r.out.find((l) => l.includes('buckets'))!, /buckets \(chat\): <1k 0, 1k-4k 4, >=4k 0/);
    const qs = ['short?', 'a somewhat longer question, with 数据', 'mid size one'].map(
      (q) => countPrompt(tok, { messages: [{ role: 'user', content: `Answer briefly: ${q}` }] }).chat,
    );
    const jsonl = r.out.find((l) => l.includes('(jsonl, 3 prompts)'))!;
    const mean = Math.round(qs.reduce((a, b) => a + b, 0) / 3);
    assert.match(jsonl, new RegExp(`chat min ${Math.min(...qs)} mean ${mean} max ${Math.max(...qs)} `));
  });

  it('reports prompts over the context window as errors (exit 1) and input + max_tokens over it as warnings', async () => {
    // A tokenizer folder whose model_max_length is 40.
    const small = path.join(tmp, 'small-tok');
    mkdirSync(small);
    copyFileSync(bundledTokenizerJson('deepseek-v3'), path.join(small, 'tokenizer.json'));
    const cfg = JSON.parse(readFileSync(path.join(path.dirname(bundledTokenizerJson('deepseek-v3')), 'tokenizer_config.json'), 'utf8'));
    writeFileSync(path.join(small, 'tokenizer_config.json'), JSON.stringify({ ...cfg, model_max_length: 40 }));
    const file = scenario(
      'limits.llmload',
      HEAD('tokenizer ./small-tok') +
        `
prompt "fits"
  user Hi
  max_tokens 10

prompt "long answer"
  user Hi
  max_tokens 100

prompt "too long"
  user ${'word '.repeat(60)}
`,
    );
    const r = await run(file);
    assert.equal(r.code, 1);
    assert.match(r.out[0]!, /context 40 \(model_max_length\)/);
    const warnings = r.out.filter((l) => l.includes(': warning: '));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /limits\.llmload:\d+:\d+: warning: prompt "long answer": \d+ input \+ 100 max_tokens = \d+, over the 40-token context window/);
    assert.equal(r.err.length, 1);
    assert.match(r.err[0]!, /limits\.llmload:\d+:\d+: error: prompt "too long" is \d+ tokens, over the 40-token context window/);
    // The diagnostic points at the prompt's line.
    const line = Number(/limits\.llmload:(\d+):/.exec(r.err[0]!)![1]);
    assert.match(readFileSync(file, 'utf8').split('\n')[line - 1]!, /^prompt "too long"/);
  });

  it('guesses a bundled tokenizer from the model name and says so', async () => {
    const file = scenario('guess.llmload', HEAD('').replace('model test-model', 'model deepseek-ai/DeepSeek-R1') + '\nprompt "p"\n  user Hi\n');
    const r = await run(file);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.out[0]!, /tokenizer deepseek-r1 \(bundled\) \(guessed from model deepseek-ai\/DeepSeek-R1; set `tokenizer` to be sure\)/);
  });

  it('says what is missing: no tokenizer (exit 3), an unloadable one (exit 3), an invalid scenario (exit 2)', async () => {
    const none = await run(scenario('none.llmload', HEAD('') + '\nprompt "p"\n  user Hi\n'));
    assert.equal(none.code, 3);
    assert.match(none.err[0]!, /no tokenizer to count with: add a `tokenizer` line/);
    const offline = await run(scenario('offline.llmload', HEAD('tokenizer acme/not-cached-anywhere') + '\nprompt "p"\n  user Hi\n'));
    assert.equal(offline.code, 3);
    assert.match(offline.err[0]!, /tokenizer 'acme\/not-cached-anywhere' is not in the Hugging Face cache/);
    const invalid = await run(scenario('invalid.llmload', 'this is not a scenario\n'));
    assert.equal(invalid.code, 2);
    assert.ok(invalid.err.length > 0);
    const missing = await run(path.join(tmp, 'missing.llmload'));
    assert.equal(missing.code, 2);
    assert.match(missing.err[0]!, /cannot read/);
  });
});
