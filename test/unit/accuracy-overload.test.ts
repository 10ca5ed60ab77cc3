/**
 * Overload can lower accuracy: a question that arrives while requests queue for the simulator's
 * serving slots is answered right with accuracy × (1 − overload_accuracy_drop × pressure), pressure
 * being the queued requests per slot (at most 1). The draw stays seeded per question, so the same
 * scenario with more users than slots can only lose correct answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { answerAccuracy } from '../../src/core/sim/answers';
import { createEngine } from '../../src/core/sim/admission';
import { defineProfile, resolveProfile } from '../../src/core/sim/profiles';
import { runCli, tempDir } from '../helpers/cli';
import type { Summary } from '../../src/core/metrics/summary';

test('overload_accuracy_drop scales the accuracy by the queue pressure, capped at one queued request per slot', () => {
  const p = defineProfile('chat', { accuracy: 0.9, overload_accuracy_drop: 0.5 });
  assert.equal(answerAccuracy(p, 0), 0.9);
  assert.equal(answerAccuracy(p, 0.5), 0.9 * 0.75);
  assert.equal(answerAccuracy(p, 1), 0.45);
  assert.equal(answerAccuracy(p, 7), 0.45, 'pressure is capped at 1');
  assert.equal(answerAccuracy(defineProfile('chat', { accuracy: 0.9 }), 1), 0.9, 'absent: overload costs nothing');
  assert.equal(resolveProfile('chat?overload_accuracy_drop=0.2').overload_accuracy_drop, 0.2);
  assert.throws(() => resolveProfile('chat?overload_accuracy_drop=2'), /overload_accuracy_drop must be between 0 and 1/);
});

test('the slot queue reports its pressure: queued requests per slot', () => {
  const e = createEngine(2, 0);
  const releases = Array.from({ length: 5 }, () => e.admit(() => undefined));
  assert.equal(e.pressure!(), 1.5, '2 served, 3 queued on 2 slots');
  releases[0]!();
  assert.equal(e.pressure!(), 1, 'one queued request got the freed slot');
  releases[4]!();
  assert.equal(e.pressure!(), 0.5, 'a queued request that leaves is no longer counted');
  for (const r of releases) r();
  assert.equal(e.pressure!(), 0);
});

const FAST = 'decode_tokens_per_s=2000&overhead_ms=1&answer_tokens=4-8&keepalive_interval_ms=0';

async function accuracyWith(dir: string, name: string, users: number): Promise<Summary> {
  const file = path.join(dir, `${name}.llmload`);
  // One serving slot, accuracy 1, and an overload that costs every answer: a question is right
  // exactly when nothing queued before it.
  fs.writeFileSync(
    file,
    `scenario "overload ${name}"
target builtin:chat?${FAST}&max_concurrency=1&accuracy=1&overload_accuracy_drop=1
model sim-chat
load users ${users} for 60s
stop after 60 requests
seed 7

dataset arithmetic
  count 100
  seed 3
`,
  );
  const out = path.join(dir, `out-${name}`);
  const r = await runCli(['run', file, '--out', out], dir);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as Summary;
}

test('a run with more users than slots loses accuracy to overload; one user alone loses none', async () => {
  const dir = tempDir();
  const alone = await accuracyWith(dir, 'alone', 1);
  assert.equal(alone.accuracy!.value, 1, 'never queued: every answer right');
  const crowded = await accuracyWith(dir, 'crowded', 6);
  assert.ok(crowded.accuracy!.graded >= 60);
  assert.ok((crowded.accuracy!.value ?? 1) < 0.5, `6 users on one slot: most questions arrive to a queue (accuracy ${crowded.accuracy!.value})`);
});
