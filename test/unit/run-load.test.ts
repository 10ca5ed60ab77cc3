// End-to-end load over several worker threads against the built-in simulator on loopback: warmup
// exclusion, every stop condition, replay order and offsets, open-loop pacing records, and the
// per-thread figures (ITL, schedule lag, the client's self-check) in the summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../../src/core/run/runner';
import type { RequestRecord } from '../../src/core/metrics/record';
import type { Summary } from '../../src/core/metrics/summary';
import { defineProfile, startSimulator, type RunningSimulator, type SimProfile } from '../../src/core/sim';
import type { RunPlan } from '../../src/core/scenario/plan';
import { plan } from '../helpers/plans';
import { summaryText } from '../../src/cli/format';
import { clientCheck } from '../../src/core/run/client-check';

const FAST: SimProfile = defineProfile('chat', {
  name: 'fast',
  decode_tokens_per_s: 2000,
  overhead_ms: 0,
  answer_tokens: [6, 6],
  keepalive_interval_ms: 0,
  jitter: 0,
});

function tmp(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-load-')), 'run');
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

async function withSim(profile: SimProfile, body: (sim: RunningSimulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ profile, seed: 1 });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

async function run(p: RunPlan, workers: number): Promise<{ summary: Summary; recs: RequestRecord[] }> {
  const dir = tmp();
  const h = await startRun(p, { outDir: dir, workers });
  const { summary, error } = await h.done;
  assert.equal(error, undefined);
  return { summary, recs: readJsonl<RequestRecord>(path.join(dir, 'requests.jsonl')) };
}

test('warmup requests are written, flagged and left out of every figure; stop after N requests ends the run at N over 2 threads', async () => {
  await withSim(FAST, async (sim) => {
    const p = plan({ target: { kind: 'url', url: sim.url }, model: 'sim', load: { kind: 'users', users: 2, duration_ms: 60_000 }, warmup: { requests: 4 }, stop: { after_requests: 10 } });
    const { summary, recs } = await run(p, 2);
    assert.equal(summary.ended_by, 'requests');
    assert.equal(summary.client?.workers, 2);
    const warm = recs.filter((r) => r.warmup);
    assert.deepEqual(warm.map((r) => r.id).sort((a, b) => a - b), [0, 1, 2, 3]);
    assert.equal(summary.requests.warmup, 4);
    // one user per thread, each thread's share of the budget is 5: exactly 10 counted requests
    assert.equal(summary.requests.total, 10);
    assert.equal(recs.length, 14);
    assert.equal(summary.requests.ok, 10);
    // the histograms hold the counted requests only
    const counted = recs.filter((r) => !r.warmup);
    assert.equal(counted.length, 10);
    assert.equal(summary.e2e_ms.max, Math.max(...counted.map((r) => Math.round(r.e2e_ms * 1000) / 1000)));
    assert.deepEqual(new Set(recs.map((r) => r.user)), new Set([0, 1]));
    assert.equal(new Set(recs.map((r) => r.id)).size, recs.length, 'ids are unique across threads');
  });
});

test('stop after a duration: no request is sent after it, and the run says why it ended', async () => {
  await withSim(defineProfile(FAST, { decode_tokens_per_s: 200 }), async (sim) => {
    const p = plan({ target: { kind: 'url', url: sim.url }, load: { kind: 'users', users: 4, duration_ms: 60_000 }, stop: { after_ms: 700 } });
    const { summary, recs } = await run(p, 2);
    assert.equal(summary.ended_by, 'duration');
    assert.ok(recs.length >= 4);
    assert.ok(recs.every((r) => r.offset_ms < 700 + 50), 'every send before the stop');
    assert.equal(summary.requests.cancelled, 0, 'those in flight finish');
  });
});

test('stop when the error rate is above its limit: one thread sees it, every thread stops', async () => {
  await withSim(defineProfile(FAST, { fault_rates: { http_500: 1 } }), async (sim) => {
    const p = plan({ target: { kind: 'url', url: sim.url }, load: { kind: 'users', users: 2, duration_ms: 60_000 }, stop: { error_rate_above: 0.5 } });
    const { summary } = await run(p, 2);
    assert.equal(summary.ended_by, 'error_rate');
    assert.ok(summary.requests.failed >= 20, `failed ${summary.requests.failed}`);
    assert.equal(summary.requests.ok, 0);
    assert.ok(summary.duration_s < 30, 'the run ended long before its 60 s');
  });
});

test('replay: each line is sent in order of its offset divided by the speed, over 2 threads', async () => {
  await withSim(FAST, async (sim) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-replay-'));
    const file = path.join(dir, 'log.jsonl');
    const offsets = [900, 0, 300, 300, 600, 1200];
    fs.writeFileSync(file, offsets.map((o, i) => JSON.stringify({ offset_ms: o, prompt: `line ${i}`, name: `l${i}` })).join('\n') + '\n');
    const p = plan({ target: { kind: 'url', url: sim.url }, prompts: [], load: { kind: 'replay', path: file, speed: 2 } });
    const { summary, recs } = await run(p, 2);
    assert.equal(summary.ended_by, 'completed');
    assert.equal(recs.length, 6);
    const byId = [...recs].sort((a, b) => a.id - b.id);
    // sorted by offset, ties in file order
    assert.deepEqual(byId.map((r) => r.prompt), ['l1', 'l2', 'l3', 'l4', 'l0', 'l5']);
    assert.deepEqual(byId.map((r) => r.intended_offset_ms), [0, 150, 150, 300, 450, 600]);
    for (const r of recs) {
      assert.equal(r.status, 'ok');
      assert.ok(r.offset_ms >= r.intended_offset_ms!, 'never sent early');
    }
    assert.ok(summary.schedule_lag_ms && summary.schedule_lag_ms.p50 !== null);
    assert.equal(summary.client?.workers, 2);
  });
});

