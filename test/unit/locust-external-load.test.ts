// The external load shape through the real runner and load thread, against the built-in simulator:
// the users follow the count set from outside (as a Locust master sets it), users above a lowered
// count finish and stop, a count of 0 sends nothing more, and the scenario's own stop conditions
// still end the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../../src/core/run/runner';
import type { RequestRecord } from '../../src/core/metrics/record';
import { defineProfile, startSimulator } from '../../src/core/sim';
import { plan } from '../helpers/plans';

const PROFILE = defineProfile('chat', { name: 'steady', decode_tokens_per_s: 400, overhead_ms: 5, answer_tokens: [8, 8], keepalive_interval_ms: 0, jitter: 0 });

function tmp(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-ext-')), 'run');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('users follow the external count: up, down, zero; the plan\'s own load shape is not used', { timeout: 30_000 }, async () => {
  const sim = await startSimulator({ profile: PROFILE, seed: 3 });
  try {
    // The plan says 9 users for 1 s: under external control neither number applies.
    const p = plan({ target: { kind: 'url', url: sim.url }, model: 'sim', load: { kind: 'users', users: 9, duration_ms: 1000 } });
    const recs: Array<RequestRecord & { seen: number }> = [];
    const h = await startRun(p, { outDir: tmp(), external: true, onRecords: (rs) => rs.forEach((r) => recs.push({ ...r, seen: performance.now() })) });
    await sleep(300);
    assert.equal(recs.length, 0, 'no user before the first count');
    h.setUsers(3);
    await sleep(1200);
    const up = new Set(recs.map((r) => r.user));
    assert.deepEqual([...up].sort(), [0, 1, 2], 'three users ran');
    h.setUsers(1);
    await sleep(400); // users 1 and 2 finish the request they were in
    const mark = recs.length;
    await sleep(800);
    const later = recs.slice(mark);
    assert.ok(later.length > 0, 'user 0 goes on');
    assert.deepEqual([...new Set(later.map((r) => r.user))], [0], `only user 0 after the count went to 1: ${later.map((r) => r.user)}`);
    h.setUsers(0);
    await sleep(300);
    const settled = recs.length;
    await sleep(600);
    assert.equal(recs.length, settled, 'no request after the count went to 0');
    assert.ok(recs.every((r) => r.offset_ms < 60_000), 'past the plan\'s 1 s duration the run went on (the shape is ignored)');
    h.stop('stopped');
    const { summary } = await h.done;
    assert.equal(summary.ended_by, 'stopped');
    assert.equal(summary.requests.ok, recs.length);
  } finally {
    await sim.close();
  }
});

test("the scenario's stop condition still ends an externally driven run", { timeout: 30_000 }, async () => {
  const sim = await startSimulator({ profile: PROFILE, seed: 4 });
  try {
    const p = plan({ target: { kind: 'url', url: sim.url }, model: 'sim', load: { kind: 'users', users: 1, duration_ms: 1000 }, stop: { after_requests: 12 } });
    const h = await startRun(p, { outDir: tmp(), external: true });
    h.setUsers(2);
    const { summary } = await h.done;
    assert.equal(summary.ended_by, 'requests');
    // The 12th finished request stops new sends; the other user's request in flight still finishes.
    assert.ok(summary.requests.total >= 12 && summary.requests.total <= 13, `${summary.requests.total} requests`);
  } finally {
    await sim.close();
  }
});
