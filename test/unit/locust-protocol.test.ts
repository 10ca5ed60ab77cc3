// The Locust wire format and stats shape, checked against Locust's own rules: response-time keys
// rounded as Python rounds them, integer-keyed dicts on the wire (read back by Python's msgpack when
// Debian's python3-msgpack is there), deltas that start again from zero, errors by llmload kind,
// and the external user count the master drives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { decodeMessage, encodeMessage, IntKeyMap, parseMasterAddress, pyRound, responseTimeKey } from '../../src/core/locust/protocol';
import { LocustStats } from '../../src/core/locust/stats';
import { externalSchedule, setExternalUsers } from '../../src/core/load/external-shape';
import { usersAt } from '../../src/core/load/shape';
import type { RequestRecord } from '../../src/core/metrics/record';

test('response-time keys follow StatsEntry._log_response_time with Python 3 rounding (ties to even)', () => {
  // Values printed by /usr/bin/python3 running Locust 2.12.1's rule.
  const python: Array<[number, number]> = [
    [0.4, 0], [0.5, 0], [1.5, 2], [2.5, 2], [99.5, 100], [145.0, 140], [155.0, 160], [145.00001, 150],
    [1250.0, 1200], [1350.0, 1400], [12500.0, 12000], [13500.0, 14000], [9999.0, 10000], [42.7, 43],
  ];
  for (const [ms, key] of python) assert.equal(responseTimeKey(ms), key, `${ms} ms`);
  assert.equal(pyRound(0.5), 0);
  assert.equal(pyRound(3.5), 4);
});

test('a message is one msgpack array [type, data, node_id]; dicts of counts keep integer keys', () => {
  const rt = new IntKeyMap([[140, 2], [12, 1]]);
  const frame = encodeMessage('stats', { stats: [], stats_total: { response_times: rt }, errors: {}, skip: undefined }, 'host_ab');
  const m = decodeMessage(frame);
  assert.equal(m.type, 'stats');
  assert.equal(m.node_id, 'host_ab');
  assert.deepEqual(m.data, { stats: [], stats_total: { response_times: { 140: 2, 12: 1 } }, errors: {} });
  // The map keys are msgpack integers (0x8c = 140 as a positive fixint is 0xcc 0x8c), not strings.
  const hex = Buffer.from(frame).toString('hex');
  assert.ok(hex.includes('82cc8c020c01'), `integer keys on the wire: ${hex}`);
  assert.throws(() => decodeMessage(encodeMessage('x', null, 'a').slice(1)), /not a Locust message|/);
});

test("Python's msgpack (the master's decoder) reads the frame with integer keys", { skip: !fs.existsSync('/usr/bin/python3') }, (t) => {
  const frame = encodeMessage('stats', { stats_total: { response_times: new IntKeyMap([[230, 3]]), max_response_time: 231.5 } }, 'w1');
  const py = spawnSync('/usr/bin/python3', ['-c', 'import sys, msgpack; m = msgpack.loads(sys.stdin.buffer.read(), raw=False, strict_map_key=False); print(repr(m))'], { input: Buffer.from(frame), encoding: 'utf8' });
  if (py.status !== 0 && /No module named 'msgpack'/.test(py.stderr)) return t.skip('python3-msgpack is not installed (it comes with python3-locust)');
  assert.equal(py.status, 0, py.stderr);
  assert.equal(py.stdout.trim(), "['stats', {'stats_total': {'response_times': {230: 3}, 'max_response_time': 231.5}}, 'w1']");
});

test('--master HOST[:PORT]: 5557 by default, IPv6 in brackets, bad ports refused', () => {
  assert.deepEqual(parseMasterAddress('10.0.0.5'), { host: '10.0.0.5', port: 5557 });
  assert.deepEqual(parseMasterAddress('master.local:6000'), { host: 'master.local', port: 6000 });
  assert.deepEqual(parseMasterAddress('[::1]:5558'), { host: '::1', port: 5558 });
  assert.throws(() => parseMasterAddress('h:0'), /port must be 1-65535/);
  assert.throws(() => parseMasterAddress(''), /HOST or HOST:PORT/);
});

