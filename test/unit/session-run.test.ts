// Multi-turn sessions end to end over loopback: turn N+1's request body carries turns 1..N with the
// answers the model actually streamed (captured by a loopback server), a failed turn ends its
// session while the run goes on, open-loop arrivals each start a session, and against the built-in
// simulator the prefix cache serves the resent history (cached tokens on later turns, lower TTFT),
// which summary.sessions shows per turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startRun } from '../../src/core/run/runner';
import type { RequestRecord } from '../../src/core/metrics/record';
import type { Summary } from '../../src/core/metrics/summary';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import type { Message, RunPlan } from '../../src/core/scenario/plan';
import { defineProfile, startSimulator } from '../../src/core/sim';
import { prepareRun } from '../../src/core/prepare/prompts';
import { summaryText } from '../../src/cli/format';

interface Capture {
  url: string;
  /** Each request's messages, and the answer text streamed back (undefined: answered with an error). */
  seen: Array<{ messages: Message[]; answer?: string }>;
  close(): Promise<void>;
}

function chunk(content: string | null, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;
}

/** An OpenAI-chat server that keeps every request's messages; a last user message holding FAIL gets a 500, the rest a distinct streamed answer. */
async function captureServer(): Promise<Capture> {
  const seen: Capture['seen'] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString('utf8')));
    req.on('end', () => {
      const messages = (JSON.parse(text) as { messages: Message[] }).messages;
      const last = messages[messages.length - 1]!.content;
      if (last.includes('FAIL')) {
        seen.push({ messages });
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'internal error', type: 'server_error' } }));
        return;
      }
      const answer = `Answer ${seen.length + 1} to "${last}".`;
      seen.push({ messages, answer });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(''));
      for (let k = 0; k < answer.length; k += 5) res.write(chunk(answer.slice(k, k + 5)));
      res.end(chunk(null, 'stop') + 'data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function planOf(text: string): RunPlan {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined });
  assert.deepEqual([...p.diagnostics, ...r.diagnostics].filter((d) => d.severity === 'error'), []);
  return r.plan!;
}

async function run(p: RunPlan, workers = 1): Promise<{ summary: Summary; recs: RequestRecord[] }> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-session-')), 'run');
  const h = await startRun(p, { outDir: dir, workers });
  const { summary, error } = await h.done;
  assert.equal(error, undefined);
  const recs = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestRecord);
  return { summary, recs: recs.sort((a, b) => a.offset_ms - b.offset_ms) };
}

test('turn N+1 sends turns 1..N with the answers the model actually gave; a closed-loop user runs one whole session, then the next', async () => {
  const srv = await captureServer();
  try {
    const p = planOf(
      `target ${srv.url}\nmodel m\nload users 1 for 60s\nstop after 8 requests\n` +
        'prompt "chat"\n  system You are terse.\n  user Hello\n  user Tell me more\n  user And then?\n  max_tokens 32\n  session turns 4 think 10ms\n',
    );
    const { summary, recs } = await run(p);
    assert.equal(srv.seen.length, 8);
    const users = ['Hello', 'Tell me more', 'And then?', 'And then?'];
    for (let s = 0; s < 2; s++) {
      for (let turn = 1; turn <= 4; turn++) {
        const i = s * 4 + turn - 1;
        const expected: Message[] = [{ role: 'system', content: 'You are terse.' }];
        for (let j = 1; j < turn; j++) expected.push({ role: 'user', content: users[j - 1]! }, { role: 'assistant', content: srv.seen[s * 4 + j - 1]!.answer! });
        expected.push({ role: 'user', content: users[turn - 1]! });
        assert.deepEqual(srv.seen[i]!.messages, expected, `session ${s + 1} turn ${turn}`);
        assert.equal(recs[i]!.turn, turn);
        assert.equal(recs[i]!.session, recs[s * 4]!.session);
      }
    }
    assert.notEqual(recs[0]!.session, recs[4]!.session);
    // Turn 4 carries the model's own third answer, word for word.
    assert.equal(srv.seen[3]!.messages[6]!.content, 'Answer 3 to "And then?".');
    assert.equal(summary.sessions?.started, 2);
    assert.equal(summary.sessions?.ended_by_failure, 0);
    assert.deepEqual(summary.sessions?.turns.map((t) => [t.turn, t.requests, t.ok]), [[1, 2, 2], [2, 2, 2], [3, 2, 2], [4, 2, 2]]);
  } finally {
    await srv.close();
  }
});

