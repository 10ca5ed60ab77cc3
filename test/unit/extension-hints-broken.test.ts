// Token hints while the file has errors (as it has while the user types): every prompt that still
// resolves keeps its count, a prompt whose own lines are broken shows nothing, and directives the
// count depends on come from the last good resolution of the file.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { computeTokenHints } from '../../src/extension/language/token-hints';
import { resolveLeniently } from '../../src/extension/language/lenient-plan';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmload-hints-broken-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const file = path.join(tmp, 'demo.llmload');

const CLEAN = `scenario "Hints"
target builtin:chat
api openai-chat
model sim-chat
tokenizer qwen3
load users 1 for 1s

prompt "greeting"
  user Hello, world!
  max_tokens 16

prompt "essay"
  system You are terse.
  user Write three sentences about the sea and its tides.
  max_tokens 64
`;

const labels = (r: { hints: { at: { line: number }; label: string }[] }) => r.hints.map((h) => `${h.at.line}:${h.label}`);

describe('token hints with errors elsewhere in the file', () => {
  it('a half-typed word at the top level keeps every count exactly as in the clean file', async () => {
    const clean = await computeTokenHints(CLEAN, { file });
    assert.equal(clean.partial, undefined);
    assert.equal(clean.hints.length, 5, 'two prompt headers and three turns');
    const broken = CLEAN.replace('load users 1 for 1s\n', 'load users 1 for 1s\ntok\n');
    const r = await computeTokenHints(broken, { file });
    // Same counts; every line after the inserted one moves down by one.
    assert.deepEqual(
      labels(r),
      clean.hints.map((h) => `${h.at.line + 1}:${h.label}`),
    );
    assert.deepEqual(r.partial?.droppedLines, [6]);
    assert.match(r.note ?? '', /the file has errors: counts shown for the blocks that resolve/);
    assert.equal(r.tokenizer?.name, 'qwen3');
  });

  it('a broken line inside one prompt hides only that prompt\'s counts (no stale numbers)', async () => {
    const clean = await computeTokenHints(CLEAN, { file });
    const broken = CLEAN.replace('  max_tokens 64', '  max_tok 64');
    const r = await computeTokenHints(broken, { file });
    const essayLines = new Set([11, 12, 13, 14]);
    assert.deepEqual(
      labels(r),
      clean.hints.filter((h) => !essayLines.has(h.at.line)).map((h) => `${h.at.line}:${h.label}`),
    );
    assert.ok(!r.hints.some((h) => essayLines.has(h.at.line)), 'the broken prompt shows nothing');
    assert.deepEqual(r.partial?.droppedLines, [11]);
  });

  it('a broken load, target or an unfinished api line does not hide the counts', async () => {
    const clean = await computeTokenHints(CLEAN, { file });
    for (const [from, to] of [
      ['load users 1 for 1s', 'load users'],
      ['target builtin:chat', 'target'],
      ['load users 1 for 1s', 'load stps'],
    ] as const) {
      const r = await computeTokenHints(CLEAN.replace(from, to), { file });
      assert.deepEqual(labels(r), labels(clean), `${to}: same counts as the clean file`);
    }
  });

  it('a prompt using a variable whose definition is broken shows nothing; the others still count', async () => {
    const text = CLEAN.replace('scenario "Hints"\n', 'scenario "Hints"\nvar topic\n').replace('about the sea', 'about ${topic}');
    const r = await computeTokenHints(text, { file });
    assert.ok(r.hints.some((h) => h.at.line === 8), 'greeting (line 8) counted');
    assert.ok(!r.hints.some((h) => h.at.line >= 12), 'essay uses the broken variable: no count');
  });

  it('a broken model line counts with the last good model (its tokenizer), else with the default', async () => {
    const text = CLEAN.replace('tokenizer qwen3\n', '').replace('model sim-chat', 'model Qwen/Qwen3-8B');
    const good = await computeTokenHints(text, { file });
    assert.equal(good.tokenizer?.name, 'qwen3');
    assert.equal(good.tokenizer?.chosenBy, 'model');
    assert.deepEqual(good.resolved, { api: 'openai-chat', model: 'Qwen/Qwen3-8B', tokenizer: undefined });
    const broken = text.replace('model Qwen/Qwen3-8B', 'model "Qwen/Qwen3-8B');
    const withMemory = await computeTokenHints(broken, { file, lastGood: good.resolved });
    assert.equal(withMemory.tokenizer?.name, 'qwen3', 'the model of the last good resolution picks the tokenizer');
    assert.deepEqual(withMemory.partial?.borrowed, ['model'], 'the api line is intact: only the model is borrowed');
    assert.deepEqual(labels(withMemory), labels(good));
    assert.equal(withMemory.resolved, undefined, 'a repaired plan is never remembered as good');
    const noMemory = await computeTokenHints(broken, { file, defaultTokenizer: 'llama3' });
    assert.equal(noMemory.tokenizer?.name, 'llama3', 'no memory: the default tokenizer, said by chosenBy');
    assert.equal(noMemory.tokenizer?.chosenBy, 'default');
  });

  it('a file with only broken prompts has no counts and says why', async () => {
    const r = await computeTokenHints('target builtin:chat\nload users 1 for 1s\nprompt "x"\n  usr hi\n', { file });
    assert.deepEqual(r.hints, []);
    assert.match(r.note ?? '', /errors/);
  });

  it('resolveLeniently keeps line numbers: the repaired tree puts subjects on the original lines', () => {
    const broken = CLEAN.replace('api openai-chat', 'api openai-chatt');
    const r = resolveLeniently(broken, file);
    assert.ok(r.plan, 'resolves once the api line is left out');
    assert.equal(r.repaired, true);
    assert.deepEqual(r.droppedLines, [2]);
    const prompts = r.tree.statements.filter((s) => s.kind === 'prompt').map((s) => s.range.start.line);
    assert.deepEqual(prompts, [7, 11]);
    assert.deepEqual(r.plan.prompts.map((p) => p.name), ['greeting', 'essay']);
  });
});

