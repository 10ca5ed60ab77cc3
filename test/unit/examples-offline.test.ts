// Every shipped example counts its tokens on first open with no network and an empty Hugging Face
// cache: each uses a bundled tokenizer (or the default setting's, qwen3), and none needs a download.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { computeTokenHints } from '../../src/extension/language/token-hints';
import { BUNDLED_TOKENIZERS } from '../../src/core/tokenize/bundled';

const dir = path.join(import.meta.dirname, '..', '..', 'examples');
const emptyHub = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-empty-hub-'));
after(() => fs.rmSync(emptyHub, { recursive: true, force: true }));

const examples = fs.readdirSync(dir).filter((f) => f.endsWith('.llmload'));

test('there are examples to check', () => assert.ok(examples.length >= 5, examples.join()));

for (const name of examples) {
  test(`examples/${name}: counts offline with a bundled tokenizer`, async () => {
    const file = path.join(dir, name);
    // The editor's default setting is qwen3 (package.json llmload.defaultTokenizer); no environment variables set.
    const r = await computeTokenHints(fs.readFileSync(file, 'utf8'), { file, defaultTokenizer: 'qwen3', hfCacheDir: emptyHub, env: {} });
    assert.ok(r.tokenizer, `${name}: a tokenizer (${r.note ?? ''})`);
    assert.ok(BUNDLED_TOKENIZERS.includes(r.tokenizer.name), `${name}: bundled, not ${r.tokenizer.name}`);
    assert.equal(r.tokenizerProblem, undefined, `${name}: nothing to download`);
    assert.ok(r.hints.length > 0, `${name}: counts shown`);
    assert.ok(r.hints.every((h) => /tok/.test(h.label)), r.hints.map((h) => h.label).join(' | '));
  });
}
