// Capture and replay: a session captured by `llmload mirror --capture` is a replay log; played
// back it keeps its arrival times (the intended send times are the captured ones) and each
// conversation's order (a turn is sent only after the previous turn of its conversation ended).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMirror } from '../../src/core/mirror/session';
import { defineProfile, startSimulator } from '../../src/core/sim';
import { loadReplay, parseReplay } from '../../src/core/load/replay';
import { replaySchedule } from '../../src/core/load/shape';
import { startRun } from '../../src/core/run/runner';
import { loadScenario } from '../../src/core/scenario';
import type { RequestRecord } from '../../src/core/metrics/record';
import { plan } from '../helpers/plans';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-replay-'));
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 3 conversations × 3 turns, interleaved, each turn sent after the previous answer was read. */
async function captureSession(url: string): Promise<void> {
  const history: Array<Array<{ role: string; content: string }>> = [0, 1, 2].map((c) => [
    { role: 'system', content: `assistant ${c}` },
    { role: 'user', content: `conversation ${c} turn 0` },
  ]);
  for (let turn = 0; turn < 3; turn++) {
    for (let c = 0; c < 3; c++) {
      const r = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-capture-key-1234567' },
        body: JSON.stringify({ model: 'prod-model', stream: true, max_tokens: 8, messages: history[c] }),
      });
      const text = await r.text();
      assert.equal(r.status, 200);
      history[c]!.push({ role: 'assistant', content: `answer of ${text.length} bytes` }, { role: 'user', content: `conversation ${c} turn ${turn + 1}` });
      await sleep(15);
    }
  }
}

test('a captured session replays with its arrival times and per-conversation order, over 2 threads', async () => {
  const profile = defineProfile('chat', { name: 'r', decode_tokens_per_s: 400, overhead_ms: 0, answer_tokens: [8, 8], keepalive_interval_ms: 0, jitter: 0 });
  const sim = await startSimulator({ profile });
  const dir = tmp();
  const capture = path.join(dir, 'capture.jsonl');
  const m = await startMirror({ primary: sim.url, shadow: sim.url, sample: 0, out: path.join(dir, 'mirror'), capture, keepPrompts: 'keep' });
  await captureSession(m.url);
  await m.close();
  const lines = readJsonl<{ offset_ms: number; conversation: string; api: string; path: string; body: { model?: string; messages: unknown[] } }>(capture);
  assert.equal(lines.length, 9);
  assert.ok(lines.every((l) => l.api === 'openai-chat' && l.path === '/v1/chat/completions' && l.body.model === 'prod-model'));
  assert.equal(new Set(lines.map((l) => l.conversation)).size, 3, 'three conversations');
  assert.ok(!fs.readFileSync(capture, 'utf8').includes('sk-capture-key'), 'no key in the capture');
  // The capture is a replay log as it stands; the captured model is left to the scenario.
  const { entries, errors } = parseReplay(fs.readFileSync(capture, 'utf8'));
  assert.deepEqual(errors, []);
  assert.equal(entries.length, 9);
  assert.equal(entries[4]!.conversation, lines[4]!.conversation);
  assert.equal(entries[4]!.prompt.body?.model, undefined);

  // Speed 1: every request's intended send time is its captured arrival time.
  const runDir = path.join(dir, 'replay1');
  const h = await startRun(plan({ target: { kind: 'url', url: sim.url }, prompts: [], load: { kind: 'replay', path: capture, speed: 1 } }), { outDir: runDir, workers: 2 });
  const { summary, error } = await h.done;
  assert.equal(error, undefined);
  assert.equal(summary.requests.ok, 9);
  const recs = readJsonl<RequestRecord>(path.join(runDir, 'requests.jsonl')).sort((a, b) => a.id - b.id);
  for (let j = 0; j < 9; j++) {
    assert.ok(Math.abs(recs[j]!.intended_offset_ms! - lines[j]!.offset_ms) <= 10, `request ${j}: intended ${recs[j]!.intended_offset_ms}, captured ${lines[j]!.offset_ms}`);
    assert.ok(recs[j]!.offset_ms >= recs[j]!.intended_offset_ms!, 'never sent early');
  }

  // Speed 20: the next turn is due before the last one ended, and waits for it.
  const fastDir = path.join(dir, 'replay20');
  const h2 = await startRun(plan({ target: { kind: 'url', url: sim.url }, prompts: [], load: { kind: 'replay', path: capture, speed: 20 } }), { outDir: fastDir, workers: 2 });
  assert.equal((await h2.done).summary.requests.ok, 9);
  const fast = readJsonl<RequestRecord>(path.join(fastDir, 'requests.jsonl')).sort((a, b) => a.id - b.id);
  let waited = 0;
  for (const conv of new Set(lines.map((l) => l.conversation))) {
    const turns = fast.filter((r) => lines[r.id]!.conversation === conv);
    assert.equal(turns.length, 3);
    for (let k = 1; k < turns.length; k++) {
      const prev = turns[k - 1]!;
      assert.ok(turns[k]!.offset_ms >= prev.offset_ms + prev.e2e_ms, `conversation ${conv} turn ${k} sent before turn ${k - 1} ended`);
      if (turns[k]!.intended_offset_ms! < prev.offset_ms + prev.e2e_ms) waited++;
    }
  }
  assert.ok(waited > 0, 'no turn had to wait: the test did not press the order');
  await sim.close();
});

