/**
 * Quantization costs accuracy by the documented amount, end to end. The same generated arithmetic
 * set (500 problems, seeded) runs through the CLI on the calibrated engine profile in BF16 and in
 * INT4. The simulator answers correctly with 0.9 × the format's *accuracy kept* factor (BF16 1,
 * INT4 0.97: 0.9 vs 0.873, docs/simulator.md, Quantization), and each prompt's draw is
 * deterministic, so INT4 only turns some of BF16's correct answers wrong. The INT4 run must be
 * lower by about 2.7 points (between 1 and 5 within sampling error), each run's 95% CI must hold
 * its expected accuracy, and `llmload compare --fail-if "accuracy -2%"` must fail with exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli';
import type { Summary } from '../../src/core/metrics/summary';

/** Short answers (max_tokens 32) and 32 users: each run takes about a second of wall time. */
function scenario(dir: string, name: string, target: string): string {
  const file = path.join(dir, `${name}.llmload`);
  fs.writeFileSync(
    file,
    `scenario "quantization ${name}"
target ${target}
model meta-llama/Llama-3.1-8B-Instruct
tokenizer llama3
load users 32 for 60s
stop after 500 requests
seed 5

dataset arithmetic
  count 500
  seed 5
  max_tokens 32
`,
  );
  return file;
}

async function run(dir: string, name: string, target: string): Promise<{ out: string; summary: Summary; requests: Array<Record<string, unknown>> }> {
  const out = path.join(dir, name);
  const r = await runCli(['run', scenario(dir, name, target), '--out', out], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as Summary;
  const requests = fs
    .readFileSync(path.join(out, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { out, summary, requests };
}

test('INT4 on llama3-8b-h100 answers 500 arithmetic problems about 2.7 points worse than BF16 (0.9 vs 0.873), and compare --fail-if "accuracy -2%" exits 1', async () => {
  const dir = tempDir();
  const bf16 = await run(dir, 'bf16', 'builtin:llama3-8b-h100');
  const int4 = await run(dir, 'int4', 'builtin:llama3-8b-h100?quantization=int4');

  const a = bf16.summary.accuracy!;
  const b = int4.summary.accuracy!;
  for (const [label, acc, expected] of [
    ['bf16', a, 0.9],
    ['int4', b, 0.873],
  ] as const) {
    assert.ok(acc, `${label}: summary.json has accuracy`);
    // `stop after 500 requests` counts finished requests; the ones in flight at that moment finish too
    assert.ok(acc.graded >= 500 && acc.graded <= 532, `${label}: graded ${acc.graded}`);
    assert.equal(acc.correct + acc.wrong + acc.unparsed, acc.graded);
    assert.equal(acc.failed_ungraded, 0);
    const [lo, hi] = acc.ci95!;
    assert.ok(lo <= expected && expected <= hi, `${label}: 95% CI ${lo}..${hi} holds ${expected} (value ${acc.value})`);
  }
  const drop = a.value! - b.value!;
  assert.ok(drop >= 0.01 && drop <= 0.05, `INT4 is lower by ${(drop * 100).toFixed(2)} points (expected 2.7)`);

  // A lower accuracy only turns correct answers wrong: no prompt INT4 gets right is wrong in BF16.
  const verdicts = (rs: Array<Record<string, unknown>>): Map<string, string> =>
    new Map(rs.map((r) => [r.prompt as string, (r.grade as { verdict: string }).verdict]));
  const vb = verdicts(bf16.requests);
  const vi = verdicts(int4.requests);
  let shared = 0;
  let turned = 0;
  for (const [prompt, v] of vi) {
    const before = vb.get(prompt);
    if (before === undefined) continue;
    shared++;
    if (v === 'correct') assert.equal(before, 'correct', `${prompt}: right in INT4, so right in BF16`);
    if (before === 'correct' && v !== 'correct') turned++;
  }
  assert.ok(shared > 250, `${shared} prompts asked in both runs`);
  assert.ok(turned > 0, 'some answers BF16 got right are wrong in INT4');

  // The gate between the two runs: 2 points is crossed, 5 points is not.
  const strict = await runCli(['compare', bf16.out, int4.out, '--fail-if', 'accuracy -2%'], dir);
  assert.equal(strict.code, 1, strict.stdout + strict.stderr);
  assert.match(strict.stdout, /FAIL\s+accuracy -2%/);
  const loose = await runCli(['compare', bf16.out, int4.out, '--fail-if', 'accuracy -5%'], dir);
  assert.equal(loose.code, 0, loose.stdout + loose.stderr);
});
