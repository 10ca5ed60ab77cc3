// Sharding the load over worker threads, replay logs, and the lossless merge of per-thread
// histograms: pure functions, checked exactly (no clocks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arrivals, owns, replaySchedule, scheduleFor, shareOf, type OpenLoopSchedule } from '../../src/core/load/shape';
import { loadReplay, parseReplay } from '../../src/core/load/replay';
import { ThreadHistograms } from '../../src/core/load/thread-histograms';
import { THREAD_HISTS } from '../../src/core/messages';
import { Hist } from '../../src/core/metrics/histogram';
import { clientCheck } from '../../src/core/run/client-check';
import { createRng } from '../../src/core/sim/random';
import type { Packet } from '../../src/core/protocols/types';

test('shards: every global index has exactly one owner, and request budgets split to their sum', () => {
  for (const count of [1, 2, 3, 8]) {
    for (let i = 0; i < 100; i++) {
      const owners = Array.from({ length: count }, (_, index) => index).filter((index) => owns({ index, count }, i));
      assert.deepEqual(owners, [i % count]);
    }
    for (const total of [0, 1, 7, 9, 100]) {
      const parts = Array.from({ length: count }, (_, index) => shareOf({ index, count }, total));
      assert.equal(parts.reduce((a, b) => a + b, 0), total);
      assert.ok(Math.max(...parts) - Math.min(...parts) <= 1, 'balanced');
    }
  }
});

test('closed loop over 3 threads: at every step the shards together run exactly the users the shape asks for', () => {
  const s = scheduleFor({ kind: 'step', start: 2, add: 2, every_ms: 1000, max: 11, hold_ms: 5000 });
  assert.equal(s.kind, 'closed');
  if (s.kind !== 'closed') return;
  for (const step of s.steps) {
    const perShard = [0, 1, 2].map((index) => Array.from({ length: step.users }, (_, i) => i).filter((i) => owns({ index, count: 3 }, i)));
    assert.deepEqual(perShard.flat().sort((a, b) => a - b), [...Array(step.users).keys()]);
    assert.ok(Math.max(...perShard.map((x) => x.length)) - Math.min(...perShard.map((x) => x.length)) <= 1);
  }
  assert.deepEqual(s.steps.map((x) => x.users), [2, 4, 6, 8, 10, 11]);
});

test('open loop over 3 threads: the shards partition the one seeded Poisson arrival sequence', () => {
  const s = scheduleFor({ kind: 'rate', per_s: 50, duration_ms: 60_000, arrival: 'poisson' }) as OpenLoopSchedule;
  const whole = [...arrivals(s, createRng(7).next)];
  const byShard = [0, 1, 2].map((index) => [...arrivals(s, createRng(7).next)].filter((_, j) => owns({ index, count: 3 }, j)));
  assert.equal(byShard.reduce((a, b) => a + b.length, 0), whole.length);
  const merged = byShard.flat().sort((a, b) => a - b);
  assert.deepEqual(merged, whole);
  // each thread gets a third of the rate
  for (const part of byShard) assert.ok(Math.abs(part.length - whole.length / 3) <= 1);
});

test('replay: lines parse to offsets and requests; every bad line is named, nothing throws', () => {
  const text = [
    '{"offset_ms": 1500, "prompt": "second", "name": "b", "max_tokens": 32}',
    '',
    '{"offset_s": 0.5, "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "first"}]}',
    '{"offset_ms": 1500, "body": {"messages": [{"role": "user", "content": "third"}], "temperature": 0}}',
    '{"offset_ms": -1, "prompt": "x"}',
    '{"prompt": "no time"}',
    'not json',
    '{"offset_ms": 3, "prompt": "a", "body": {}}',
    '{"offset_ms": 3, "messages": [{"role": "robot", "content": "x"}]}',
    '[1,2]',
  ].join('\r\n');
  const r = parseReplay(text);
  assert.deepEqual(
    r.entries.map((e) => [e.offset_ms, e.prompt.name, e.prompt.messages.map((m) => m.content).join('|')]),
    [
      [1500, 'b', 'second'],
      [500, 'replay', 'be brief|first'],
      [1500, 'replay', 'third'],
    ],
  );
  assert.equal(r.entries[0]!.prompt.params.max_tokens, 32);
  assert.deepEqual(r.entries[2]!.prompt.body, { messages: [{ role: 'user', content: 'third' }], temperature: 0 });
  assert.deepEqual(r.errors, [
    'line 5: the time offset must be a number >= 0',
    'line 6: no time offset (offset_ms or offset_s)',
    'line 7: not valid JSON',
    'line 8: more than one request (prompt, body)',
    'line 9: "messages" must be an array of {role, content}',
    'line 10: not a JSON object',
  ]);
  assert.deepEqual(parseReplay('\n\n').errors, ['the replay log has no entries']);
  for (const junk of ['{', '{"offset_ms": "1", "prompt": 1}', '{"offset_ms": 1, "prompt": "x", "max_tokens": 0}', 'null', '"x"']) {
    assert.equal(parseReplay(junk).entries.length, 0, junk);
    assert.equal(parseReplay(junk).errors.length, 1, junk);
  }
});

