// `thread_priority high`: each load thread raises its own CPU priority (nice -10) before the run, so
// a packet is stamped when it comes and not when a server sharing the cores yields one. Raising a
// priority needs root or CAP_SYS_NICE: where it is not permitted the run goes on at the normal
// priority and says so. Linux only (threads have their own nice values there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HIGH_PRIORITY_NICE, setThisThreadNice, threadPriorityOf, type PriorityCalls } from '../../src/core/load/thread-priority';
import { clientCheck, type ClientCheckInput } from '../../src/core/run/client-check';
import { chooseThreads } from '../../src/core/run/thread-sizing';
import { startRun } from '../../src/core/run/runner';
import { summaryText } from '../../src/cli/format';
import { plan } from '../helpers/plans';
import { scenarioDiags } from '../helpers/scenario-diags';
import { threadNices, threadPrioritiesHere } from '../helpers/thread-nices';

const linux = threadPrioritiesHere;

/** Whether this process may raise a thread's priority to HIGH_PRIORITY_NICE: tried on the main thread, which is then put back where it was. */
function mayRaise(): boolean {
  const was = os.getPriority(process.pid);
  try {
    os.setPriority(process.pid, HIGH_PRIORITY_NICE);
    return true;
  } catch {
    return false;
  } finally {
    os.setPriority(process.pid, was);
  }
}

/** A libuv system error as os.setPriority throws it. */
function systemError(code: string): Error {
  return Object.assign(new Error(`A system error occurred: uv_os_setpriority returned ${code}`), { code: 'ERR_SYSTEM_ERROR', info: { code, syscall: 'uv_os_setpriority' } });
}

test('setThisThreadNice: sets the nice and reads it back; not permitted and not Linux are reasons, not throws', () => {
  const set: Array<[number, number]> = [];
  const ok: PriorityCalls = { set: (tid, n) => void set.push([tid, n]), get: () => -10 };
  assert.deepEqual(setThisThreadNice(-10, ok, () => 42), { tid: 42, nice: -10 });
  assert.deepEqual(set, [[42, -10]]);
  const denied: PriorityCalls = { set: () => { throw systemError('EACCES'); }, get: () => 0 };
  assert.deepEqual(setThisThreadNice(-10, denied, () => 42), { error: 'not permitted: a nice below 0 needs root or CAP_SYS_NICE (EACCES)' });
  // lowering is never a privilege question: the system's own words
  const gone: PriorityCalls = { set: () => { throw systemError('ESRCH'); }, get: () => 0 };
  assert.match((setThisThreadNice(10, gone, () => 42) as { error: string }).error, /ESRCH/);
  assert.match((setThisThreadNice(-10, ok, () => undefined) as { error: string }).error, /Linux only/);
});

test('threadPriorityOf: how many threads were raised, to what, and the first reason one was not', () => {
  assert.deepEqual(threadPriorityOf([{ tid: 1, nice: -10 }, { tid: 2, nice: -10 }]), { asked: 'high', raised: 2, threads: 2, nice: -10 });
  assert.deepEqual(threadPriorityOf([{ tid: 1, nice: -10 }, { error: 'not permitted: x' }]), { asked: 'high', raised: 1, threads: 2, nice: -10, error: 'not permitted: x' });
  assert.deepEqual(threadPriorityOf([{ error: 'not permitted: x' }]), { asked: 'high', raised: 0, threads: 1, error: 'not permitted: x' });
  // set but read back at 0 (a container that ignores it): not raised
  assert.deepEqual(threadPriorityOf([{ tid: 1, nice: 0 }]), { asked: 'high', raised: 0, threads: 1 });
});

test('scenario: thread_priority high is in the plan, normal leaves it out, anything else names the line and what to write', () => {
  const base = 'target builtin:chat\nprompt "p"\n  user hi\nload users 1 for 1s\n';
  assert.equal(scenarioDiags(base + 'thread_priority high\n').plan?.thread_priority, 'high');
  const normal = scenarioDiags(base + 'thread_priority normal\n');
  assert.deepEqual(normal.diags, []);
  assert.equal(normal.plan?.thread_priority, undefined);
  assert.equal(scenarioDiags(base).plan?.thread_priority, undefined);
  const usage = 'thread_priority high (the load threads before other processes on the cores; needs root or CAP_SYS_NICE) or thread_priority normal (the default)';
  const bad = scenarioDiags(base + 'thread_priority realtime\n');
  assert.equal(bad.plan, undefined);
  assert.deepEqual(bad.diags, [`5:17-5:25 error: unexpected "realtime"; write ${usage}`]);
  assert.deepEqual(scenarioDiags(base + 'thread_priority hihg\n', { fixes: true }).diags, ['5:17-5:21 error: unexpected "hihg"; did you mean "high"? [fix: high]']);
  assert.deepEqual(scenarioDiags(base + 'thread_priority\n').diags, [`5:1-5:16 error: thread_priority needs high or normal; write ${usage}`]);
  assert.deepEqual(scenarioDiags(base + 'thread_priority high\nthread_priority normal\n').diags, ['6:1-6:16 error: duplicate "thread_priority" line; the first is on line 5']);
});

