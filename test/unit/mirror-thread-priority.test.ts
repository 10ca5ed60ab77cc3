// Every thread of the mirror but the proxy's yields the core (SCHED_IDLE): in a program that
// embeds the mirror, the bookkeeping worker's thread alone; in `llmload mirror`'s own process, all
// of them. A worker that waits too long for a core goes back to the normal policy at nice 10 until
// it keeps up again. Linux only: threads have their own policies and nice values there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackgroundThreads, BOOKKEEPING_NICE, RECOVER_MS, RESCAN_MS, STARVED_MS, TICK_MS, type ThreadCalls } from '../../src/core/mirror/thread-priority';
import { SCHED_POLICY_NUMBER, setThreadPolicy, threadId } from '../../src/core/load/thread-priority';
import { startMirror } from '../../src/core/mirror/session';
import { startSimulator } from '../../src/core/sim';
import { threadNices, threadPolicies, threadPrioritiesHere } from '../helpers/thread-nices';

const linux = threadPrioritiesHere;
const IDLE = SCHED_POLICY_NUMBER.idle;

/** Threads as a fake kernel keeps them: policy and nice per tid, and what chrt was asked. */
function fakeThreads(tids: number[], opts: { noChrt?: boolean } = {}): ThreadCalls & { policies: Map<number, number>; nices: Map<number, number>; tids: number[]; chrts: string[][] } {
  const policies = new Map(tids.map((t) => [t, 0]));
  const nices = new Map(tids.map((t) => [t, 0]));
  const chrts: string[][] = [];
  return {
    policies,
    nices,
    tids,
    chrts,
    chrt(args) {
      chrts.push(args);
      if (opts.noChrt) throw Object.assign(new Error('spawnSync chrt ENOENT'), { code: 'ENOENT' });
      policies.set(Number(args[args.length - 1]), args[0] === '--idle' ? IDLE : 0);
    },
    policy: (tid) => policies.get(tid),
    nice: (tid, n) => void nices.set(tid, n),
    tasks: () => [...tids],
  };
}

test('threadId names the calling thread: the main thread is the process', { skip: !linux }, () => {
  assert.equal(threadId(), process.pid);
});

test('setThreadPolicy puts a thread under SCHED_IDLE and back, read back from /proc; a missing chrt is named', { skip: !linux }, async () => {
  // A thread of this process that is not the test's own: a worker that waits to be told to end.
  const { Worker } = await import('node:worker_threads');
  const w = new Worker(`const { parentPort } = require('node:worker_threads'); const fs = require('node:fs'); parentPort.postMessage(Number(/task\\/(\\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))[1])); parentPort.once('message', () => process.exit(0));`, { eval: true });
  try {
    const tid = await new Promise<number>((r) => w.once('message', r));
    assert.deepEqual(setThreadPolicy(tid, 'idle'), { tid, policy: 'idle' });
    assert.equal(threadPolicies().get(tid), IDLE);
    assert.deepEqual(setThreadPolicy(tid, 'normal'), { tid, policy: 'normal' });
    assert.equal(threadPolicies().get(tid), 0);
    assert.equal(threadPolicies().get(process.pid), 0, 'the calling thread is not touched');
    const missing = setThreadPolicy(tid, 'idle', { chrt: fakeThreads([], { noChrt: true }).chrt, policy: () => 0 });
    assert.match('error' in missing ? missing.error : '', /chrt is not installed/);
  } finally {
    w.postMessage('end');
    await new Promise((r) => w.once('exit', r));
  }
});

