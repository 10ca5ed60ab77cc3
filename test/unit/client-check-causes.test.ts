/**
 * The client self-check names the likely cause of an event-loop lag over its limit, one rule per
 * cause, from what the run knows: the process's CPU, each load thread's busy share, the thread
 * count against the cores, a target on the same machine, the machine's load average, GC pauses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientCheck, type ClientCheckInput } from '../../src/core/run/client-check';
import { chooseThreads } from '../../src/core/run/thread-sizing';

const p = (p50: number, p99: number) => ({ p50, p90: p99, p95: p99, p99, max: p99, mean: p50 });
const remote = chooseThreads({ cores: 2, load: { streams: 64, requests_per_s: 20, packets_per_s: 5000, reads_per_s: 5000 }, local_target: false });
const local = chooseThreads({ cores: 2, load: { streams: 64, requests_per_s: 20, packets_per_s: 5000, reads_per_s: 5000 }, local_target: true });

/** A lagging run (p99 25 ms) on 2 cores with 1 thread, remote target, quiet machine, no cause present. */
const lagging = (over: Partial<ClientCheckInput>): ClientCheckInput => ({
  workers: 1,
  cores: 2,
  event_loop_lag_ms: p(1, 25),
  schedule_lag_ms: null,
  cpu_percent: 60,
  threads: remote,
  thread_busy: [0.7],
  load_average: 1,
  ...over,
});

test('no cause applies: the lag is still reported, and no cause is invented', () => {
  const c = clientCheck(lagging({}));
  assert.equal(c.bottleneck, true);
  assert.match(c.warning!, /event loop lagged 25\.0 ms at p99/);
  assert.doesNotMatch(c.warning!, /likely cause/);
  assert.equal(c.causes, undefined);
});

test('cause: CPU saturated (the process used nearly every core)', () => {
  const c = clientCheck(lagging({ cpu_percent: 192, thread_busy: [0.7] }));
  assert.deepEqual(c.causes, ['cpu_saturated']);
  assert.match(c.warning!, /likely cause: CPU saturated: the client process used 192% CPU of 200% \(2 cores\)/);
  // the CPU is named once, as the cause, not again as a second reason
  assert.equal(c.warning!.match(/192%/g)!.length, 1);
});

test('cause: a load thread busy nearly all the time: too few threads, with the count to write', () => {
  const c = clientCheck(lagging({ thread_busy: [0.97], cpu_percent: 100 }));
  assert.deepEqual(c.causes, ['threads_busy']);
  assert.match(c.warning!, /busiest load thread was busy 97% of the run: packets waited for it; too few load threads: write threads 2/);
  // already one thread per core: the machine is too small, not the thread count
  const full = clientCheck(lagging({ workers: 2, thread_busy: [0.95, 0.9], cpu_percent: 150 }));
  assert.deepEqual(full.causes, ['threads_busy']);
  assert.match(full.warning!, /the load needs more CPU than 2 cores give/);
});

test('cause: more load threads than cores', () => {
  const c = clientCheck(lagging({ workers: 4, thread_busy: [0.7, 0.7, 0.7, 0.7] }));
  assert.deepEqual(c.causes, ['more_threads_than_cores']);
  assert.match(c.warning!, /too many load threads: 4 threads on 2 cores take turns.*write threads 2 or threads auto/);
});

test('cause: the target on the same machine, when the threads were mostly idle but ran late', () => {
  const c = clientCheck(lagging({ threads: local, thread_busy: [0.2] }));
  assert.deepEqual(c.causes, ['server_same_machine']);
  assert.match(c.warning!, /the target runs on this machine and competes with the load threads for the 2 cores \(the threads were busy only 20% but were run late\)/);
  const two = clientCheck(lagging({ threads: local, workers: 2, thread_busy: [0.2, 0.25] }));
  assert.match(two.warning!, /fewer load threads \(threads 1\) leave it a core/);
  // two threads 30% busy would make one thread 60% busy: no advice to use fewer
  const busier = clientCheck(lagging({ threads: local, workers: 2, thread_busy: [0.3, 0.3] }));
  assert.deepEqual(busier.causes, ['server_same_machine']);
  assert.doesNotMatch(busier.warning!, /fewer load threads/);
  // a remote target with idle threads is not this cause
  assert.equal(clientCheck(lagging({ thread_busy: [0.2] })).causes, undefined);
});