const pc = (p50: number, p99: number) => ({ p50, p90: p99, p95: p99, p99, max: p99, mean: p50 });
const local = chooseThreads({ cores: 2, load: { streams: 64, requests_per_s: 20, packets_per_s: 5000, reads_per_s: 5000 }, local_target: true });
const remote = chooseThreads({ cores: 2, load: { streams: 64, requests_per_s: 20, packets_per_s: 5000, reads_per_s: 5000 }, local_target: false });
const lagging = (over: Partial<ClientCheckInput>): ClientCheckInput => ({
  workers: 2, cores: 2, event_loop_lag_ms: pc(1, 25), schedule_lag_ms: null, cpu_percent: 60, threads: local, thread_busy: [0.3, 0.3], load_average: 1, ...over,
});

test('self-check: a server on this machine or a busy machine brings the advice to raise the threads, unless they ran raised', () => {
  const advice = /or write thread_priority high \(needs root or CAP_SYS_NICE\) so the load threads go first when they share a core/;
  const same = clientCheck(lagging({}));
  assert.deepEqual(same.causes, ['server_same_machine']);
  assert.match(same.warning!, advice);
  const raised = clientCheck(lagging({ thread_priority: { asked: 'high', raised: 2, threads: 2, nice: -10 } }));
  assert.deepEqual(raised.causes, ['server_same_machine']);
  assert.doesNotMatch(raised.warning!, /thread_priority/);
  assert.deepEqual(raised.thread_priority, { asked: 'high', raised: 2, threads: 2, nice: -10 });
  const denied = clientCheck(lagging({ thread_priority: { asked: 'high', raised: 0, threads: 2, error: 'not permitted: a nice below 0 needs root or CAP_SYS_NICE (EACCES)' } }));
  assert.match(denied.warning!, /thread_priority high was asked for but 0 of 2 load threads were raised \(not permitted: a nice below 0 needs root or CAP_SYS_NICE \(EACCES\)\)/);
  // a busy machine with a remote target: the same advice, once
  const busy = clientCheck(lagging({ threads: remote, load_average: 6 }));
  assert.deepEqual(busy.causes, ['machine_busy']);
  assert.match(busy.warning!, advice);
  // both causes: said once
  const both = clientCheck(lagging({ load_average: 6 }));
  assert.deepEqual(both.causes, ['machine_busy', 'server_same_machine']);
  assert.equal(both.warning!.match(/thread_priority high/g)!.length, 1);
  // threads busy all the time need more threads, not a higher priority
  const busyThreads = clientCheck(lagging({ threads: remote, thread_busy: [0.95, 0.9], cpu_percent: 150 }));
  assert.doesNotMatch(busyThreads.warning!, /thread_priority/);
});

test('a run with thread_priority high raises exactly its load threads to nice -10 while it runs (or says it was not permitted), and records it', { skip: !linux }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-priority-'));
  const before = threadNices();
  try {
    const pl = plan({ target: { kind: 'builtin', profile: 'chat?decode_tokens_per_s=400' }, load: { kind: 'users', users: 4, duration_ms: 1500 }, thread_priority: 'high' });
    const h = await startRun(pl, { outDir: path.join(dir, 'run'), workers: 2 });
    // the threads' nice values as /proc shows them during the run
    const seen = new Set<number>();
    const watch = setInterval(() => {
      for (const [tid, n] of threadNices()) if (n === HIGH_PRIORITY_NICE && before.get(tid) !== HIGH_PRIORITY_NICE) seen.add(tid);
    }, 50);
    const { summary, error } = await h.done;
    clearInterval(watch);
    assert.equal(error, undefined);
    assert.ok(summary.requests.ok > 0);
    const prio = summary.client?.thread_priority;
    assert.ok(!seen.has(process.pid), 'the orchestrating thread keeps its priority');
    assert.equal(threadNices().get(process.pid), before.get(process.pid));
    if (mayRaise()) {
      assert.deepEqual(prio, { asked: 'high', raised: 2, threads: 2, nice: HIGH_PRIORITY_NICE });
      assert.equal(seen.size, 2, `two load threads at nice ${HIGH_PRIORITY_NICE} in /proc, saw ${[...seen].join(',')}`);
    } else {
      assert.equal(prio?.raised, 0);
      assert.match(prio?.error ?? '', /not permitted: a nice below 0 needs root or CAP_SYS_NICE/);
      assert.equal(seen.size, 0);
      assert.match(summaryText(summary, dir), /note: thread_priority high: 0 of 2 load threads raised \(not permitted/);
    }
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8')) as typeof summary;
    assert.deepEqual(onDisk.client?.thread_priority, prio);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a run without the line leaves every thread at its priority and records none', { skip: !linux }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-priority-'));
  try {
    const pl = plan({ target: { kind: 'builtin', profile: 'chat?decode_tokens_per_s=400' }, load: { kind: 'users', users: 2, duration_ms: 800 } });
    const h = await startRun(pl, { outDir: path.join(dir, 'run'), workers: 2 });
    // new threads start at the nice of the thread that made them: none may go below this process's
    const base = threadNices().get(process.pid)!;
    let raisedSeen = false;
    const watch = setInterval(() => {
      for (const n of threadNices().values()) if (n < base) raisedSeen = true;
    }, 50);
    const { summary } = await h.done;
    clearInterval(watch);
    assert.equal(raisedSeen, false);
    assert.equal(summary.client?.thread_priority, undefined);
    assert.doesNotMatch(summaryText(summary, dir), /thread_priority/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