test('replay: sends sorted by offset / speed, ties keep file order; a bad file is one clear error', () => {
  const { entries } = parseReplay(['{"offset_ms": 1500, "prompt": "c"}', '{"offset_ms": 500, "prompt": "a"}', '{"offset_ms": 1500, "prompt": "d"}', '{"offset_ms": 1000, "prompt": "b"}'].join('\n'));
  const s = replaySchedule(entries, 2);
  assert.deepEqual(
    s.sends.map((x) => [x.at_ms, entries[x.entry]!.prompt.messages[0]!.content]),
    [
      [250, 'a'],
      [500, 'b'],
      [750, 'c'],
      [750, 'd'],
    ],
  );
  assert.equal(s.end_ms, 750);
  assert.deepEqual(scheduleFor({ kind: 'replay', path: 'x', speed: 0.5 }, entries).end_ms, 3000);
  assert.throws(() => replaySchedule(entries, 0), /speed must be above 0/);
  assert.throws(() => scheduleFor({ kind: 'replay', path: 'x', speed: 1 }), /needs the entries/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-replay-'));
  const file = path.join(dir, 'log.jsonl');
  fs.writeFileSync(file, '{"offset_ms": 0, "prompt": "ok"}\n{"offset_ms": "soon"}\n');
  assert.throws(() => loadReplay(file), (e: Error) => e.message.includes(file) && /line 2: the time offset must be a number/.test(e.message));
  assert.throws(() => loadReplay(path.join(dir, 'missing.jsonl')), /cannot read the replay log/);
});

function packets(times: number[], kind: 'thinking' | 'answer'): Packet[] {
  return times.map((t_ms) => ({ t_ms, kind, bytes: 10 }) as Packet);
}

test('merged histograms of N threads equal one histogram fed every sample', () => {
  const rng = createRng(3);
  const one = new ThreadHistograms();
  const threads = [new ThreadHistograms(), new ThreadHistograms(), new ThreadHistograms()];
  for (let r = 0; r < 600; r++) {
    const t = threads[r % 3]!;
    // a request: thinking then answer packets with random gaps, some carrying several tokens
    let at = rng.next() * 100;
    const think: number[] = [];
    const answer: number[] = [];
    for (let i = 0; i < 5; i++) think.push((at += rng.next() * 40));
    for (let i = 0; i < 20; i++) answer.push((at += rng.next() * rng.next() * 300));
    const pk = [...packets(think, 'thinking'), ...packets(answer, 'answer')];
    const server = r % 2 === 0 ? 50 : undefined;
    one.addItl(pk, server);
    t.addItl(pk, server);
    const lag = rng.next() * rng.next() * 20;
    one.h.schedule_lag.record(lag);
    t.h.schedule_lag.record(lag);
    one.h.event_loop_lag.record(lag / 3);
    t.h.event_loop_lag.record(lag / 3);
  }
  const merged = new ThreadHistograms();
  for (const t of threads) merged.merge(JSON.parse(JSON.stringify(t.encode())));
  for (const n of THREAD_HISTS) {
    assert.ok(one.h[n].count > 0, n);
    assert.equal(merged.h[n].count, one.h[n].count, n);
    assert.deepEqual(merged.h[n].percentiles(), one.h[n].percentiles(), n);
    for (const p of ['p50', 'p90', 'p99', 'p99.9', 'min']) assert.equal(merged.h[n].stat(p), one.h[n].stat(p), `${n} ${p}`);
    assert.equal(Hist.decode(merged.h[n].encode()).count, one.h[n].count);
  }
  assert.deepEqual(merged.itlAll().percentiles(), one.itlAll().percentiles());
  // per token: a packet of 2.5 tokens (server 50 over 20 answer packets) spreads its gap over 2 or 3 tokens, so more token gaps than packet gaps
  assert.ok(one.h.itl_answer.count > one.h.itl_packet_answer.count);
  // an empty thread adds nothing
  merged.merge(new ThreadHistograms().encode());
  assert.equal(merged.h.itl_answer.count, one.h.itl_answer.count);
});

test('client self-check: quiet when the client kept up, a loud reason for each way it did not', () => {
  const p = (p50: number, p99: number) => ({ p50, p90: p99, p95: p99, p99, max: p99, mean: p50 });
  const ok = clientCheck({ workers: 2, cores: 2, event_loop_lag_ms: p(0.1, 1.2), schedule_lag_ms: p(0.2, 1), cpu_percent: 80 });
  assert.equal(ok.bottleneck, false);
  assert.equal(ok.warning, undefined);
  const lag = clientCheck({ workers: 2, cores: 2, event_loop_lag_ms: p(3, 25), schedule_lag_ms: null, cpu_percent: 80 });
  assert.equal(lag.bottleneck, true);
  assert.match(lag.warning!, /event loop lagged 25\.0 ms at p99/);
  const late = clientCheck({ workers: 1, cores: 2, event_loop_lag_ms: p(0.1, 1), schedule_lag_ms: p(1, 7.5), cpu_percent: 50 });
  assert.match(late.warning!, /schedule lag p99 7\.5 ms/);
  const cpu = clientCheck({ workers: 2, cores: 2, event_loop_lag_ms: p(0.1, 1), schedule_lag_ms: null, cpu_percent: 195 });
  assert.match(cpu.warning!, /195% CPU of 200%/);
  assert.equal(clientCheck({ workers: 1, cores: 1, event_loop_lag_ms: { p50: null, p90: null, p95: null, p99: null, max: null, mean: null }, schedule_lag_ms: null, cpu_percent: 0 }).bottleneck, false);
});