test('cause: other processes keep the machine busy (load average above the cores, this client not at full CPU)', () => {
  const c = clientCheck(lagging({ load_average: 7.5, cpu_percent: 40 }));
  assert.deepEqual(c.causes, ['machine_busy']);
  assert.match(c.warning!, /the machine was busy: load average 7\.5 on 2 cores, while this client kept 0\.4 of them busy/);
  assert.equal(c.load_average, 7.5);
  // a server on this machine accounts for one runnable thread of the load average
  assert.deepEqual(clientCheck(lagging({ load_average: 2.8, cpu_percent: 40, threads: local, thread_busy: [0.7] })).causes, undefined);
  assert.deepEqual(clientCheck(lagging({ load_average: 2.8, cpu_percent: 40, thread_busy: [0.7] })).causes, ['machine_busy']);
});

test('cause: garbage collection pauses as long as the lag', () => {
  const c = clientCheck(lagging({ gc_pause_ms: { max: 18, total: 300 }, wall_ms: 10_000 }));
  assert.deepEqual(c.causes, ['gc_pauses']);
  assert.match(c.warning!, /garbage collection paused the load threads up to 18\.0 ms \(300 ms in all, 3\.0% of each load thread's time\)/);
  // the share is of each thread's time: two threads' 300 ms in 10 s is 1.5% each
  assert.match(clientCheck(lagging({ workers: 2, thread_busy: [0.7, 0.7], gc_pause_ms: { max: 18, total: 300 }, wall_ms: 10_000 })).warning!, /300 ms in all, 1\.5% of each load thread's time/);
  // short pauses do not explain a 25 ms lag
  assert.equal(clientCheck(lagging({ gc_pause_ms: { max: 2, total: 300 } })).causes, undefined);
  // and the GC reason below is not added a second time
  assert.equal(c.warning!.match(/garbage collection/g)!.length, 1);
});

test('GC pauses over 1% of each thread\'s time and longer than 10 ms make the timings\' p99 suspect, even with the lag under its limit', () => {
  // bench (c), 2,000 streams, thread_priority high: lag p99 8.1 ms, 554 ms of pauses in 13.9 s on 2 threads (2.0%), the longest 29.9 ms; TTFT error p99 6.7-24 ms
  const quiet = { event_loop_lag_ms: p(0.1, 8.1), workers: 2, thread_busy: [0.34, 0.34], wall_ms: 13_900 };
  const c = clientCheck(lagging({ ...quiet, gc_pause_ms: { count: 84, total: 554, max: 29.9 } }));
  assert.equal(c.bottleneck, true);
  assert.equal(c.causes, undefined, 'not a lag over the limit');
  assert.match(
    c.warning!,
    /garbage collection paused each load thread 2\.0% of the run, up to 29\.9 ms: a packet that arrives during a pause is stamped when it ends, and with more than 1% of the time paused the p99 of the timings \(TTFT, ITL\) lies inside the pauses and may be late by up to 29\.9 ms; spread the open streams over more load threads or machines/,
  );
  // under 1% of the time: fewer than 1 packet in 100 meets a pause
  assert.equal(clientCheck(lagging({ ...quiet, gc_pause_ms: { count: 40, total: 250, max: 29.9 } })).bottleneck, false);
  // 2% of the time in pauses none longer than the limit: late by less than the lag limit anyway
  assert.equal(clientCheck(lagging({ ...quiet, gc_pause_ms: { count: 300, total: 554, max: 9 } })).bottleneck, false);
  // no wall time, no share
  assert.equal(clientCheck(lagging({ ...quiet, wall_ms: undefined, gc_pause_ms: { count: 84, total: 554, max: 29.9 } })).bottleneck, false);
});

test('several causes are listed, most likely first; no lag, no cause', () => {
  // a busy machine is named before the local server (the other processes' share is the larger)
  assert.deepEqual(clientCheck(lagging({ threads: local, thread_busy: [0.2], load_average: 6, cpu_percent: 40 })).causes, ['machine_busy', 'server_same_machine']);
  const c = clientCheck(lagging({ threads: local, cpu_percent: 195, workers: 3, thread_busy: [0.3, 0.3, 0.3], load_average: 9 }));
  assert.deepEqual(c.causes, ['cpu_saturated', 'more_threads_than_cores', 'server_same_machine']);
  const quiet = clientCheck(lagging({ event_loop_lag_ms: p(0.2, 2), threads: local, thread_busy: [0.1], load_average: 9 }));
  assert.equal(quiet.bottleneck, false);
  assert.equal(quiet.causes, undefined);
  assert.deepEqual(quiet.thread_busy_percent, [10]);
  assert.equal(quiet.threads?.local_target, true);
});
