// The `server metrics` line and `expect server ...` SLO lines: exact diagnostics, the plan they
// resolve to, and how the expectations judge a run's server figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { evaluateExpectations } from '../../src/core/metrics/expectations';
import type { ServerMetricsSummary } from '../../src/core/server-metrics/series';
import { TOP_KEYWORDS, METRICS } from '../../src/core/scenario/keywords';

const B = 'target http://127.0.0.1:8000\nmodel m\nload users 2 for 10s\nprompt "p"\n  user hi\n';

function resolve(text: string) {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: () => undefined });
  const diags = [...p.diagnostics, ...r.diagnostics].map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}`);
  return { plan: r.plan, diags };
}

test('server metrics URL [every DURATION] resolves to the plan', () => {
  const a = resolve(B + 'server metrics http://127.0.0.1:8000/metrics every 500ms\n');
  assert.deepEqual(a.diags, []);
  assert.deepEqual(a.plan!.server_metrics, { url: 'http://127.0.0.1:8000/metrics', every_ms: 500 });
  const b = resolve(B + 'var HOST 10.0.0.2:9000\nserver metrics http://${HOST}/metrics\n');
  assert.deepEqual(b.diags, []);
  assert.deepEqual(b.plan!.server_metrics, { url: 'http://10.0.0.2:9000/metrics', every_ms: 1000 });
  assert.ok(TOP_KEYWORDS.server!.includes('server metrics'), 'hover and completion text');
  assert.ok(METRICS.server.description.includes('kv_cache_usage'));
});

test('server metrics mistakes get exact diagnostics', () => {
  const cases: [string, string[]][] = [
    ['server\n', ['6:1-6:7 error: server needs "metrics" and a URL; write server metrics URL [every DURATION], e.g. server metrics http://127.0.0.1:8000/metrics every 1s']],
    ['server metric http://h/metrics\n', ['6:8-6:14 error: unexpected "metric"; did you mean "metrics"?']],
    ['server metrics\n', ['6:1-6:15 error: server metrics needs the URL of a Prometheus /metrics endpoint, or builtin: for the simulator; write server metrics URL [every DURATION], e.g. server metrics http://127.0.0.1:8000/metrics every 1s']],
    ['server metrics localhost:8000/metrics\n', ['6:16-6:38 error: expected an http(s) URL like http://127.0.0.1:8000/metrics, or builtin:, got "localhost:8000/metrics"']],
    ['server metrics http://h/metrics evry 1s\n', ['6:33-6:37 error: unexpected "evry"; did you mean "every"?']],
    ['server metrics http://h/metrics every 10ms\n', ['6:39-6:43 error: scrape at most every 100ms, got "10ms"; e.g. every 1s']],
  ];
  for (const [line, expect] of cases) assert.deepEqual(resolve(B + line).diags, expect, line);
});

test('expect server lines parse, with exact diagnostics for mistakes', () => {
  const ok = resolve(B + 'expect\n  server kv_cache_usage max < 90%\n  server preemptions == 0\n  server queue p95 < 500ms\n  server vllm:num_requests_swapped max == 0\n');
  assert.deepEqual(ok.diags, []);
  assert.deepEqual(
    ok.plan!.expectations.map((e) => [e.metric, e.server, e.op, e.value]),
    [
      ['server', { name: 'kv_cache_usage', stat: 'max' }, '<', 0.9],
      ['server', { name: 'preemptions' }, '==', 0],
      ['server', { name: 'queue', stat: 'p95' }, '<', 500],
      ['server', { name: 'vllm:num_requests_swapped', stat: 'max' }, '==', 0],
    ],
  );
  assert.deepEqual(resolve(B + 'expect server preemptions p95 == 0\n').diags, ['6:27-6:30 error: server preemptions is one figure for the run and takes no statistic']);
  assert.deepEqual(resolve(B + 'expect server queue max < 1s\n').diags, ['6:21-6:24 error: server queue takes p50, p95, p99, got "max"']);
  assert.deepEqual(resolve(B + 'expect server kv_cache_usage\n').diags, ['6:8-6:29 error: expected server FIGURE [STAT] OP VALUE, e.g. server kv_cache_usage max < 90% or server preemptions == 0, got "server kv_cache_usage"']);
});

test('server expectations pass, fail, or are not measured without scrapes', () => {
  const plan = resolve(B + 'expect\n  server kv_cache_usage max < 90%\n  server preemptions == 0\n  server waiting max == 0\n  server vllm:x last > 1\n').plan!;
  const s: ServerMetricsSummary = {
    url: 'u',
    every_s: 1,
    engine: 'vllm',
    scrapes: 3,
    failed_scrapes: 0,
    scrape_errors: [],
    kv_cache_usage: { min: 0.1, mean: 0.5, max: 0.95, last: 0.2 },
    waiting: { min: 0, mean: 0, max: 0, last: 0 },
    preemptions: 0,
    queued: false,
    raw: { 'vllm:x': { min: 0, mean: 1, max: 2, last: 2 } },
  };
  const base = { ttft_ms: {} as never, ttfa_ms: {} as never, e2e_ms: {} as never, token_rate: {} as never, qpm: 0, rps: 0, success_rate: 1 };
  const r = evaluateExpectations(plan.expectations, { ...base, server_metrics: s });
  assert.deepEqual(r.map((x) => [x.pass, x.actual_text]), [[false, '95.0%'], [true, '0'], [true, '0'], [true, '2']]);
  const none = evaluateExpectations(plan.expectations, base);
  assert.ok(none.every((x) => !x.pass && x.actual_text === 'not measured'));
});

test('server metrics builtin: with a URL target is a warning: nothing would be scraped', () => {
  assert.deepEqual(resolve(B + 'server metrics builtin:\n').diags, [
    '6:16-6:24 warning: server metrics builtin: scrapes the built-in simulator, but the target is a URL; write the URL of its /metrics, e.g. http://127.0.0.1:8000/metrics',
  ]);
  const b = resolve('target builtin:chat\nload users 1 for 1s\nprompt "p"\n  user hi\nserver metrics builtin: every 250ms\n');
  assert.deepEqual(b.diags, []);
  assert.deepEqual(b.plan!.server_metrics, { url: 'builtin:', every_ms: 250 });
});
