/**
 * Thread sizing (src/core/run/thread-sizing.ts): the load estimate from a plan, the rule that turns
 * it into a count (leave a local server a core unless the load needs it, never more than the
 * cores or the users), the scenario's `threads N` / `threads auto` line with exact diagnostics, and
 * a run that records its choice in summary.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseThreads, estimateLoad, isLocalTarget, loadCpu, sizeThreads, threadChoiceLine, THREAD_BUSY_TARGET, type LoadEstimate } from '../../src/core/run/thread-sizing';
import { scheduleFor } from '../../src/core/load/shape';
import { parseScenario, resolvePlan, type RunPlan } from '../../src/core/scenario';
import { startRun } from '../../src/core/run/runner';
import { startSimulator } from '../../src/core/sim';
import { benchPlan } from '../../bench/bench-kit';

const light: LoadEstimate = { streams: 64, requests_per_s: 25, packets_per_s: 6_000, reads_per_s: 6_000 };
/** 2,000 streams at 100 packets/s each, a read per packet: about 1.5 cores. */
const heavy: LoadEstimate = { streams: 2000, requests_per_s: 700, packets_per_s: 200_000, reads_per_s: 200_000 };

test('loopback hosts and the built-in simulator are local; other hosts and bad URLs are not', () => {
  for (const u of ['http://127.0.0.1:8000/v1', 'http://localhost:1/v1', 'http://[::1]:80/', 'http://127.1.2.3/', 'http://0.0.0.0:9/', 'http://api.localhost/']) assert.equal(isLocalTarget(u, false), true, u);
  for (const u of ['http://10.0.0.5:8000/v1', 'https://api.openai.com/v1', 'http://my-gpu-box:8000', 'not a url']) assert.equal(isLocalTarget(u, false), false, u);
  assert.equal(isLocalTarget(undefined, true), true);
});

test('auto: a light load gets one thread, on any machine, local or remote', () => {
  for (const cores of [1, 2, 8, 64]) {
    for (const local of [true, false]) {
      const c = chooseThreads({ cores, load: light, local_target: local });
      assert.equal(c.threads, 1, `${cores} cores, local ${local}`);
      assert.equal(c.chosen_by, 'auto');
    }
  }
});

test('auto: a heavy load gets the threads its CPU needs at half a core each, capped at the cores', () => {
  // fast streams, 20 packets a read: 2 + 0.25 + 0.3 = 2.55 cores
  const big: LoadEstimate = { streams: 5000, requests_per_s: 2000, packets_per_s: 1_000_000, reads_per_s: 50_000 };
  const need = Math.ceil(loadCpu(big) / THREAD_BUSY_TARGET);
  assert.equal(need, 6);
  assert.equal(chooseThreads({ cores: 16, load: big, local_target: false }).threads, 6);
  assert.equal(chooseThreads({ cores: 4, load: big, local_target: false }).threads, 4);
  assert.match(chooseThreads({ cores: 4, load: big, local_target: false }).reason, /capped at the 4 cores/);
  // many streams with few packets: one thread per 4,000 open streams
  assert.equal(chooseThreads({ cores: 8, load: { streams: 10_000, requests_per_s: 10, packets_per_s: 100, reads_per_s: 100 }, local_target: false }).threads, 3);
});

test('auto with the server on this machine: a core is left to it unless the load needs every core', () => {
  const mid: LoadEstimate = { streams: 500, requests_per_s: 100, packets_per_s: 100_000, reads_per_s: 100_000 }; // 0.715 core: 2 threads
  assert.equal(chooseThreads({ cores: 8, load: mid, local_target: false }).threads, 2);
  assert.equal(chooseThreads({ cores: 8, load: mid, local_target: true }).threads, 2);
  // on 2 cores, 2 threads would take the server's core: the load needs 2, so it gets 2, and says so
  const two = chooseThreads({ cores: 2, load: mid, local_target: true });
  assert.equal(two.threads, 2);
  assert.match(two.reason, /needs every core, the server on this machine shares them/);
  // a light load on 2 cores against a local server: 1 thread, the other core is the server's
  const one = chooseThreads({ cores: 2, load: light, local_target: true });
  assert.equal(one.threads, 1);
  assert.match(one.reason, /one core left to the server on this machine/);
  // one core: nothing to leave
  assert.equal(chooseThreads({ cores: 1, load: heavy, local_target: true }).threads, 1);
  // 2,000 streams at 100 packets/s (4 threads' worth) beside its server: 4 threads on 8 cores, and on 4 cores all of them
  assert.equal(chooseThreads({ cores: 8, load: heavy, local_target: true }).threads, 4);
  assert.match(chooseThreads({ cores: 4, load: heavy, local_target: true }).reason, /4 threads at 50% busy each; the load needs every core/);
});

