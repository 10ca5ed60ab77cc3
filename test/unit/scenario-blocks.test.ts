// The block registry of the scenario parser (src/core/scenario/blocks/registry.ts): every top-level
// word has a module that parses it, every indented block has exactly one module that owns its
// words, and the parser dispatches each word to its module (no word falls through to "unknown").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/core/scenario';
import { CONTEXT_KEYWORDS, TOP_KEYWORDS } from '../../src/core/scenario/keywords';
import { BLOCKS, CONTEXT_WORDS, TEXT_ENDING_WORDS } from '../../src/core/scenario/blocks/registry';
import type { Context } from '../../src/core/scenario/parse-core';

const modules = [...new Set(Object.values(BLOCKS))];

test('every registered word has a directive with hover text in its module, and every directive is registered', () => {
  for (const [word, block] of Object.entries(BLOCKS)) {
    assert.ok(Object.hasOwn(block.directives, word), `the module registered for "${word}" has no directive "${word}"`);
    assert.match(block.directives[word].doc, /\S.{20,}/, `"${word}" needs a one-line description`);
  }
  for (const block of modules) {
    for (const word of Object.keys(block.directives)) assert.equal(BLOCKS[word], block, `directive "${word}" is not registered to its module`);
  }
});

test('the top-level words keep the order completion lists them in and "expected ..." messages name them', () => {
  assert.deepEqual(Object.keys(TOP_KEYWORDS), [
    'scenario', 'target', 'api', 'model', 'tokenizer', 'context', 'timeout', 'header', 'key', 'var', 'seed', 'prompt', 'dataset', 'load',
    'warmup', 'stop', 'think', 'buckets', 'trace', 'expect', 'think_tags', 'length', 'backoff', 'keep_alive', 'threads', 'thread_priority', 'server', 'sse',
    'websocket',
  ]);
  assert.equal(TOP_KEYWORDS.load, BLOCKS.load.directives.load.doc);
});

test('each indented block is owned by exactly one module, and the editor sees the same words', () => {
  const contexts = Object.keys(CONTEXT_WORDS) as Context[];
  assert.deepEqual(contexts, ['top', 'prompt', 'jsonl', 'sharegpt', 'synthetic', 'math500', 'arithmetic', 'step', 'stages', 'expect', 'sse', 'websocket']);
  for (const ctx of contexts.filter((c) => c !== 'top')) {
    const owners = modules.filter((m) => m.contexts?.[ctx]);
    assert.equal(owners.length, 1, `context "${ctx}" has ${owners.length} owners`);
  }
  assert.equal(CONTEXT_KEYWORDS, CONTEXT_WORDS);
  assert.equal(CONTEXT_KEYWORDS.step.add, 'Users added per step: add 2 users every 30s');
  // A line starting with a block word ends an unclosed """ text block; words of sse/websocket blocks do not.
  assert.ok(TEXT_ENDING_WORDS.has('max_tokens') && TEXT_ENDING_WORDS.has('load'));
  assert.ok(!TEXT_ENDING_WORDS.has('done_data'));
});

test('the parser sends every registered word to its module: none comes back as an unknown line', () => {
  const lines: Record<string, string> = {
    scenario: 'scenario "x"', target: 'target builtin:reasoning', api: 'api openai-chat', model: 'model m', tokenizer: 'tokenizer t',
    context: 'context 8k', timeout: 'timeout 10s', header: 'header X-A b', key: 'key k', var: 'var A b', seed: 'seed 1',
    prompt: 'prompt "p"\n  user hi', dataset: 'dataset synthetic\n  input 10 tokens\n  output 5 tokens', load: 'load users 1 for 1s',
    warmup: 'warmup 1s', stop: 'stop after 5s', think: 'think 1s', buckets: 'buckets 1k 2k', trace: 'trace all', expect: 'expect ttft p95 < 2s',
    think_tags: 'think_tags off', length: 'length fails', backoff: 'backoff off', keep_alive: 'keep_alive off', threads: 'threads 2',
    thread_priority: 'thread_priority high',
    server: 'server metrics builtin:', sse: 'sse\n  answer token.text', websocket: 'websocket\n  answer answer',
  };
  assert.deepEqual(Object.keys(lines).sort(), Object.keys(BLOCKS).sort(), 'one sample line per registered word');
  for (const [word, line] of Object.entries(lines)) {
    const { tree, diagnostics } = parseScenario(line + '\n');
    assert.deepEqual(diagnostics, [], `${word}: ${JSON.stringify(diagnostics)}`);
    assert.equal(tree.statements.length, 1);
    assert.notEqual(tree.statements[0].kind, 'unknown', word);
    assert.equal(tree.statements[0].keyword.text, word);
  }
});

test('a block module gives its own advice for a word out of place in its block', () => {
  const words = (text: string) => parseScenario(text).diagnostics.map((d) => d.message);
  // mappings.ts: the other block's word
  assert.deepEqual(words('websocket\n  body {}\n'), ['a websocket sends a message, not a body: write message {...} with the same JSON']);
  // dataset.ts: a line a synthetic set does not take
  assert.deepEqual(words('dataset synthetic\n  max_tokens 5\n'), ['a synthetic dataset sets max_tokens from its output line; write output 256 tokens']);
  // the core's generic advice for a word of another block
  assert.deepEqual(words('prompt "p"\n  user hi\n  start 2 users\n'), ['"start" belongs in a load step block, not in a prompt block']);
});
