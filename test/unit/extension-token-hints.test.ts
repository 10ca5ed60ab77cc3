// Inline token counts as the editor shows them, computed by the same code the language worker runs,
// against the bundled qwen3 tokenizer: the numbers `llmload tokens` prints, limits marked, datasets
// summarised; and the worker client that caches per text and drops superseded answers.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseTokenizer, computeTokenHints } from '../../src/extension/language/token-hints';
import { LanguageWorkerClient } from '../../src/extension/language/worker-client';
import { countPrompt, loadTokenizer } from '../../src/core/tokenize';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmload-hints-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const file = path.join(tmp, 'demo.llmload');

const TEXT = `scenario "Hints"
target builtin:chat
api openai-chat
model sim-chat
tokenizer qwen3
load users 1 for 1s

prompt "greeting"
  user Hello, world!
  max_tokens 16
`;

describe('computeTokenHints', () => {
  it('counts a known prompt as llmload tokens does (chat for chat APIs) and each turn alone', async () => {
    const r = await computeTokenHints(TEXT, { file });
    assert.equal(r.tokenizer?.name, 'qwen3');
    assert.equal(r.tokenizer?.chosenBy, 'scenario');
    const tok = await loadTokenizer('qwen3');
    const c = countPrompt(tok, { messages: [{ role: 'user', content: 'Hello, world!' }] });
    assert.deepEqual(
      r.hints.map((h) => [h.at.line, h.label]),
      [
        [7, `⟵ ${c.chat} tok (qwen3)`],
        [8, `⟵ ${c.turns[0]} tok`],
      ],
    );
    assert.equal(c.chat, 12, 'the count the integration test expects');
    assert.equal(r.hints[0]!.at.character, 'prompt "greeting"'.length);
    assert.deepEqual(r.limits, []);
  });

  it('counts raw text for APIs without a chat template', async () => {
    const r = await computeTokenHints(TEXT.replace('api openai-chat', 'api openai-completions'), { file });
    assert.equal(r.hints[0]!.label, '⟵ 4 tok (qwen3)');
  });

  it('marks a prompt whose max_tokens crosses the context window', async () => {
    const r = await computeTokenHints(TEXT.replace('max_tokens 16', 'max_tokens 200000'), { file });
    assert.ok(r.limits.length > 0, 'a limit diagnostic');
    assert.equal(r.limits[0]!.range.start.line, 7);
    assert.equal(r.hints[0]!.warn, true);
    assert.equal(r.hints[1]!.warn, false);
  });

  it('summarises a dataset: prompts and min–max tokens', async () => {
    writeFileSync(path.join(tmp, 'qa.jsonl'), ['{"q":"One?"}', '{"q":"A much longer question with many more words in it?"}', '{"q":"Two?"}'].join('\n') + '\n');
    const text = TEXT.replace(/prompt "greeting"[\s\S]*$/, 'dataset jsonl qa.jsonl\n  user {{q}}\n');
    const r = await computeTokenHints(text, { file });
    assert.equal(r.hints.length, 1);
    assert.match(r.hints[0]!.label, /^⟵ 3 prompts, \d+–\d+ tok \(qwen3\)$/);
    const [min, max] = r.hints[0]!.label.match(/(\d+)–(\d+)/)!.slice(1).map(Number);
    assert.ok(min! < max!);
  });

  it('explains why there are no counts instead of throwing', async () => {
    const broken = await computeTokenHints('api nope\n', { file });
    assert.deepEqual(broken.hints, []);
    assert.match(broken.note ?? '', /errors/);
    const noTok = await computeTokenHints(TEXT.replace('tokenizer qwen3\n', ''), { file });
    assert.match(noTok.note ?? '', /no tokenizer/);
    const missing = await computeTokenHints(TEXT.replace('tokenizer qwen3', 'tokenizer ./no-such-folder'), { file });
    assert.deepEqual(missing.hints, []);
    assert.match(missing.note ?? '', /no-such-folder/);
  });

  it('chooses the tokenizer: override, scenario, model guess, default', () => {
    assert.deepEqual(chooseTokenizer({ tokenizer: 'llama3', model: 'x' }, { tokenizerOverride: 'qwen3' }), { spec: 'qwen3', chosenBy: 'default' });
    assert.deepEqual(chooseTokenizer({ tokenizer: 'llama3', model: 'x' }, {}), { spec: 'llama3', chosenBy: 'scenario' });
    assert.deepEqual(chooseTokenizer({ model: 'Qwen/Qwen3-8B' }, { defaultTokenizer: 'llama3' }), { spec: 'qwen3', chosenBy: 'model' });
    assert.deepEqual(chooseTokenizer({ model: 'mystery' }, { defaultTokenizer: 'llama3' }), { spec: 'llama3', chosenBy: 'default' });
    assert.equal(chooseTokenizer({ model: 'mystery' }, {}), undefined);
  });
});

describe('LanguageWorkerClient', () => {
  const client = new LanguageWorkerClient(path.join(__dirname, '../../src/extension/language/worker.ts'));
  after(() => client.close());

  it('answers from a worker thread and caches per text', async () => {
    const a = await client.hints({ text: TEXT, file });
    assert.equal(a?.hints[0]?.label, '⟵ 12 tok (qwen3)');
    const b = await client.hints({ text: TEXT, file });
    assert.equal(b, a, 'the same object: served from the cache');
  });

  it('drops the answer to a request that a newer one for the same file superseded', async () => {
    const first = client.hints({ text: TEXT.replace('Hello, world!', 'Hello there, world!'), file });
    const second = client.hints({ text: TEXT.replace('Hello, world!', 'Hi'), file });
    assert.equal(await first, undefined);
    const r = await second;
    assert.ok(r && r.hints.length === 2);
  });
});
