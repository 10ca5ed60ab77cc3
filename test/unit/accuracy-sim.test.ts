/**
 * The simulator answers questions: correct with the profile's accuracy, otherwise a near miss or no
 * answer, after its planned thinking; the answer reaches it in a header that only builtin targets get.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { answerQuestion, drawOutcome, SIM_ANSWER_HEADER, withSimAnswers, wrongAnswer } from '../../src/core/sim/answers';
import { planGeneration, type SimRequest } from '../../src/core/sim/generation';
import { defineProfile, resolveProfile } from '../../src/core/sim/profiles';
import { createRng } from '../../src/core/sim/random';
import { gradeAnswer } from '../../src/core/grade';
import { startRun } from '../../src/core/run/runner';
import { plan } from '../helpers/plans';

const request = (promptText: string, over: Partial<SimRequest> = {}): SimRequest => ({ promptText, stream: true, includeUsage: true, thinking: true, ...over });

test('accuracy is a profile option: builtin:reasoning?accuracy=0.87', () => {
  assert.equal(resolveProfile('reasoning?accuracy=0.87').accuracy, 0.87);
  assert.equal(resolveProfile('chat').accuracy, undefined, 'absent: the default 0.9 applies');
  assert.throws(() => resolveProfile('chat?accuracy=1.5'), /accuracy must be between 0 and 1/);
});

test('the answer comes after the planned thinking, boxed for the math grader, and grades as drawn', () => {
  const profile = defineProfile('reasoning', { accuracy: 1 });
  const req = request('Compute $2+2$.');
  const gen = planGeneration({ profile, request: req, rng: createRng(1), thinkTags: false });
  const out = answerQuestion(gen, `math:${encodeURIComponent('4')}`, profile, 1, req);
  const phases = out.chunks.map((c) => c.phase);
  assert.ok(phases.indexOf('answer') > phases.lastIndexOf('thinking'), 'thinking first');
  assert.equal(out.thinkingText, gen.thinkingText);
  assert.equal(out.answerText, 'So the final answer is $\\boxed{4}$.');
  assert.equal(out.answerTokens, out.chunks.filter((c) => c.phase === 'answer').reduce((s, c) => s + c.tokens, 0));
  assert.equal(gradeAnswer('math', out.answerText, '4').verdict, 'correct');
  // accuracy 0: never correct; wrong answers are near misses, the rest unparsed
  const never = defineProfile('chat', { accuracy: 0 });
  const seen = { wrong: 0, unparsed: 0, correct: 0 };
  for (let i = 0; i < 200; i++) {
    const r = request(`Compute $${i}+1$.`);
    const g = answerQuestion(planGeneration({ profile: never, request: r, rng: createRng(i), thinkTags: false }), `math:${i + 1}`, never, 1, r);
    seen[gradeAnswer('math', g.answerText, String(i + 1)).verdict]++;
  }
  assert.equal(seen.correct, 0);
  assert.ok(seen.wrong > 100 && seen.unparsed > 30, JSON.stringify(seen));
  // no header, a tool call, or a fault that left no answer: unchanged
  assert.equal(answerQuestion(gen, undefined, profile, 1, req), gen);
  assert.equal(answerQuestion(gen, 'nonsense', profile, 1, req), gen);
});

test('a max_tokens cap cuts the answer and says length', () => {
  const profile = defineProfile('chat', { accuracy: 1 });
  const req = request('Compute $2+2$.', { maxTokens: 3 });
  const out = answerQuestion(planGeneration({ profile, request: req, rng: createRng(1), thinkTags: false }), 'math:4', profile, 1, req);
  assert.equal(out.answerTokens, 3);
  assert.equal(out.finishReason, 'length');
  assert.equal(gradeAnswer('math', out.answerText, '4').verdict, 'unparsed');
});

test('the draw: same question same verdict; a lower accuracy only turns correct answers wrong', () => {
  let fewer = 0;
  for (let i = 0; i < 300; i++) {
    const r = request(`q${i}`);
    const hi = drawOutcome(0.9, 5, r, '1');
    assert.equal(drawOutcome(0.9, 5, r, '1'), hi);
    const lo = drawOutcome(0.8, 5, r, '1');
    if (hi !== 'correct') assert.notEqual(lo, 'correct');
    if (hi === 'correct' && lo !== 'correct') fewer++;
  }
  assert.ok(fewer > 10);
  const rng = createRng(3);
  assert.notEqual(wrongAnswer('42', rng), '42');
  assert.match(wrongAnswer('\\frac{7}{12}', rng), /^\\frac\{\d+\}\{12\}$/);
  assert.match(wrongAnswer('B', rng), /^[ACDE]$/);
});

test('withSimAnswers sets the header value for prompts with answers only', () => {
  const p = withSimAnswers(plan({ prompts: [{ name: 'a', weight: 1, messages: [], params: {}, answer: '\\frac{1}{2}', grader: 'math' }, { name: 'b', weight: 1, messages: [], params: {} }] }));
  assert.equal(p.prompts[0]!.sim_answer, 'math:%5Cfrac%7B1%7D%7B2%7D');
  assert.equal(p.prompts[1]!.sim_answer, undefined);
});

test('a URL target never gets the simulator header, and its answers are graded the same way', async () => {
  const seen: Array<string | undefined> = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers[SIM_ANSWER_HEADER] as string | undefined);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.end(chunk({ role: 'assistant', content: 'The answer is $\\boxed{\\dfrac{1}{2}}$' }, null) + chunk({}, 'stop') + 'data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acc-url-'));
  try {
    const p = plan({
      target: { kind: 'url', url },
      prompts: [{ name: 'half', weight: 1, messages: [{ role: 'user', content: 'Half?' }], params: {}, answer: '0.5', grader: 'math' }],
      load: { kind: 'users', users: 1, duration_ms: 60_000 },
      stop: { after_requests: 3 },
    });
    const h = await startRun(p, { outDir: dir, workers: 1 });
    const result = await h.done;
    assert.equal(result.summary.accuracy!.correct, 3);
    assert.ok(seen.length >= 3 && seen.every((v) => v === undefined), 'no x-llmload-sim-answer header');
    const rows = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows[0].grade, { verdict: 'correct', expected: '0.5', extracted: '\\dfrac{1}{2}' });
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