function rec(over: Partial<RequestRecord>): RequestRecord {
  return {
    id: 0, prompt: 'chat', user: 0, start_ms: 1_800_000_000_000, offset_ms: 0, status: 'ok', http_status: 200,
    ttft_ms: 40, ttfa_ms: 55, thinking_ms: null, e2e_ms: 230, input_tokens: 10, output_tokens: 20, output_tokens_source: 'server',
    thinking_tokens: 0, thinking_tokens_source: 'server', token_rate: 100, finish_reason: 'stop', packets: {}, ...over,
  };
}

test('stats: ttft/ttfa/e2e entries per prompt, failures by error kind on e2e, Aggregated counts each request once, deltas reset', () => {
  let now = 1_800_000_000;
  const s = new LocustStats(() => now);
  s.add(rec({}));
  s.add(rec({ ttfa_ms: null, e2e_ms: 1250 }));
  s.add(rec({ status: 'error', error: { kind: 'http_429', message: 'slow down' }, ttft_ms: null, ttfa_ms: null, e2e_ms: 3, output_tokens: 0 }));
  s.add(rec({ status: 'error', error: { kind: 'http_429', message: 'slow down' }, ttft_ms: null, ttfa_ms: null, e2e_ms: 4, output_tokens: 0 }));
  s.add(rec({ status: 'error', error: { kind: 'timeout_total', message: 't' }, ttft_ms: 40, ttfa_ms: null, e2e_ms: 60_000, output_tokens: 5 }));
  s.add(rec({ warmup: true }));
  s.add(rec({ status: 'error', error: { kind: 'cancelled', message: 'stopped' } }));
  const r = s.report();
  const by = Object.fromEntries(r.stats.map((e) => [e.name, e]));
  assert.deepEqual(Object.keys(by).sort(), ['e2e chat', 'ttfa chat', 'ttft chat']);
  assert.ok(r.stats.every((e) => e.method === 'LLM'));
  assert.equal(by['ttft chat']!.num_requests, 2, 'ttft: the ok requests');
  assert.equal(by['ttfa chat']!.num_requests, 1, 'ttfa: ok requests with an answer packet');
  assert.equal(by['e2e chat']!.num_requests, 5, 'e2e: every finished request, warmup and cancelled left out');
  assert.equal(by['e2e chat']!.num_failures, 3);
  assert.equal(by['e2e chat']!.total_content_length, 45, 'output tokens as content length');
  assert.deepEqual([...by['e2e chat']!.response_times].sort((a, b) => a[0] - b[0]), [[3, 1], [4, 1], [230, 1], [1200, 1], [60000, 1]]);
  assert.equal(r.stats_total.num_requests, 5);
  assert.equal(r.stats_total.num_failures, 3);
  const errors = Object.values(r.errors).map((e) => [e.name, e.error, e.occurrences]).sort();
  assert.deepEqual(errors, [['e2e chat', 'http_429', 2], ['e2e chat', 'timeout_total', 1]]);
  now += 3;
  const next = s.report();
  assert.deepEqual(next.stats, [], 'a delta: nothing new since the last report');
  assert.equal(next.stats_total.num_requests, 0);
  assert.equal(next.stats_total.start_time, now - 3, 'a delta starts where the last report ended');
});

test('external load shape: each count the master sends is a step from that instant on, never back in time', () => {
  const s = externalSchedule();
  assert.equal(usersAt(s, 0), 0);
  setExternalUsers(s, 1000, 2);
  setExternalUsers(s, 2000, 4);
  setExternalUsers(s, 1500, 3); // late: replaces the last step's count
  assert.equal(usersAt(s, 999), 0);
  assert.equal(usersAt(s, 1000), 2);
  assert.equal(usersAt(s, 5000), 3);
  assert.equal(usersAt(s, 1e12), 3, 'no end');
  assert.throws(() => setExternalUsers(s, 3000, 1.5), /whole number/);
});
