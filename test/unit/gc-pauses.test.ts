// The load threads' garbage-collection pauses (perf_hooks 'gc') reach the run's summary and feed the
// self-check's `gc_pauses` cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { emptyGcPauses, mergeGcPauses, watchGcPauses } from '../../src/core/load/gc-pauses';
import { startRun } from '../../src/core/run/runner';
import { clientCheck } from '../../src/core/run/client-check';
import { defineProfile, startSimulator } from '../../src/core/sim';
import { plan } from '../helpers/plans';

test('watchGcPauses counts the collections that garbage on this thread causes', async () => {
  const stop = watchGcPauses();
  let keep = 0;
  // ~200 MB of short-lived arrays: the young generation fills many times over
  for (let i = 0; i < 200_000; i++) keep += new Array(128).fill(i).length;
  await new Promise((r) => setTimeout(r, 20)); // the observer's entries are delivered on a later turn
  const g = stop();
  assert.equal(keep, 200_000 * 128);
  assert.ok(g.count > 0, `collections: ${g.count}`);
  assert.ok(g.total > 0 && g.max > 0 && g.max <= g.total, JSON.stringify(g));
  const after = stop();
  assert.equal(after.count, g.count, 'nothing is counted once stopped');
});

test('mergeGcPauses adds counts and totals and keeps the longest pause of any thread', () => {
  assert.deepEqual(mergeGcPauses([]), emptyGcPauses());
  assert.deepEqual(mergeGcPauses([{ count: 3, total: 4.5, max: 2 }, { count: 1, total: 7, max: 7 }, emptyGcPauses()]), { count: 4, total: 11.5, max: 7 });
});

test("a run's summary carries the load threads' GC pauses, and a lag as long as them names GC as a cause", async () => {
  const sim = await startSimulator({ profile: defineProfile('chat', { name: 'fast', decode_tokens_per_s: 5000, overhead_ms: 0, answer_tokens: [20, 20], keepalive_interval_ms: 0, jitter: 0 }), seed: 1 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-gc-'));
  try {
    const p = plan({ target: { kind: 'url', url: sim.url }, model: 'sim', load: { kind: 'users', users: 4, duration_ms: 60_000 }, stop: { after_requests: 300 } });
    const h = await startRun(p, { outDir: path.join(dir, 'run'), workers: 2 });
    const { summary, error } = await h.done;
    assert.equal(error, undefined);
    const g = summary.client?.gc_pause_ms;
    assert.ok(g, 'summary.client.gc_pause_ms');
    assert.ok(Number.isInteger(g.count) && g.count >= 0);
    assert.ok(g.max >= 0 && g.max <= g.total + 0.01, JSON.stringify(g));
    if (g.count === 0) assert.equal(g.total, 0);
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8')) as { client?: { gc_pause_ms?: unknown } };
    assert.deepEqual(onDisk.client?.gc_pause_ms, g);
  } finally {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const p = (v: number) => ({ p50: v, p90: v, p95: v, p99: v, max: v, mean: v });
  const c = clientCheck({ workers: 2, cores: 2, event_loop_lag_ms: p(30), schedule_lag_ms: null, cpu_percent: 40, gc_pause_ms: { count: 12, total: 120, max: 20 }, wall_ms: 10_000 });
  assert.deepEqual(c.gc_pause_ms, { count: 12, total: 120, max: 20 });
  assert.ok(c.causes?.includes('gc_pauses'));
  assert.match(c.warning!, /garbage collection paused the load threads up to 20\.0 ms \(120 ms in all, 0\.6% of each load thread's time\)/);
});
