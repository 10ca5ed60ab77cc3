// Gamma and burst arrivals end to end: short runs over two load threads against the built-in
// simulator on loopback. The records' intended offsets are the seeded schedule's instants: a burst's
// requests share one instant, and gamma gaps are as uneven as the burstiness says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../../src/core/run/runner';
import { arrivals, scheduleFor, type OpenLoopSchedule } from '../../src/core/load/shape';
import type { RequestRecord } from '../../src/core/metrics/record';
import type { LoadPlan } from '../../src/core/scenario/plan';
import { createRng } from '../../src/core/sim/random';
import { defineProfile, startSimulator, type RunningSimulator, type SimProfile } from '../../src/core/sim';
import { plan } from '../helpers/plans';

const FAST: SimProfile = defineProfile('chat', {
  name: 'fast',
  decode_tokens_per_s: 2000,
  overhead_ms: 0,
  answer_tokens: [4, 4],
  keepalive_interval_ms: 0,
  jitter: 0,
});

async function withSim(body: (sim: RunningSimulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ profile: FAST, seed: 1 });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

async function runRecords(url: string, load: LoadPlan, seed: number): Promise<RequestRecord[]> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-arrivals-')), 'run');
  const h = await startRun(plan({ target: { kind: 'url', url }, load, seed }), { outDir: dir, workers: 2 });
  const { error } = await h.done;
  assert.equal(error, undefined);
  const recs = fs
    .readFileSync(path.join(dir, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RequestRecord);
  return recs.sort((a, b) => a.id - b.id);
}

test('load burst 6 every 250ms for 1s: 4 bursts of 6 requests, each burst at one intended instant, over 2 threads', async () => {
  await withSim(async (sim) => {
    const recs = await runRecords(sim.url, { kind: 'burst', size: 6, every_ms: 250, duration_ms: 1000 }, 3);
    assert.equal(recs.length, 24);
    assert.deepEqual(recs.map((r) => r.id), [...Array(24).keys()]);
    assert.deepEqual(recs.map((r) => r.intended_offset_ms), [...Array(24).keys()].map((j) => Math.floor(j / 6) * 250));
    assert.ok(recs.every((r) => r.user === -1 && r.offset_ms >= r.intended_offset_ms! && r.status === 'ok'));
    // Every burst is shared by both threads: three requests each (arrival j goes to thread j % 2).
    const instants = new Map<number, number>();
    for (const r of recs) instants.set(r.intended_offset_ms!, (instants.get(r.intended_offset_ms!) ?? 0) + 1);
    assert.deepEqual([...instants], [[0, 6], [250, 6], [500, 6], [750, 6]]);
  });
});

test('load rate 100/s gamma: intended offsets are the seeded schedule; burstiness 0.25 clusters them, 16 evens them out', async () => {
  await withSim(async (sim) => {
    const cvOf = async (burstiness: number): Promise<number> => {
      const load: LoadPlan = { kind: 'rate', per_s: 100, duration_ms: 1500, arrival: 'gamma', burstiness };
      const recs = await runRecords(sim.url, load, 11);
      const want = [...arrivals(scheduleFor(load) as OpenLoopSchedule, createRng(11).next)];
      assert.deepEqual(recs.map((r) => r.intended_offset_ms), want, `gamma ${burstiness}: the run follows the seeded schedule`);
      // About 150 arrivals; a renewal count's sd is sqrt(150)/sqrt(burstiness) (25 at 0.25): allow 80.
      assert.ok(Math.abs(recs.length - 150) < 80, `gamma ${burstiness}: ${recs.length} requests`);
      const t = recs.map((r) => r.intended_offset_ms!);
      const gaps = t.slice(1).map((x, i) => x - t[i]!);
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / (gaps.length - 1));
      return sd / mean;
    };
    const bursty = await cvOf(0.25); // CV 2 in theory
    const even = await cvOf(16); // CV 0.25 in theory
    assert.ok(bursty > 1.4, `gamma 0.25: CV of the gaps ${bursty}`);
    assert.ok(even < 0.4, `gamma 16: CV of the gaps ${even}`);
  });
});