test('auto never runs more threads than can have work, and a requested count wins (capped by the users)', () => {
  assert.equal(chooseThreads({ cores: 8, load: { streams: 3, requests_per_s: 1e4, packets_per_s: 1e7, reads_per_s: 1e5 }, local_target: false, most_useful: 3 }).threads, 3);
  const asked = chooseThreads({ cores: 2, load: light, local_target: true, requested: { threads: 4, by: 'scenario' } });
  assert.equal(asked.threads, 4);
  assert.equal(asked.chosen_by, 'scenario');
  assert.match(asked.reason, /the scenario's threads 4/);
  const capped = chooseThreads({ cores: 2, load: light, local_target: true, requested: { threads: 4, by: 'caller' }, most_useful: 2 });
  assert.equal(capped.threads, 2);
  assert.match(capped.reason, /only 2 can have work/);
  assert.equal(chooseThreads({ cores: 4, local_target: false }).threads, 1, 'external load: one thread');
});

const plan = (over: Partial<RunPlan>): RunPlan => benchPlan(over);

test('the estimate follows users, rate, think time and max_tokens; the simulator profile sets the stream speed', () => {
  const users = (n: number) => ({ kind: 'users' as const, users: n, duration_ms: 10_000 });
  const a = estimateLoad(plan({ load: users(64) }), scheduleFor(users(64)));
  // 256 tokens at 100 packets/s after 0.2 s: 2.79 s a stream, 64 streams
  assert.equal(a.streams, 64);
  assert.ok(Math.abs(a.requests_per_s - 64 / 2.79) < 0.2, String(a.requests_per_s));
  assert.ok(Math.abs(a.packets_per_s - (64 / 2.79) * 259) < 60, String(a.packets_per_s));
  // 100 packets/s a stream: each packet comes in a read of its own
  assert.equal(a.reads_per_s, a.packets_per_s);
  // max_tokens 16: shorter streams, more requests, fewer packets each
  const shortPrompts = [{ name: 'p', weight: 1, messages: [{ role: 'user' as const, content: 'hi' }], params: { max_tokens: 16 } }];
  const b = estimateLoad(plan({ load: users(64), prompts: shortPrompts }), scheduleFor(users(64)));
  assert.ok(b.requests_per_s > 3 * a.requests_per_s && b.packets_per_s < a.packets_per_s);
  // think time halves the streams in flight when it equals the stream's duration
  const c = estimateLoad(plan({ load: users(64), think_ms: 2790 }), scheduleFor(users(64)));
  assert.equal(c.streams, 32);
  // open loop: rate x duration in flight
  const rate = { kind: 'rate' as const, per_s: 100, duration_ms: 10_000, arrival: 'uniform' as const };
  const d = estimateLoad(plan({ load: rate }), scheduleFor(rate));
  assert.equal(d.requests_per_s, 100);
  assert.equal(d.streams, 279);
  // the simulator's 'chat' profile streams at its own decode speed
  const e = estimateLoad(plan({ load: users(10) }), scheduleFor(users(10)), 'chat?decode_tokens_per_s=10');
  const f = estimateLoad(plan({ load: users(10) }), scheduleFor(users(10)), 'chat?decode_tokens_per_s=1000');
  assert.ok(f.packets_per_s > 10 * e.packets_per_s, `${e.packets_per_s} ${f.packets_per_s}`);
  // a stream faster than 1,000 packets/s brings several packets a read: at most 1,000 reads/s a stream
  const g = estimateLoad(plan({ load: users(10) }), scheduleFor(users(10)), 'chat?decode_tokens_per_s=5000');
  assert.ok(g.reads_per_s <= 10 * 1000 && g.reads_per_s < g.packets_per_s, `${g.reads_per_s} ${g.packets_per_s}`);
});

test('sizeThreads: the caller beats the scenario, the scenario beats auto', () => {
  const users = { kind: 'users' as const, users: 64, duration_ms: 1000 };
  const s = scheduleFor(users);
  const base = { cores: 2, baseUrl: 'http://127.0.0.1:1/v1' };
  assert.equal(sizeThreads(plan({ load: users }), s, base).chosen_by, 'auto');
  assert.equal(sizeThreads(plan({ load: users }), s, base).threads, 1);
  assert.deepEqual(
    [sizeThreads(plan({ load: users, threads: 3 }), s, base).threads, sizeThreads(plan({ load: users, threads: 3 }), s, base).chosen_by],
    [3, 'scenario'],
  );
  const caller = sizeThreads(plan({ load: users, threads: 3 }), s, { ...base, requested: 2 });
  assert.deepEqual([caller.threads, caller.chosen_by], [2, 'caller']);
  assert.match(threadChoiceLine(caller), /^2 load threads \(caller: the caller asked for 2\)$/);
});

function diagnose(text: string): string[] {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: () => undefined });
  return [...p.diagnostics, ...r.diagnostics].map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}`,
  );
}

const S = 'target http://127.0.0.1:9/v1\nmodel m\nload users 4 for 1s\nprompt "p"\n  user hi\n';
const USAGE = 'threads N (load threads, e.g. threads 2) or threads auto (sized from the load, the default)';

test('threads line: exact diagnostics for each mistake', () => {
  const cases: Array<[string, string, string[]]> = [
    ['missing value', 'threads\n', [`6:1-6:8 error: the number of load threads is missing; write ${USAGE}`]],
    ['zero', 'threads 0\n', ['6:9-6:10 error: threads must be between 1 and 256, got 0']],
    ['too many', 'threads 1000\n', ['6:9-6:13 error: threads must be between 1 and 256, got 1000']],
    ['a fraction', 'threads 1.5\n', ['6:9-6:12 error: expected a whole number for the number of load threads, got "1.5"']],
    ['misspelled auto', 'threads atuo\n', ['6:9-6:13 error: unexpected "atuo"; did you mean "auto"?']],
    ['a word', 'threads many\n', [`6:9-6:13 error: unexpected "many"; write ${USAGE}`]],
    ['extra after a count', 'threads 2 per core\n', [`6:11-6:19 error: unexpected "per"; write ${USAGE}`]],
    ['extra after auto', 'threads auto 2\n', [`6:14-6:15 error: unexpected "2"; write ${USAGE}`]],
    ['a block under it', 'threads 2\n  x\n', ['7:3-7:4 error: unexpected indentation: "threads" does not take an indented block; move this line left']],
    ['twice', 'threads 2\nthreads 3\n', ['7:1-7:8 error: duplicate "threads" line; the first is on line 6']],
  ];
  for (const [name, line, expect] of cases) assert.deepEqual(diagnose(S + line), expect, name);
});

function planOf(text: string): RunPlan {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, readFile: () => undefined });
  assert.deepEqual([...p.diagnostics, ...r.diagnostics], []);
  return r.plan!;
}

test('threads line: a count goes into the plan; auto and no line leave it to the rule', () => {
  assert.equal(planOf(S + 'threads 3\n').threads, 3);
  assert.equal(planOf(S + 'threads auto\n').threads, undefined);
  assert.equal(planOf(S).threads, undefined);
});

test('a run records its thread choice and each thread\'s busy share in summary.json', async () => {
  const sim = await startSimulator({ profile: 'chat?decode_tokens_per_s=2000&overhead_ms=1', seed: 1 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-threads-'));
  try {
    const p = plan({ target: { kind: 'url', url: sim.url }, load: { kind: 'users', users: 3, duration_ms: 600 }, threads: 2 });
    const h = await startRun(p, { outDir: dir });
    assert.equal(h.threads.threads, 2);
    const { summary } = await h.done;
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as typeof summary;
    assert.equal(onDisk.client?.workers, 2);
    assert.equal(onDisk.client?.threads?.chosen_by, 'scenario');
    assert.equal(onDisk.client?.threads?.local_target, true);
    assert.equal(onDisk.client?.thread_busy_percent?.length, 2);
    for (const b of onDisk.client!.thread_busy_percent!) assert.ok(b >= 0 && b <= 100, String(b));
    assert.equal(typeof onDisk.client?.load_average, 'number');
  } finally {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI names the thread count and its reason when the run starts', async () => {
  const { runCli, tempDir } = await import('../helpers/cli');
  const dir = tempDir();
  const file = path.join(dir, 't.llmload');
  fs.writeFileSync(file, 'target builtin:chat\nmodel sim-chat\nload users 2 for 300ms\nthreads 2\nprompt "p"\n  user hi\n  max_tokens 8\n');
  const r = await runCli(['run', file, '--out', path.join(dir, 'out')], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^ {2}2 load threads \(scenario: the scenario's threads 2\)$/m);
  const auto = path.join(dir, 'a.llmload');
  fs.writeFileSync(auto, 'target builtin:chat\nmodel sim-chat\nload users 2 for 300ms\nprompt "p"\n  user hi\n  max_tokens 8\n');
  const a = await runCli(['run', auto, '--out', path.join(dir, 'out2')], dir);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /^ {2}1 load thread \(auto: expected 2 streams in flight, .* packets\/s and .* requests\/s, about 0\.\d\d of a core: 1 thread at 50% busy each/m);
});