describe('a hub tokenizer that is not downloaded yet', () => {
  it('counts with the bundled tokenizer of the same family, and says so (not "not allowed")', async () => {
    const cache = mkdtempSync(path.join(tmp, 'hub-'));
    const text = CLEAN.replace('tokenizer qwen3', 'tokenizer Qwen/Qwen3-8B');
    const r = await computeTokenHints(text, { file, hfCacheDir: cache });
    const bundled = await computeTokenHints(CLEAN, { file });
    assert.equal(r.tokenizer?.name, 'qwen3');
    assert.equal(r.tokenizer?.fallbackFor, 'Qwen/Qwen3-8B');
    assert.deepEqual(labels(r), labels(bundled), 'the same counts as the bundled qwen3');
    assert.equal(r.tokenizerProblem?.code, 'needs-download', 'the editor still offers the download');
    assert.match(r.note ?? '', /Qwen\/Qwen3-8B is not downloaded yet.*counted with the bundled qwen3 tokenizer \(the same family\)/);
    assert.doesNotMatch(r.note ?? '', /not allowed/);
    assert.match(r.hints[0]!.tooltip, /until Qwen\/Qwen3-8B is downloaded/);
  });

  it('an id of no known family has no counts and says it is not downloaded yet', async () => {
    const cache = mkdtempSync(path.join(tmp, 'hub-'));
    const r = await computeTokenHints(CLEAN.replace('tokenizer qwen3', 'tokenizer acme/unknown-family'), { file, hfCacheDir: cache });
    assert.equal(r.tokenizer, undefined);
    assert.match(r.tokenizerProblem?.message ?? '', /is not downloaded yet/);
    assert.doesNotMatch(r.hints.map((h) => h.tooltip).join(' '), /not allowed/);
  });
});