test('a failed turn ends its session (recorded as failed); the user starts the next session and the run goes on', async () => {
  const srv = await captureServer();
  try {
    const p = planOf(`target ${srv.url}\nmodel m\nload users 1 for 60s\nstop after 6 requests\nbackoff 1ms..2ms\nprompt "chat"\n  user Hello\n  user FAIL now\n  user never sent\n  session\n`);
    const { summary, recs } = await run(p);
    assert.deepEqual(recs.map((r) => [r.turn, r.status]), [[1, 'ok'], [2, 'error'], [1, 'ok'], [2, 'error'], [1, 'ok'], [2, 'error']]);
    assert.equal(recs[1]!.error?.kind, 'http_5xx');
    assert.ok(!srv.seen.some((s) => s.messages.some((m) => m.content === 'never sent')));
    assert.equal(summary.sessions?.started, 3);
    assert.equal(summary.sessions?.ended_by_failure, 3);
    assert.deepEqual(summary.sessions?.turns.map((t) => [t.turn, t.ok, t.failed]), [[1, 3, 0], [2, 0, 3]]);
  } finally {
    await srv.close();
  }
});

test('open loop: each arrival starts a session whose later turns follow the earlier ones', async () => {
  const srv = await captureServer();
  try {
    const p = planOf(`target ${srv.url}\nmodel m\nseed 3\nload rate 4/s for 1s uniform\nprompt "chat"\n  user Hi\n  user More\n  session turns 3\n`);
    const { summary, recs } = await run(p);
    const sessions = new Map<number, number[]>();
    for (const r of recs) sessions.set(r.session!, [...(sessions.get(r.session!) ?? []), r.turn!]);
    assert.equal(sessions.size, 4);
    for (const turns of sessions.values()) assert.deepEqual(turns, [1, 2, 3]);
    assert.equal(new Set(recs.map((r) => r.id)).size, recs.length, 'request ids stay unique');
    // Only a session's first turn was an arrival of the schedule.
    assert.ok(recs.every((r) => (r.turn === 1) === (r.intended_offset_ms !== undefined)));
    assert.equal(summary.sessions?.started, 4);
  } finally {
    await srv.close();
  }
});