test('BackgroundThreads: every thread but the main one goes idle, new ones on the next scan; starved, they go back to normal at nice 10, and yield again once on time', () => {
  const k = fakeThreads([100, 101, 102, 103]);
  let now = 0;
  const bg = new BackgroundThreads({ mode: 'idle', mainTid: 100, ownTid: 103, allThreads: true, calls: k, now: () => now });
  bg.start();
  bg.stop(); // the timer is driven by hand below
  assert.deepEqual([...k.policies], [[100, 0], [101, IDLE], [102, IDLE], [103, IDLE]]);
  // A thread started later (libuv's pool) is found on the scan after RESCAN_MS.
  k.tids.push(104);
  k.policies.set(104, 0);
  const tick = (late = 0): void => {
    now += TICK_MS + late;
    bg.tick();
  };
  for (let t = 0; t < RESCAN_MS; t += TICK_MS) tick();
  assert.equal(k.policies.get(104), IDLE);
  assert.equal(k.policies.get(100), 0, 'the proxy thread is never changed');
  // The worker waited more than STARVED_MS for its timer: every background thread back to normal at nice 10.
  tick(STARVED_MS + 1);
  for (const tid of [101, 102, 103, 104]) {
    assert.equal(k.policies.get(tid), 0, `thread ${tid} normal again`);
    assert.equal(k.nices.get(tid), BOOKKEEPING_NICE);
  }
  assert.equal(k.nices.get(100), 0);
  // Late timers keep it raised; RECOVER_MS on time and it yields again.
  for (let t = 0; t < RECOVER_MS; t += TICK_MS) tick(t === RECOVER_MS / 2 ? 100 : 0);
  assert.equal(k.policies.get(101), 0, 'a late timer halfway restarted the wait');
  for (let t = 0; t <= RECOVER_MS; t += TICK_MS) tick();
  for (const tid of [101, 102, 103, 104]) assert.equal(k.policies.get(tid), IDLE, `thread ${tid} idle again`);
  assert.deepEqual(bg.report(), { policy: 'idle', threads: 4, raised: 1 });
  // A thread that ends between the listing and chrt is skipped; the others stay idle.
  k.tids.push(105);
  const chrt = k.chrt;
  k.chrt = (args) => {
    if (args.includes('105')) throw new Error('chrt: failed to set pid 105\'s policy: No such process');
    chrt(args);
  };
  for (let t = 0; t <= RESCAN_MS; t += TICK_MS) tick();
  assert.deepEqual(bg.report(), { policy: 'idle', threads: 4, raised: 1 }, 'a vanished thread is no reason to give up SCHED_IDLE');
  assert.ok(!k.chrts.some((a) => a.includes('100')), 'chrt never named the main thread');
});

test('BackgroundThreads: without chrt the threads get nice 10 and the reason is kept; `nice` and `normal` modes; the worker alone when the process is not the mirror\'s own', () => {
  const none = fakeThreads([1, 2, 3], { noChrt: true });
  const a = new BackgroundThreads({ mode: 'idle', mainTid: 1, ownTid: 3, allThreads: true, calls: none });
  a.start();
  a.stop();
  assert.deepEqual([...none.nices], [[1, 0], [2, BOOKKEEPING_NICE], [3, BOOKKEEPING_NICE]]);
  assert.deepEqual(a.report(), { policy: 'nice', threads: 2, raised: 0, error: "util-linux's chrt is not installed (it sets a thread's scheduling policy)" });

  const k = fakeThreads([1, 2, 3]);
  const b = new BackgroundThreads({ mode: 'nice', mainTid: 1, ownTid: 3, allThreads: false, calls: k });
  b.start();
  b.stop();
  assert.deepEqual([...k.nices], [[1, 0], [2, 0], [3, BOOKKEEPING_NICE]], 'the worker alone, at nice 10');
  assert.deepEqual(k.chrts, [], 'no policy change in nice mode');

  const k2 = fakeThreads([1, 2, 3]);
  const c = new BackgroundThreads({ mode: 'normal', mainTid: 1, ownTid: 3, allThreads: true, calls: k2 });
  c.start();
  c.stop();
  assert.deepEqual([...k2.nices, ...k2.policies].every(([, v]) => v === 0), true);
  assert.deepEqual(c.report(), { policy: 'normal', threads: 0, raised: 0 });
});

