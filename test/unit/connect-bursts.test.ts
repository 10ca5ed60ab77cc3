/**
 * Event-loop lag while connecting (src/core/load/connect-bursts.ts): the lag probe's ticks are
 * split by the connections opened in their window, and the self-check names a burst of new
 * connections as the cause when the late ticks came while connecting. A real run carries the
 * figures in summary.json, counted from the same sockets as `connections.opened`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BURST_CONNECTS_PER_S, ConnectBurstTracker, emptyConnectBursts, LATE_TICK_MS, mergeConnectBursts } from '../../src/core/load/connect-bursts';
import { clientCheck, LOOP_LAG_P99_LIMIT_MS, type ClientCheckInput } from '../../src/core/run/client-check';
import { startRun } from '../../src/core/run/runner';
import { defineProfile, startSimulator } from '../../src/core/sim';
import { plan } from '../helpers/plans';
import { llamaServer } from '../helpers/llamacpp-server';
import { connectsPerRequest, emptyConnectionStats } from '../../src/core/protocols/connections';

test('a late tick is late by the same limit the self-check applies to the lag p99', () => {
  assert.equal(LATE_TICK_MS, LOOP_LAG_P99_LIMIT_MS);
});

test('ticks are split by the connection rate in their window; late ones counted apart; the peak is per second', () => {
  const t = new ConnectBurstTracker(0, 0);
  // 1 s of quiet ticks every 10 ms, one connection in all
  let now = 0;
  let opened = 0;
  for (let k = 1; k <= 100; k++) {
    now += 10;
    if (k === 50) opened += 1; // 1 in 10 ms is 100/s: under the burst rate
    t.tick(now, 0.2, opened);
  }
  // a stall: one tick 400 ms late in whose window 300 connections opened (~730/s)
  now += 410;
  opened += 300;
  t.tick(now, 400, opened);
  // one late tick with no connection in its window
  now += 30;
  t.tick(now, 20, opened);
  // a connecting window that was not late
  now += 10;
  opened += 5; // 500/s
  t.tick(now, 0.5, opened);
  const r = t.result();
  assert.equal(r.opened, 306);
  assert.equal(r.ticks, 103);
  assert.equal(r.ticks_connecting, 2);
  assert.equal(r.late_ticks, 2);
  assert.equal(r.late_ticks_connecting, 1);
  assert.equal(r.lag_max_connecting, 400);
  assert.equal(r.lag_max_other, 20);
  // first second: 1 connection; the rest (450 ms, past half a second? no: 450 < 500) is not scaled up
  assert.equal(r.peak_per_s, 1);
  assert.ok(BURST_CONNECTS_PER_S > 100 && BURST_CONNECTS_PER_S < 500, 'the test straddles the burst rate');
});

test("the result takes the thread's final connection count when connections opened after the last tick", () => {
  const t = new ConnectBurstTracker(0, 0);
  t.tick(10, 0, 4);
  assert.equal(t.result().opened, 4);
  assert.equal(t.result(6).opened, 6, 'opened after the probe stopped');
  assert.equal(t.result(3).opened, 4, 'never fewer than the ticks saw');
});

test('the last partial second counts toward the peak once it spans half a second', () => {
  const t = new ConnectBurstTracker(0, 0);
  t.tick(600, 590, 300); // 300 connections in 600 ms: 500 a second
  assert.equal(t.result().peak_per_s, 500);
  assert.equal(t.result().late_ticks_connecting, 1);
});

test('merging threads adds counts and peaks and keeps the longest lags', () => {
  const a = { ...emptyConnectBursts(), opened: 10, ticks: 5, ticks_connecting: 2, late_ticks: 3, late_ticks_connecting: 2, lag_max_connecting: 40, lag_max_other: 5, peak_per_s: 300 };
  const b = { ...emptyConnectBursts(), opened: 4, ticks: 6, ticks_connecting: 1, late_ticks: 1, late_ticks_connecting: 0, lag_max_connecting: 12, lag_max_other: 15, peak_per_s: 250 };
  assert.deepEqual(mergeConnectBursts([a, b]), { opened: 14, ticks: 11, ticks_connecting: 3, late_ticks: 4, late_ticks_connecting: 2, lag_max_connecting: 40, lag_max_other: 15, peak_per_s: 550 });
  assert.deepEqual(mergeConnectBursts([]), emptyConnectBursts());
});

const p = (p50: number, p99: number) => ({ p50, p90: p99, p95: p99, p99, max: p99, mean: p50 });
const lagging = (over: Partial<ClientCheckInput>): ClientCheckInput => ({ workers: 2, cores: 2, event_loop_lag_ms: p(1, 60), schedule_lag_ms: null, cpu_percent: 80, thread_busy: [0.7, 0.7], load_average: 1, ...over });
const burst = { ...emptyConnectBursts(), opened: 2000, ticks: 2000, ticks_connecting: 90, late_ticks: 40, late_ticks_connecting: 32, lag_max_connecting: 457, lag_max_other: 22, peak_per_s: 1950 };

test('cause: a burst of new connections, named first, with the ramp advice and the figures', () => {
  const c = clientCheck(lagging({ connect_bursts: burst, gc_pause_ms: { count: 10, total: 200, max: 40 } }));
  assert.equal(c.causes?.[0], 'connection_burst');
  assert.ok(c.causes?.includes('gc_pauses'), 'the other causes are still listed');
  assert.match(c.warning!, /likely cause: opening connections stalled the load threads: 32 of the 40 lag probes over 10 ms came while they opened new connections \(2000 in all, up to 1950 a second\), up to 457\.0 ms late against 22\.0 ms at other times; users joined faster than the threads could connect them: ramp the users in over a longer time/);
  assert.deepEqual(c.connect_bursts, burst);
});

test('cause: connecting per request (server closes each connection) gets its own advice', () => {
  const c = clientCheck(lagging({ connect_bursts: burst, connects_per_request: true }));
  assert.equal(c.causes?.[0], 'connection_burst');
  assert.match(c.warning!, /every request opened a connection of its own/);
  assert.doesNotMatch(c.warning!, /ramp the users in/);
});

test('no connection cause when most late ticks came at other times, or the worst lag did', () => {
  const fewer = clientCheck(lagging({ connect_bursts: { ...burst, late_ticks_connecting: 10 } }));
  assert.ok(!fewer.causes?.includes('connection_burst'), JSON.stringify(fewer.causes));
  const worseElsewhere = clientCheck(lagging({ connect_bursts: { ...burst, lag_max_other: 600 } }));
  assert.ok(!worseElsewhere.causes?.includes('connection_burst'));
  const noLag = clientCheck(lagging({ event_loop_lag_ms: p(0.5, 3), connect_bursts: burst }));
  assert.equal(noLag.causes, undefined);
  assert.equal(noLag.warning, undefined);
});

test("a run's summary carries the threads' connection figures, counted from the same sockets as connections.opened", async () => {
  const sim = await startSimulator({ profile: defineProfile('chat', { name: 'fast', decode_tokens_per_s: 5000, overhead_ms: 0, answer_tokens: [10, 10], keepalive_interval_ms: 0, jitter: 0 }), seed: 1 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bursts-'));
  try {
    // keep-alive off: every request opens a connection, so the count is known
    const pl = plan({ target: { kind: 'url', url: sim.url }, model: 'sim', load: { kind: 'users', users: 8, duration_ms: 60_000 }, stop: { after_requests: 200 }, keep_alive: false });
    const h = await startRun(pl, { outDir: path.join(dir, 'run'), workers: 2 });
    const { summary, error } = await h.done;
    assert.equal(error, undefined);
    const b = summary.client?.connect_bursts;
    assert.ok(b, 'summary.client.connect_bursts');
    assert.equal(b.opened, summary.connections?.opened, 'the same sockets');
    assert.ok(b.opened >= 200, `a connection per request: ${b.opened}`);
    assert.ok(b.ticks > 0 && b.ticks_connecting <= b.ticks && b.late_ticks_connecting <= b.late_ticks && b.late_ticks <= b.ticks, JSON.stringify(b));
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8')) as { client?: { connect_bursts?: unknown } };
    assert.deepEqual(onDisk.client?.connect_bursts, b);
  } finally {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('connectsPerRequest: keep-alive off, or a server closing after (nearly) every response; not a kept connection', () => {
  assert.equal(connectsPerRequest(undefined), false);
  assert.equal(connectsPerRequest(emptyConnectionStats(false)), true, 'keep_alive off');
  assert.equal(connectsPerRequest({ ...emptyConnectionStats(), opened: 10, responses: 10, closed_after_response: 9 }), true);
  assert.equal(connectsPerRequest({ ...emptyConnectionStats(), opened: 2, responses: 10, closed_after_response: 1 }), false);
});

test('against a llama.cpp stand-in that closes after every stream, keep-alive on: every request connects, and the figures count each connection', async () => {
  const srv = await llamaServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bursts-llama-'));
  try {
    const pl = plan({ target: { kind: 'url', url: `${srv.url}/v1` }, model: 'tiny', load: { kind: 'users', users: 2, duration_ms: 60_000 }, stop: { after_requests: 12 } });
    const { summary, error } = await (await startRun(pl, { outDir: path.join(dir, 'run'), workers: 1 })).done;
    assert.equal(error, undefined);
    const c = summary.connections!;
    assert.equal(c.keep_alive, true);
    assert.ok(connectsPerRequest(c), `the server closed after each response: ${JSON.stringify(c)}`);
    assert.equal(summary.client?.connect_bursts?.opened, c.opened, 'the same sockets');
    assert.ok(c.opened >= summary.requests.ok, `a connection per request: ${c.opened} for ${summary.requests.ok} ok`);
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
