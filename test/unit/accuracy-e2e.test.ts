/**
 * Accuracy end to end: the CLI runs a scenario on the built-in simulator, which answers generated
 * arithmetic problems correctly with its profile's accuracy; the run grades every answer on the
 * main thread and reports accuracy with a 95% Wilson interval, per level, and gates on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli';
import type { Summary } from '../../src/core/metrics/summary';

const FAST = 'decode_tokens_per_s=2000&overhead_ms=1&answer_tokens=4-8&keepalive_interval_ms=0';

function arithmeticScenario(dir: string, name: string, accuracy: number, expect: string): string {
  const file = path.join(dir, `${name}.llmload`);
  fs.writeFileSync(
    file,
    `scenario "accuracy ${name}"
target builtin:chat?${FAST}&accuracy=${accuracy}
model sim-chat
load users 2 for 60s
stop after 500 requests
seed 7
# one user a thread: each stops after its share, so exactly 500 finish (on one thread the other user's request in flight finishes too)
threads 2

dataset arithmetic
  count 500
  seed 3

expect
  ${expect}
`,
  );
  return file;
}

async function run(dir: string, file: string, out: string): Promise<{ code: number | null; stdout: string; summary: Summary; requests: Array<Record<string, unknown>> }> {
  const r = await runCli(['run', file, '--out', out], dir);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as Summary;
  const requests = fs
    .readFileSync(path.join(out, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.code, stdout: r.stdout, summary, requests };
}

test('500 generated problems at accuracy 0.9: the 95% CI holds 0.9, a run at 0.8 is lower, and expect accuracy >= 95% fails with exit 1', async () => {
  const dir = tempDir();
  const a = await run(dir, arithmeticScenario(dir, 'a', 0.9, 'accuracy >= 95%'), path.join(dir, 'out-a'));
  const acc = a.summary.accuracy!;
  assert.ok(acc, 'summary.json has accuracy');
  assert.equal(acc.graded, 500);
  assert.equal(acc.correct + acc.wrong + acc.unparsed, 500);
  assert.ok(acc.wrong > 0 && acc.unparsed > 0, `wrong ${acc.wrong}, unparsed ${acc.unparsed}`);
  const [lo, hi] = acc.ci95!;
  assert.ok(lo <= 0.9 && 0.9 <= hi, `95% CI ${lo}..${hi} holds 0.9 (value ${acc.value})`);
  assert.ok(hi - lo < 0.07, 'the interval is as narrow as 500 answers make it');
  assert.deepEqual(Object.keys(acc.by_level), ['1', '2', '3', '4']);
  assert.equal(Object.values(acc.by_level).reduce((s, c) => s + c.graded, 0), 500);
  // exit code and the CLI's lines
  assert.equal(a.code, 1);
  assert.match(a.stdout, /accuracy \d+\.\d% \(95% CI \d+\.\d%–\d+\.\d%\)\s+correct \d+\s+wrong \d+\s+unparsed \d+/);
  assert.match(a.stdout, /FAIL\s+accuracy >= 95%\s+actual \d+\.\d+%/);
  const failed = a.summary.expectations.find((e) => e.text === 'accuracy >= 95%')!;
  assert.equal(failed.pass, false);
  assert.equal(failed.actual, acc.value);
  // every request has its grade; the answer text itself is not written
  for (const r of a.requests) {
    const g = r.grade as { verdict: string; expected: string; extracted?: string };
    assert.ok(['correct', 'wrong', 'unparsed'].includes(g.verdict));
    assert.equal(typeof g.expected, 'string');
    if (g.verdict === 'unparsed') assert.equal(g.extracted, undefined);
    else assert.equal(typeof g.extracted, 'string');
    if (g.verdict === 'wrong') assert.notEqual(g.extracted, g.expected);
    assert.equal('graded_text' in r, false);
  }

  const b = await run(dir, arithmeticScenario(dir, 'b', 0.8, 'accuracy >= 50%'), path.join(dir, 'out-b'));
  const accB = b.summary.accuracy!;
  assert.equal(accB.graded, 500);
  assert.ok(accB.value! < acc.value!, `accuracy=0.8 gives ${accB.value}, below ${acc.value}`);
  assert.ok(accB.ci95![0] <= 0.8 && 0.8 <= accB.ci95![1], `95% CI ${accB.ci95} holds 0.8`);
  assert.equal(b.code, 0);
});

test('a MATH-500 file on a reasoning profile: thinking first, answers graded by math, accuracy per subject and level', async () => {
  const dir = tempDir();
  const data = path.resolve(__dirname, '../fixtures/accuracy/math500-sample.jsonl');
  const file = path.join(dir, 'math.llmload');
  fs.writeFileSync(
    file,
    `scenario "math500"
target builtin:reasoning?${FAST}&thinking_tokens=4-8&accuracy=1
model sim-reasoner
load users 2 for 30s
stop after 40 requests
# one user a thread, so exactly 40 finish (see above)
threads 2

dataset math500 ${JSON.stringify(data)}

expect
  accuracy >= 99%
`,
  );
  const r = await run(dir, file, path.join(dir, 'out'));
  assert.equal(r.code, 0, r.stdout);
  const acc = r.summary.accuracy!;
  // 40 draws from the 4 problems: every subject is drawn but for about 1 run in 50,000 (12 draws
  // missed one in about 1 run in 16).
  assert.equal(acc.graded, 40);
  assert.equal(acc.correct, 40);
  assert.deepEqual(Object.keys(acc.by_subject).sort(), ['Algebra', 'Prealgebra', 'Precalculus']);
  assert.ok(Object.keys(acc.by_level).length >= 3);
  for (const q of r.requests) {
    assert.ok((q.thinking_tokens as number) > 0, 'the reasoning profile thought first');
    const g = q.grade as { verdict: string; expected: string; extracted: string };
    assert.equal(g.verdict, 'correct');
  }
  assert.ok(r.requests.some((q) => (q.grade as { expected: string }).expected === '\\left( 3, \\frac{\\pi}{2} \\right)'));
});