test('open-loop arrivals over 2 threads: intended times on the schedule, schedule lag, ITL and the client check in the summary', async () => {
  await withSim(FAST, async (sim) => {
    const p = plan({
      target: { kind: 'url', url: sim.url },
      load: { kind: 'rate', per_s: 40, duration_ms: 1000, arrival: 'uniform' },
      expectations: [{ text: 'itl p50 < 10s', metric: 'itl', stat: 'p50', op: '<', value: 10_000, line: 1 }],
    });
    const { summary, recs } = await run(p, 2);
    assert.equal(recs.length, 40);
    const byId = [...recs].sort((a, b) => a.id - b.id);
    assert.deepEqual(byId.map((r) => r.id), [...Array(40).keys()]);
    assert.deepEqual(byId.map((r) => r.intended_offset_ms), [...Array(40).keys()].map((j) => j * 25));
    assert.ok(recs.every((r) => r.offset_ms >= r.intended_offset_ms! && r.user === -1));
    assert.equal(summary.client?.workers, 2);
    assert.equal(summary.client?.cores, os.availableParallelism());
    assert.ok(summary.client!.event_loop_lag_ms.p50 !== null && summary.client!.cpu_percent > 0);
    assert.equal(typeof summary.client!.bottleneck, 'boolean');
    assert.ok(summary.schedule_lag_ms!.max! >= summary.schedule_lag_ms!.p50!);
    // 6 answer tokens a request, one per packet: 5 gaps each
    assert.ok(summary.itl_ms!.p50! > 0);
    assert.ok(summary.itl_phase_ms!.answer_per_packet.p50! > 0);
    assert.equal(summary.itl_phase_ms!.thinking.p50, null, 'a chat model does not think');
    assert.deepEqual(summary.expectations.map((e) => [e.pass, e.actual !== null]), [[true, true]]);
    assert.match(summary.thread_histograms!.itl_answer!, /^\d+:/);
  });
});

