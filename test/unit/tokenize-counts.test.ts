// Token counts of every bundled tokenizer against Hugging Face's Rust tokenizers, computed here
// from the same tokenizer.json; chat templates against the models' published prompt formats.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUNDLED_TOKENIZERS, countPrompt, loadTokenizer, type LoadedTokenizer } from '../../src/core/tokenize';
import { bundledTokenizerJson, rustIds } from '../fixtures/tokenize/reference';

const SAMPLES: Record<string, string> = {
  ascii: 'The quick brown fox jumps over the lazy dog. It\'s 3:45 pm; "quotes", (parens) & 12345678 numbers!',
  cjk: '你好，世界！今天天气怎么样？東京は晴れです。서울의 날씨는 맑습니다.',
  emoji: '👍🏽 family 👨‍👩‍👧‍👦 flags 🇯🇵🇫🇷 faces 😀😂🤖 ❤️‍🔥',
  code: 'def fib(n: int) -> int:\n    """Return n-th Fibonacci."""\n    if n < 2:\n\treturn n\n    return fib(n - 1) + fib(n - 2)  # O(2^n)\n\nconst x = { a: [1, 2, 3], b: `t${y}` };\r\n',
  whitespace: '  leading and trailing  \n\n\n   indented\t\ttabs   \u00a0nbsp\u3000ideographic space ',
  accents: 'Ünïcödé naïve café résumé façade Ångström ß Straße İstanbul',
  mixed_long: 'Mixed: ' + 'lorem ipsum 数据 🚀 x=42; '.repeat(200),
};

/** Special tokens of each family, written in the text: each must count as one token. */
const SPECIALS: Record<string, string> = {
  qwen3: '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n<|endoftext|>',
  'deepseek-v3': '<｜begin▁of▁sentence｜>sys<｜User｜>hi<｜Assistant｜>ok<｜end▁of▁sentence｜>',
  'deepseek-r1': '<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜><think>\nhm</think>ok<｜end▁of▁sentence｜>',
  llama3: '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|end_of_text|>',
};

const CONVERSATION = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'What is 2+2?' },
  { role: 'assistant' as const, content: '4' },
  { role: 'user' as const, content: 'And 3+3? 你好 👍' },
];

/** The prompt text each model's published chat format gives for CONVERSATION with the generation prompt. */
const RENDERED: Record<string, string> = {
  qwen3:
    '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n' +
    '<|im_start|>user\nAnd 3+3? 你好 👍<|im_end|>\n<|im_start|>assistant\n',
  'deepseek-v3': '<｜begin▁of▁sentence｜>You are terse.<｜User｜>What is 2+2?<｜Assistant｜>4<｜end▁of▁sentence｜><｜User｜>And 3+3? 你好 👍<｜Assistant｜>',
  'deepseek-r1':
    '<｜begin▁of▁sentence｜>You are terse.<｜User｜>What is 2+2?<｜Assistant｜>4<｜end▁of▁sentence｜><｜User｜>And 3+3? 你好 👍<｜Assistant｜><think>\n',
  llama3:
    '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>' +
    '<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nAnd 3+3? 你好 👍<|eot_id|>' +
    '<|start_header_id|>assistant<|end_header_id|>\n\n',
};