test('against the simulator the prefix cache serves the resent history: cached tokens and lower TTFT on later turns, not without prefix caching', async () => {
  // Prefill 4000 tokens/s and a ~3000-token system prompt: turn 1 prefills for ~0.75 s.
  const base = { name: 'sessions', decode_tokens_per_s: 2000, overhead_ms: 10, jitter: 0, answer_tokens: [8, 8] as [number, number], keepalive_interval_ms: 0 };
  const system = Array.from({ length: 600 }, (_, i) => `Rule ${i} holds.`).join(' ');
  const scenario = (url: string): string =>
    `target ${url}\nmodel m\nload users 1 for 60s\nstop after 3 requests\nprompt "chat"\n  system ${system}\n  user First question?\n  user Second question?\n  user Third question?\n  session\n`;
  const byTurn = (s: Summary): Array<number | null> => s.sessions!.turns.map((t) => t.ttft_ms.p50);
  for (const caching of [true, false]) {
    const sim = await startSimulator({ profile: defineProfile('chat', { ...base, prefix_caching: caching }), seed: 1 });
    try {
      const { summary, recs } = await run(planOf(scenario(sim.url)));
      assert.deepEqual(recs.map((r) => [r.turn, r.status]), [[1, 'ok'], [2, 'ok'], [3, 'ok']]);
      const [t1, t2, t3] = byTurn(summary) as number[];
      if (caching) {
        assert.equal(recs[0]!.cached_tokens, 0);
        for (const r of recs.slice(1)) assert.ok(r.cached_tokens! > 0.9 * r.input_tokens!, `turn ${r.turn}: ${r.cached_tokens} of ${r.input_tokens} cached`);
        assert.ok(summary.sessions!.turns[1]!.cached_share! > 0.9);
        assert.ok(t2 < t1 / 2 && t3 < t1 / 2, `TTFT by turn ${t1} ${t2} ${t3}`);
        // The CLI prints the same split, one line per turn.
        const text = summaryText(summary, 'DIR');
        assert.match(text, /sessions: 1 started, 0 ended by a failed turn/);
        assert.match(text, /turn 1 +1 +0 +\S+ +\S+ +0%\n/);
        assert.match(text, /turn 2 +1 +0 +\S+ +\S+ +99%\n/);
      } else {
        assert.ok(recs.every((r) => !r.cached_tokens));
        assert.equal(summary.sessions!.turns[1]!.cached_share, 0);
        // Every turn prefills its whole (slightly longer) prompt again: no turn gets the cached turns' drop.
        assert.ok(t2 > 0.8 * t1 && t3 > 0.8 * t1, `TTFT by turn ${t1} ${t2} ${t3}`);
      }
    } finally {
      await sim.close();
    }
  }
});

test('a sharegpt dataset with sessions replays each conversation with the model\'s actual answers in place of the recorded ones', async () => {
  const srv = await captureServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-sharegpt-'));
  const file = path.join(dir, 'chats.json');
  const conversation = [
    { from: 'system', value: 'Be kind.' },
    { from: 'human', value: 'Q1' },
    { from: 'gpt', value: 'RECORDED 1' },
    { from: 'human', value: 'Q2' },
    { from: 'gpt', value: 'RECORDED 2' },
    { from: 'human', value: 'Q3' },
  ];
  fs.writeFileSync(file, JSON.stringify([{ conversations: conversation }]));
  try {
    const p = planOf(`target ${srv.url}\nmodel m\nload users 1 for 60s\nstop after 3 requests\ndataset sharegpt ${file}\n  sessions\n`);
    const { recs } = await run((await prepareRun(p, { baseDir: dir })).plan);
    assert.deepEqual(recs.map((r) => r.turn), [1, 2, 3]);
    assert.deepEqual(srv.seen[2]!.messages, [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: srv.seen[0]!.answer! },
      { role: 'user', content: 'Q2' },
      { role: 'assistant', content: srv.seen[1]!.answer! },
      { role: 'user', content: 'Q3' },
    ]);
    assert.ok(!JSON.stringify(srv.seen).includes('RECORDED'));
  } finally {
    await srv.close();
  }
});

test('on an engine profile the KV cache serves later turns, and /metrics counts the prefix-cache hits', async () => {
  const system = Array.from({ length: 400 }, (_, i) => `Rule ${i} holds.`).join(' ');
  const p = planOf(`target builtin:llama3-8b-h100\nload users 1 for 60s\nstop after 3 requests\nprompt "chat"\n  system ${system}\n  user First?\n  user Second?\n  max_tokens 8\n  session turns 3\n`);
  const { summary, recs } = await run(p);
  assert.deepEqual(recs.map((r) => [r.turn, r.status]), [[1, 'ok'], [2, 'ok'], [3, 'ok']]);
  for (const r of recs.slice(1)) assert.ok(r.cached_tokens! > 0.8 * r.input_tokens!, `turn ${r.turn}: ${r.cached_tokens} of ${r.input_tokens} cached`);
  assert.ok((summary.server_metrics?.prefix_hit_rate ?? 0) > 0.3, `prefix hit rate ${summary.server_metrics?.prefix_hit_rate}`);
});
