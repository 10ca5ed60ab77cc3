// What the views make of the server's figures: the timeline's queue and prefill spans before
// TTFT, the server row of charts on the client's time axis, the CLI lines and panel card saying
// whether the server queued, and compare's server rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timelineLayout } from '../../src/core/viewmodel/timeline';
import { liveCharts, linePoints } from '../../src/core/viewmodel/series';
import { annotateServerRows } from '../../src/core/server-metrics/series-rows';
import { serverCard, serverLines, queueVerdict } from '../../src/core/server-metrics/verdict';
import { compareSummaries } from '../../src/core/compare/compare';
import { summaryText } from '../../src/cli/format';
import type { SeriesRow } from '../../src/core/metrics/aggregate';
import type { Summary } from '../../src/core/metrics/summary';

const P = { p50: 10, p90: 20, p95: 30, p99: 40, max: 50, mean: 15 };

function row(t: number): SeriesRow {
  return { t, active_users: 2, in_flight: 2, sent: 1, completed: 1, ok: 1, failed: 0, qpm: 60, ttft_p50: 100, ttft_p95: 100, ttft_p99: 100, ttfa_p50: 100, ttfa_p95: 100, token_rate_p50: 20, output_tokens_per_s: 20, errors: {} };
}

function summary(over: Partial<Summary> = {}): Summary {
  return {
    scenario: 's', file: '', target: 't', api: 'openai-chat', model: 'm', started_at: '2026-12-06T12:00:00Z', duration_s: 10, ended_by: 'completed',
    requests: { total: 10, ok: 10, failed: 0, cancelled: 0, warmup: 0 }, success_rate: 1, qpm: 60, rps: 1, output_tokens_per_s: 10,
    tokens: { input: 1, output: 1, thinking: 0, cached: 0 },
    token_accounting: { input: { requests: 0, server: 0, tokenizer: 0, diff_pct: null }, output: { requests: 0, server: 0, packets: 0, diff_pct: null } },
    buckets: [], ttft_ms: P, ttfa_ms: P, e2e_ms: P, thinking_ms: P, token_rate: P, errors: {}, error_samples: {}, warnings: {}, expectations: [],
    histograms: { ttft_ms: '', ttfa_ms: '', e2e_ms: '', thinking_ms: '', token_rate: '' },
    ...over,
  };
}

test('the timeline shows the server queue then its prefill, ending at TTFT', () => {
  const L = timelineLayout([{ t_ms: 250, kind: 'answer', bytes: 10, text: 'hi' }], { ttft_ms: 250, ttfa_ms: 250, e2e_ms: 300, server: { prompt_ms: 30, prefill_ms: 30, queue_ms: 220, cached_tokens: 8 } });
  assert.deepEqual(L.server, { queue: { from_ms: 0, to_ms: 220 }, prefill: { from_ms: 220, to_ms: 250 }, cached_tokens: 8 });
  assert.equal(timelineLayout([], { ttft_ms: 250, ttfa_ms: 250, e2e_ms: 300 }).server, undefined);
});

test('server figures land on the series rows of their second and add a server row of charts', () => {
  const rows = [row(0), row(1), row(2)];
  assert.ok(!liveCharts(rows).some((c) => c.id.startsWith('server')), 'no server charts without server figures');
  annotateServerRows(rows, [
    { t_s: 0.2, running: 1, waiting: 0 },
    { t_s: 1.1, running: 2, waiting: 1, kv_cache_usage: 0.5, preemptions: 0 },
    { t_s: 1.9, running: 2, waiting: 3, kv_cache_usage: 0.75, prefix_hit_rate: 0.25, preemptions: 1 },
  ]);
  const charts = liveCharts(rows);
  assert.deepEqual(charts.filter((c) => c.id.startsWith('server')).map((c) => c.id), ['server_requests', 'server_cache', 'server_preemptions']);
  const waiting = charts.find((c) => c.id === 'server_requests')!.lines.find((l) => l.label === 'waiting')!;
  assert.deepEqual(linePoints(rows, waiting.value), [{ x: 0, y: 0 }, { x: 1, y: 3 }], 'the last scrape of second 1; second 2 had none');
  const kv = charts.find((c) => c.id === 'server_cache')!.lines[0]!;
  assert.deepEqual(linePoints(rows, kv.value), [{ x: 1, y: 75 }]);
});

test('the CLI summary and the panel card say whether the server queued', () => {
  const queued = summary({
    server_metrics: { url: 'u', every_s: 1, engine: 'llamacpp', scrapes: 10, failed_scrapes: 1, scrape_errors: [{ t_s: 3, error: 'HTTP 404' }], running: { min: 0, mean: 3, max: 4, last: 0 }, waiting: { min: 0, mean: 1, max: 2, last: 0 }, queued: true },
    server_timing: { requests: 10, prompt_ms: P, prefill_ms: P, queue_ms: { ...P, p95: 1900 }, overhead_ms: 3, queue_share: 0.8 },
  });
  const text = summaryText(queued, '/tmp/run');
  assert.match(text, /server metrics \(llamacpp, 9\/10 scrapes ok\): running max 4, waiting max 2/);
  assert.match(text, /1 scrape\(s\) failed, first: HTTP 404/);
  assert.match(text, /server timings \(10 requests\): prompt p50 10\.0ms p95 30\.0ms, queue p50 10\.0ms p95 1\.90s/);
  assert.match(text, /the server queued requests \(waiting up to 2, 80\.0% of TTFT\)/);
  assert.equal(serverCard(queued)!.value, 'queued');
  const calm = summary({ server_timing: { requests: 5, prompt_ms: P, prefill_ms: P, queue_ms: { ...P, p95: 4 }, overhead_ms: 2, queue_share: 0.02 } });
  assert.equal(queueVerdict(calm)!.queued, false);
  assert.equal(serverCard(calm)!.value, 'no queue');
  assert.equal(serverCard(summary()), undefined);
  assert.deepEqual(serverLines(summary()), []);
});

test('compare shows the server figures of both runs', () => {
  const a = summary({ server_metrics: { url: 'u', every_s: 1, engine: 'vllm', scrapes: 5, failed_scrapes: 0, scrape_errors: [], waiting: { min: 0, mean: 0, max: 0, last: 0 }, preemptions: 0, queued: false } });
  const b = summary({ server_metrics: { url: 'u', every_s: 1, engine: 'vllm', scrapes: 5, failed_scrapes: 0, scrape_errors: [], waiting: { min: 0, mean: 2, max: 6, last: 0 }, preemptions: 3, queued: true } });
  const rows = compareSummaries(a, b).rows.filter((r) => r.metric.startsWith('server'));
  assert.deepEqual(rows.map((r) => [r.label, r.a, r.b, r.verdict]), [
    ['server waiting max', 0, 6, 'worse'],
    ['server preemptions', 0, 3, 'worse'],
  ]);
  assert.equal(compareSummaries(summary(), summary()).rows.filter((r) => r.metric.startsWith('server')).length, 0);
});
