// The backoff policy on a seeded RNG: waits stay in [base, cap], grow after consecutive failures,
// start over after an answer, honour Retry-After; which failures count as "no answer"; and the
// outage detection built on the same classification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, DEFAULT_BACKOFF, formatPolicy, isNoAnswerFailure, retryAfterMs } from '../../src/core/load/backoff';
import { OUTAGE_MIN_FAILURES, OutageTracker } from '../../src/core/metrics/outages';
import type { RequestRecord } from '../../src/core/metrics/record';
import type { SeriesRow } from '../../src/core/metrics/aggregate';
import { createRng } from '../../src/core/sim/random';
import { okRecord } from '../helpers/records';

const rec = (over: Partial<RequestRecord>): RequestRecord =>
  okRecord({ ttft_ms: 5, ttfa_ms: 5, e2e_ms: 10, input_tokens: null, output_tokens: 3, output_tokens_source: 'packets', thinking_tokens_source: 'packets', token_rate: null, packets: { answer: 3 }, ...over });

const policy = { base_ms: 100, cap_ms: 10_000 };

test('waits are never below base nor above cap, and grow over consecutive failures', () => {
  const b = new Backoff(policy, createRng(7).next);
  const waits = Array.from({ length: 200 }, () => b.fail());
  for (const w of waits) assert.ok(w >= 100 && w <= 10_000, String(w));
  // Decorrelated jitter: each wait is at most 3x the one before it.
  for (let i = 1; i < waits.length; i++) assert.ok(waits[i]! <= Math.max(100, waits[i - 1]! * 3) + 1e-9);
  // The first wait lies in [base, 3 base]; after ten failures the mean is far above base.
  assert.ok(waits[0]! <= 300);
  const late = waits.slice(20);
  assert.ok(late.reduce((s, w) => s + w, 0) / late.length > 2000, 'waits grow towards the cap');
  assert.ok(waits.some((w) => w > 8000), 'the cap is reached');
  assert.equal(b.failures, 200);
});

test('the same seed gives the same waits; an answer starts over from base', () => {
  const a = new Backoff(policy, createRng(42).next);
  const b = new Backoff(policy, createRng(42).next);
  const wa = Array.from({ length: 10 }, () => a.fail());
  const wb = Array.from({ length: 10 }, () => b.fail());
  assert.deepEqual(wa, wb);
  a.succeed();
  assert.equal(a.failures, 0);
  assert.ok(a.fail() <= 300, 'after an answer the first wait is back in [base, 3 base]');
});

test('a Retry-After longer than the drawn wait is waited out in full, even above the cap; a shorter one changes nothing', () => {
  const b = new Backoff(policy, () => 0);
  assert.equal(b.fail(1000), 1000);
  assert.equal(b.fail(30_000), 30_000);
  assert.equal(b.fail(10), 100);
});

test('the hard bound: N users each waiting at least base send at most N / base failing requests per second', () => {
  // Simulated clock: 4 users against a server that refuses instantly for 10 s.
  const users = 4;
  let sent = 0;
  for (let u = 0; u < users; u++) {
    const b = new Backoff(DEFAULT_BACKOFF, createRng(u + 1).next);
    for (let t = 0; t < 10_000; t += b.fail()) sent++;
  }
  assert.ok(sent <= (users * 10_000) / DEFAULT_BACKOFF.base_ms, String(sent));
  // And in practice far fewer, since the waits grow: the old engine sent tens of thousands.
  assert.ok(sent < 100, String(sent));
});

