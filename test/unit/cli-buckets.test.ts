// Token buckets end to end: prompts counted by the tokenizer before the run, the server's counts
// kept beside them, and summary.json grouped by input size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli';

test('summary.json gains per-bucket figures, and records keep the server count beside the tokenizer count', async () => {
  const dir = tempDir();
  const long = 'The quick brown fox jumps over the lazy dog. '.repeat(60);
  fs.writeFileSync(
    path.join(dir, 'b.llmload'),
    `scenario "buckets"
target builtin:chat
api openai-chat
model Qwen/Qwen3-8B
tokenizer qwen3
buckets 100 1k

load users 2 for 2s

prompt "small"
  user Hi!
  max_tokens 16

prompt "large"
  user ${long}
  max_tokens 16
`,
  );
  const r = await runCli(['run', path.join(dir, 'b.llmload'), '--out', path.join(dir, 'run')], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /by input tokens/);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
  assert.deepEqual(summary.buckets.map((b: { label: string }) => b.label), ['<100', '100-1k', '>=1k']);
  const [small, mid, big] = summary.buckets;
  assert.ok(small.requests > 0 && big.requests === 0, JSON.stringify(summary.buckets.map((b: { requests: number }) => b.requests)));
  assert.ok(mid.requests > 0);
  assert.equal(small.requests + mid.requests, summary.requests.total);
  assert.ok(mid.ttft_ms.p50 > 0);

  const recs = fs.readFileSync(path.join(dir, 'run', 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  for (const rec of recs) {
    assert.equal(rec.input_tokens_source, 'server');
    assert.ok(rec.input_tokens_tokenizer > 0, 'the tokenizer count is kept beside the server count');
  }
  const bigOnes = recs.filter((x) => x.prompt === 'large');
  assert.ok(bigOnes.every((x) => x.input_tokens_tokenizer > 100 && x.input_tokens_tokenizer < 1000));
  assert.equal(summary.token_accounting.input.requests, summary.requests.ok);
  assert.equal(typeof summary.token_accounting.input.diff_pct, 'number');
  assert.equal(summary.token_accounting.output.requests, summary.requests.ok);
});
