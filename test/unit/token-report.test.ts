// Count Tokens' report: prompts and datasets with their counts and a total, the tokenizer named,
// from the same computation as the inline hints (examples/dataset.llmload: its datasets are counted,
// not "0 count(s)").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { computeTokenHints } from '../../src/extension/language/token-hints';
import { tokenReport } from '../../src/extension/language/token-report';

const examples = path.join(import.meta.dirname, '..', '..', 'examples');

test('examples/dataset.llmload: every dataset is in the report with its prompts and a total', async () => {
  const file = path.join(examples, 'dataset.llmload');
  const r = await computeTokenHints(fs.readFileSync(file, 'utf8'), { file, defaultTokenizer: 'qwen3' });
  const rep = tokenReport(file, r);
  const datasetHints = r.hints.filter((h) => h.subject?.kind === 'dataset');
  assert.ok(datasetHints.length >= 1);
  assert.equal(rep.datasets, datasetHints.length);
  assert.ok(rep.total > 0);
  assert.match(rep.markdown, /^# Token counts: dataset\.llmload/);
  assert.match(rep.markdown, /Counted by \*\*qwen3\*\*/);
  assert.match(rep.markdown, /## Datasets/);
  const sum = r.hints.reduce((a, h) => a + (h.subject && h.subject.kind !== 'turn' ? (h.subject.tokens ?? 0) : 0), 0);
  assert.equal(rep.total, sum);
  assert.match(rep.markdown, new RegExp(`\\*\\*Total: ${sum.toLocaleString('en-US')} tokens\\*\\*`));
});

test('prompts: one row each with the served count; a crossed limit is marked', async () => {
  const file = '/tmp/report.llmload';
  const text = 'scenario "r"\ntarget builtin:chat\nmodel m\ntokenizer qwen3\nload users 1 for 1s\nprompt "a"\n  user Hello, world!\n  max_tokens 16\nprompt "b"\n  user Hi\n  max_tokens 900000\n';
  const r = await computeTokenHints(text, { file });
  const rep = tokenReport(file, r);
  assert.equal(rep.prompts, 2);
  assert.match(rep.markdown, /\| a \| 6 \| 12 \| {2}\|/);
  assert.match(rep.markdown, /\| b \| 9 \| \d+ \| ⚠ limit crossed \|/);
  assert.match(rep.markdown, /## Limits/);
});

test('no tokenizer: the report says why', () => {
  const rep = tokenReport('/tmp/x.llmload', { hints: [], limits: [], note: 'no tokenizer: add a `tokenizer` line' });
  assert.match(rep.markdown, /No counts: no tokenizer/);
  assert.equal(rep.total, 0);
});