test('a replay window keeps the log between from and to, shifted to start at 0; one format for both kinds of line', () => {
  const dir = tmp();
  const file = path.join(dir, 'log.jsonl');
  fs.writeFileSync(
    file,
    [
      JSON.stringify({ offset_ms: 0, prompt: 'a' }),
      JSON.stringify({ offset_ms: 1000, api: 'openai-chat', path: '/v1/chat/completions', conversation: 'c-1', time: '2026-12-06T12:00:01Z', body: { model: 'x', messages: [{ role: 'user', content: [{ type: 'text', text: 'b' }] }] } }),
      JSON.stringify({ offset_s: 2.5, messages: [{ role: 'user', content: 'c' }], conversation: 'c-1' }),
      JSON.stringify({ offset_ms: 4000, prompt: 'd' }),
    ].join('\n'),
  );
  const all = loadReplay(file);
  assert.equal(all.length, 4);
  assert.deepEqual(all[1]!.prompt.body, { messages: [{ role: 'user', content: [{ type: 'text', text: 'b' }] }] });
  const w = loadReplay(file, { from_ms: 1000, to_ms: 4000 });
  assert.deepEqual(w.map((e) => [e.offset_ms, e.conversation]), [[0, 'c-1'], [1500, 'c-1']]);
  assert.throws(() => loadReplay(file, { from_ms: 5000 }), /no entry in the window/);
  // A conversation's sends share a group; the others have none.
  const s = replaySchedule(all, 1);
  assert.deepEqual(s.sends.map((x) => x.group), [undefined, 0, 0, undefined]);
  assert.deepEqual(parseReplay(JSON.stringify({ offset_ms: 1, prompt: 'x', conversation: 5 })).errors, ['line 1: "conversation" must be a non-empty string']);
  // Without "api", a body's messages must still be plain {role, content}.
  assert.match(parseReplay(JSON.stringify({ offset_ms: 1, body: { messages: [{ role: 'user', content: [] }] } })).errors[0]!, /body\.messages/);
});

test('load replay PATH speed X from T to T: the window reaches the plan; an end before the start is an error', () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'log.jsonl'), JSON.stringify({ offset_ms: 0, prompt: 'a' }) + '\n');
  const write = (load: string): string => {
    const f = path.join(dir, 's.llmload');
    fs.writeFileSync(f, `scenario "r"\ntarget http://127.0.0.1:9\napi openai-chat\nmodel m\n${load}\nprompt "p"\n  user hi\n`);
    return f;
  };
  const ok = loadScenario(write('load replay log.jsonl speed 2x from 10m to 20m'));
  assert.deepEqual(ok.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(ok.plan?.load, { kind: 'replay', path: path.join(dir, 'log.jsonl'), speed: 2, from_ms: 600_000, to_ms: 1_200_000 });
  const bad = loadScenario(write('load replay log.jsonl from 20m to 10m'));
  assert.equal(bad.plan, undefined);
  assert.match(bad.diagnostics.map((d) => d.message).join('\n'), /ends \(to 10m\) before it starts/);
  const typo = loadScenario(write('load replay log.jsonl form 1m'));
  assert.match(typo.diagnostics.map((d) => d.message).join('\n'), /did you mean "from"/);
});