test('Retry-After: delay-seconds or an HTTP-date; malformed or absent is undefined', () => {
  const now = Date.parse('Sun, 06 Dec 2026 12:00:00 GMT');
  assert.equal(retryAfterMs('1', now), 1000);
  assert.equal(retryAfterMs(' 120 ', now), 120_000);
  assert.equal(retryAfterMs('Sun, 06 Dec 2026 12:00:05 GMT', now), 5000);
  assert.equal(retryAfterMs('Sun, 06 Dec 2026 11:00:00 GMT', now), 0);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs('-3', now), undefined);
  assert.equal(retryAfterMs('', now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
});

const fail = (kind: NonNullable<RequestRecord['error']>['kind'], http_status: number | null, packets: RequestRecord['packets'] = {}, over: Partial<RequestRecord> = {}) =>
  rec({ status: 'error', error: { kind, message: kind }, http_status, packets, ttft_ms: null, ttfa_ms: null, ...over });

test('no-answer failures: refused, reset before any packet, TTFT timeout, 429, 502/503/504; the rest got an answer', () => {
  assert.equal(isNoAnswerFailure(fail('connect', null)), true);
  assert.equal(isNoAnswerFailure(fail('disconnect', null)), true);
  assert.equal(isNoAnswerFailure(fail('timeout_ttft', 200)), true);
  assert.equal(isNoAnswerFailure(fail('timeout_total', null)), true);
  // A role-only chunk or a heartbeat is no output: cut after one, the model still gave nothing.
  assert.equal(isNoAnswerFailure(fail('disconnect', 200, { other: 1, heartbeat: 2 })), true);
  assert.equal(isNoAnswerFailure(fail('http_429', 429)), true);
  for (const s of [502, 503, 504]) assert.equal(isNoAnswerFailure(fail('http_5xx', s)), true, String(s));
  // The server answered: a stream cut after output, a 500, a 400, an empty answer, a success.
  assert.equal(isNoAnswerFailure(fail('disconnect', 200, { answer: 2 })), false);
  assert.equal(isNoAnswerFailure(fail('timeout_total', 200, { answer: 2 })), false);
  assert.equal(isNoAnswerFailure(fail('disconnect', 200, { thinking: 1 })), false);
  assert.equal(isNoAnswerFailure(fail('http_5xx', 500)), false);
  assert.equal(isNoAnswerFailure(fail('http_4xx', 400)), false);
  assert.equal(isNoAnswerFailure(fail('empty_answer', 200, { heartbeat: 1 })), false);
  assert.equal(isNoAnswerFailure(fail('cancelled', null)), false);
  assert.equal(isNoAnswerFailure(rec({})), false);
});

test('outages: an answer to a request sent before the failures began neither ends the outage nor breaks the row', () => {
  const t = new OutageTracker();
  const refused = (at: number) => fail('http_5xx', 503, {}, { offset_ms: at - 1, e2e_ms: 1 });
  // A stream sent at 490 whose first packet comes at 506, after three 503s and between two more:
  // the server finished work it had while refusing new work (a loading or shedding server).
  for (const at of [503, 504, 505]) t.add(refused(at));
  t.add(rec({ offset_ms: 490, ttft_ms: 16, e2e_ms: 400 }));
  for (const at of [507, 900, 1500]) t.add(refused(at));
  // A request sent after the failures began is answered: the outage ends at its first packet.
  t.add(rec({ offset_ms: 2000, ttft_ms: 30, e2e_ms: 300 }));
  // Two failures, then an early-sent answer, then a third: one row of three, so an outage again.
  for (const at of [3000, 3010]) t.add(refused(at));
  t.add(rec({ offset_ms: 2990, ttft_ms: 25, e2e_ms: 100 }));
  t.add(refused(3020));
  const { outages } = t.finish(4000, 'off');
  assert.deepEqual(
    outages.map((o) => [o.start_ms, o.end_ms, o.failed, o.recovered]),
    [
      [503, 2030, 6, true],
      [3000, 4000, 3, false],
    ],
  );
});

test('outages: three or more no-answer failures in a row, ended by the next answer seen, or by the run end', () => {
  const t = new OutageTracker();
  const ok = (at: number) => rec({ offset_ms: at - 5, ttft_ms: 5, e2e_ms: 500 });
  const refused = (at: number) => fail('connect', null, {}, { offset_ms: at - 1, e2e_ms: 1 });
  t.add(ok(100));
  // Two failures and an answer: a blip, not an outage.
  t.add(refused(200));
  t.add(refused(210));
  t.add(ok(300));
  // An outage from 1000 to 3000, with a 503 in it; a stream that began before it and whose first
  // packet came before it does not end it, though its record arrives late.
  t.add(ok(950));
  for (let at = 1000; at < 2000; at += 100) t.add(refused(at));
  t.add(fail('http_5xx', 503, {}, { offset_ms: 2500, e2e_ms: 3 }));
  t.add(ok(3000));
  // A final outage that the run's end closes.
  for (const at of [5000, 5100, 5200]) t.add(refused(at));
  t.add(fail('cancelled', null, {}, { offset_ms: 5300 }));
  t.addHeld([
    { t_ms: 205, wait_ms: 150 },
    { t_ms: 1001, wait_ms: 100 },
    { t_ms: 1500, wait_ms: 900 },
    { t_ms: 5001, wait_ms: 100 },
  ]);
  const r = t.finish(6000, formatPolicy(policy));
  assert.equal(OUTAGE_MIN_FAILURES, 3);
  assert.deepEqual(r.outages, [
    { start_ms: 1000, end_ms: 3000, recovered: true, kinds: { connect: 10, http_5xx: 1 }, failed: 11, held_back: 2 },
    { start_ms: 5000, end_ms: 6000, recovered: false, kinds: { connect: 3 }, failed: 3, held_back: 1 },
  ]);
  assert.deepEqual(r.outage_totals, { backoff: '100ms..10s', outages: 2, down_ms: 3000, failed: 14, held_back: 4, backoff_wait_ms: 1250 });
  const rows = [0, 1, 2, 3, 4, 5].map((s) => ({ t: s, errors: {} }) as unknown as SeriesRow);
  t.annotate(rows, r.outages);
  assert.deepEqual(rows.map((x) => x.down), [0, 1, 1, 1, 0, 1]);
  assert.deepEqual(rows.map((x) => x.held_back), [1, 2, 0, 0, 0, 1]);
});