test('closed loop: the schedule has no send times, so there is no schedule lag; a client bottleneck is printed loudly', async () => {
  await withSim(FAST, async (sim) => {
    const { summary } = await run(plan({ target: { kind: 'url', url: sim.url }, load: { kind: 'users', users: 1, duration_ms: 60_000 }, stop: { after_requests: 3 } }), 2);
    assert.equal(summary.schedule_lag_ms, null);
    assert.equal(summary.client?.workers, 1, 'no more threads than users');
    assert.match(summaryText(summary, '/tmp/x'), /\n {2}itl /);
    const p = (v: number) => ({ p50: v, p90: v, p95: v, p99: v, max: v, mean: v });
    const starved = { ...summary, client: clientCheck({ workers: 1, cores: 2, event_loop_lag_ms: p(40), schedule_lag_ms: null, cpu_percent: 30 }) };
    assert.match(summaryText(starved, '/tmp/x'), /!! WARNING: the client may have been the bottleneck: the load threads' event loop lagged 40\.0 ms/);
    if (!summary.client!.bottleneck) assert.doesNotMatch(summaryText(summary, '/tmp/x'), /WARNING/);
  });
});

test('a replay log that cannot be read refuses to start, naming the file', async () => {
  const p = plan({ load: { kind: 'replay', path: path.join(os.tmpdir(), 'no-such-replay.jsonl'), speed: 1 } });
  await assert.rejects(startRun(p, { outDir: tmp() }), /cannot read the replay log .*no-such-replay/);
});

test('self-checking clock: every packet the client timestamps matches a frame of the simulator send log, never before it was sent', async (t) => {
  const profile = defineProfile('reasoning', { decode_tokens_per_s: 200, keepalive_interval_ms: 0, thinking_tokens: [4, 4], answer_tokens: [6, 6], jitter: 0 });
  const sim = await startSimulator({ profile, seed: 1, sendLogCapacity: 100 });
  try {
    const dir = tmp();
    const h = await startRun(plan({ target: { kind: 'url', url: sim.url }, load: { kind: 'users', users: 2, duration_ms: 60_000 }, stop: { after_requests: 6 }, trace: { mode: 'all' } }), { outDir: dir, workers: 2 });
    const { summary } = await h.done;
    const recs = readJsonl<RequestRecord>(path.join(dir, 'requests.jsonl'));
    const packets = readJsonl<{ request: number; t_ms: number; kind: string }>(path.join(dir, 'packets.jsonl'));
    assert.equal(summary.requests.ok, recs.length);
    const errors: number[] = [];
    for (const r of recs) {
      const sent = sim.sendLog(r.response_id!);
      assert.ok(sent, 'the simulator logged the response');
      const mine = packets.filter((p) => p.request === r.id);
      // one SSE event per frame: role, 4 thinking, 6 answer, finish, usage, [DONE]
      assert.equal(mine.length, sent.length);
      mine.forEach((p, k) => {
        const err = r.start_ms + p.t_ms - sent[k]!;
        // threads' clocks agree to well under a millisecond; a packet cannot arrive before it was sent
        assert.ok(err > -1, `packet ${k} of request ${r.id} stamped ${err} ms before it was sent`);
        errors.push(err);
      });
      const firstOutput = mine.findIndex((p) => p.kind === 'thinking' || p.kind === 'answer');
      const firstAnswer = mine.findIndex((p) => p.kind === 'answer');
      assert.equal(firstOutput, 1, 'the role-only chunk is not output');
      assert.ok(Math.abs(r.ttft_ms! - mine[firstOutput]!.t_ms) < 0.01, 'TTFT is the first thinking packet');
      assert.ok(Math.abs(r.ttfa_ms! - mine[firstAnswer]!.t_ms) < 0.01, 'TTFA is the first answer packet');
    }
    errors.sort((a, b) => a - b);
    t.diagnostic(`client arrival minus simulator send, ms: p50 ${errors[Math.floor(errors.length / 2)]!.toFixed(3)}, max ${errors[errors.length - 1]!.toFixed(3)}, n ${errors.length}`);
  } finally {
    await sim.close();
  }
});