test("in a program that embeds the mirror only the bookkeeping worker's thread goes idle, and mirror.json says so; background 'nice' gives it nice 10, 'normal' leaves it", { skip: !linux }, async () => {
  const p = await startSimulator({ profile: 'chat?decode_tokens_per_s=2000' });
  const before = threadPolicies();
  const beforeNice = threadNices();
  const changed = (): Array<[number, number, number]> =>
    [...threadPolicies()].filter(([tid, pol]) => before.has(tid) && (pol !== before.get(tid) || threadNices().get(tid) !== beforeNice.get(tid))).map(([tid, pol]) => [tid, pol, threadNices().get(tid)!]);
  const newThreads = (want: (pol: number, nice: number) => boolean): number[] => [...threadPolicies()].filter(([tid, pol]) => !before.has(tid) && want(pol, threadNices().get(tid)!)).map(([tid]) => tid);
  try {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-nice-'));
    const m = await startMirror({ primary: p.url, shadow: p.url, sample: 0, out });
    assert.equal(newThreads((pol) => pol === IDLE).length, 1, `one new thread idle: ${JSON.stringify([...threadPolicies()])}`);
    assert.deepEqual(changed(), [], 'no thread that was there before changed (the proxy thread among them)');
    const summary = await m.close();
    assert.deepEqual(summary.threads, { policy: 'idle', threads: 1, raised: 0 });
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, 'mirror.json'), 'utf8')).threads, summary.threads);

    const out2 = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-nice-'));
    const m2 = await startMirror({ primary: p.url, shadow: p.url, sample: 0, out: out2, background: 'nice' });
    assert.equal(newThreads((pol, nice) => pol === 0 && nice === BOOKKEEPING_NICE).length, 1, 'the worker at nice 10');
    assert.equal(newThreads((pol) => pol === IDLE).length, 0);
    assert.deepEqual((await m2.close()).threads, { policy: 'nice', threads: 1, raised: 0 });

    const out3 = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-nice-'));
    const m3 = await startMirror({ primary: p.url, shadow: p.url, sample: 0, out: out3, background: 'normal' });
    assert.deepEqual(newThreads((pol, nice) => pol !== 0 || nice !== 0), [], 'nothing lowered');
    await m3.close();
  } finally {
    await p.close();
  }
});

test("in the mirror's own process every thread but the proxy's is idle, and the proxy's thread is not", { skip: !linux }, async () => {
  const p = await startSimulator({ profile: 'chat?decode_tokens_per_s=2000' });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-own-'));
  const code = `require(${JSON.stringify(path.resolve(__dirname, '../../src/core/mirror/session.ts'))}).startMirror({ primary: ${JSON.stringify(p.url)}, shadow: ${JSON.stringify(p.url)}, sample: 0, out: ${JSON.stringify(out)}, ownProcess: true }).then(() => console.log('ready'));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      child.once('exit', (c) => reject(new Error(`the mirror process exited with ${c}`)));
    });
    // A thread started after the worker's first look (libuv's pool, at its first use) is set at the next one, RESCAN_MS later.
    let pol = threadPolicies(child.pid!);
    for (let waited = 0; waited < RESCAN_MS + 2000 && [...pol].some(([tid, v]) => tid !== child.pid && v !== IDLE); waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      pol = threadPolicies(child.pid!);
    }
    assert.equal(pol.get(child.pid!), 0, 'the proxy (main) thread keeps the normal policy');
    const others = [...pol].filter(([tid]) => tid !== child.pid);
    assert.ok(others.length >= 5, `V8's helpers and the worker are there: ${JSON.stringify([...pol])}`);
    assert.deepEqual(others.filter(([, v]) => v !== IDLE), [], 'every other thread is idle');
  } finally {
    child.kill('SIGKILL');
    await p.close();
  }
});