for (const name of BUNDLED_TOKENIZERS) {
  describe(`bundled tokenizer ${name}`, () => {
    let tok: LoadedTokenizer;
    let json: string;
    before(async () => {
      tok = await loadTokenizer(name);
      json = bundledTokenizerJson(name);
    });

    it('loads offline from the bundled files', () => {
      assert.equal(tok.source, 'bundled');
      assert.equal(tok.name, name);
      assert.ok(tok.applyChatTemplate, 'has a chat template');
    });

    for (const [kind, text] of Object.entries(SAMPLES)) {
      it(`counts ${kind} text exactly as the Rust tokenizers do`, async () => {
        const expected = await rustIds(json, text);
        assert.ok(expected.length > 0);
        assert.deepEqual(tok.encode(text), expected);
        assert.equal(tok.count(text), expected.length);
      });
    }

    it('counts special tokens written in the text as single tokens, as the Rust tokenizers do', async () => {
      const text = SPECIALS[name]!;
      const expected = await rustIds(json, text);
      assert.equal(tok.count(text), expected.length);
      assert.deepEqual(tok.encode(text), expected);
      const ids = tok.encode(text);
      const first = text.match(/^<[^>]+>/)![0];
      assert.deepEqual(tok.encode(first), [ids[0]], `${first} is one token`);
    });

    it('renders the chat template as the model publishes it, and counts it as the Rust tokenizers do', async () => {
      const rendered = tok.applyChatTemplate!(CONVERSATION, { addGenerationPrompt: true });
      assert.equal(rendered, RENDERED[name]);
      const c = countPrompt(tok, { messages: CONVERSATION });
      assert.equal(c.templated, true);
      assert.equal(c.chat, (await rustIds(json, rendered)).length);
      const turns = await Promise.all(CONVERSATION.map(async (m) => (await rustIds(json, m.content)).length));
      assert.deepEqual(c.turns, turns);
      // raw is the text a raw-text API is sent: the contents joined by blank lines, separators counted.
      assert.equal(c.raw, (await rustIds(json, CONVERSATION.map((m) => m.content).join('\n\n'))).length);
      assert.ok(c.chat > c.raw, 'the template adds tokens');
    });

    it('leaves the generation prompt out when asked (the bundled Llama 3 template always adds it)', () => {
      const withGen = tok.applyChatTemplate!(CONVERSATION, { addGenerationPrompt: true });
      const without = tok.applyChatTemplate!(CONVERSATION, { addGenerationPrompt: false });
      if (name === 'llama3') assert.equal(without, withGen);
      else assert.ok(withGen.startsWith(without) && withGen.length > without.length, without);
    });

    it('gives the same ids as the Rust tokenizers over a long mixed text, twice (warm caches change nothing)', async () => {
      const dom = readFileSync(require.resolve('typescript/lib/lib.dom.d.ts'), 'utf8').slice(0, 60_000);
      const text = dom + '\n' + Object.values(SAMPLES).join('\n').repeat(20);
      const expected = await rustIds(json, text);
      assert.ok(expected.length > 15_000);
      assert.deepEqual(tok.encode(text), expected);
      assert.deepEqual(tok.encode(text), expected);
    });

    it('decodes what it encodes', () => {
      for (const text of Object.values(SAMPLES)) assert.equal(tok.decode(tok.encode(text)), text);
    });
  });
}

describe('counts of the other chat shapes', () => {
  it('keeps only the answer of an earlier DeepSeek-R1 assistant turn, as R1 does', async () => {
    const tok = await loadTokenizer('deepseek-r1');
    const text = tok.applyChatTemplate!([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: '<think>\nreasoning\n</think>\n\nhello' },
      { role: 'user', content: 'again' },
    ]);
    assert.equal(text, '<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜>\n\nhello<｜end▁of▁sentence｜><｜User｜>again<｜Assistant｜><think>\n');
  });

  it('counts an empty message list as zero and a prompt with an empty turn', async () => {
    const tok = await loadTokenizer('qwen3');
    assert.deepEqual(countPrompt(tok, { messages: [] }), { chat: 0, raw: 0, turns: [], templated: false });
    const c = countPrompt(tok, { messages: [{ role: 'user', content: '' }] });
    assert.deepEqual(c.turns, [0]);
    assert.equal(c.chat, tok.count('<|im_start|>user\n<|im_end|>\n<|im_start|>assistant\n'));
  });
});

describe('speed-ups of the JS tokenizer', () => {
  it('apply to every bundled family (a library change that drops them shows here)', async () => {
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const { speedUp } = await import('../../src/core/tokenize/speedups');
    const path = await import('node:path');
    for (const name of ['qwen3', 'deepseek-v3', 'llama3']) {
      const json = bundledTokenizerJson(name);
      const config = JSON.parse(readFileSync(path.join(path.dirname(json), 'tokenizer_config.json'), 'utf8'));
      const plain = new Tokenizer(JSON.parse(readFileSync(json, 'utf8')), config);
      const fast = new Tokenizer(JSON.parse(readFileSync(json, 'utf8')), config);
      assert.deepEqual(speedUp(fast as never), ['byte-level', 'bpe-cache', 'merge-lookup'], name);
      const text = Object.values(SAMPLES).join('\n') + SPECIALS[name];
      assert.deepEqual(fast.encode(text).ids, plain.encode(text).ids, name);
    }
  });
});
