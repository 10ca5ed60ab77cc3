/** A run summary as summary.json holds it, for the CI output tests (JUnit, Markdown summary). */
import type { CiSummary } from '../../src/core/report/ci-summary-data';

const p = (p50: number, p95: number) => ({ p50, p90: p95, p95, p99: p95, max: p95, mean: p50 });

export function ciSummary(over: Partial<CiSummary> = {}): CiSummary {
  return {
    scenario: 'chat SLOs',
    file: '/work/chat.llmload',
    target: 'builtin:chat',
    api: 'openai-chat',
    model: 'sim-chat',
    started_at: '2026-12-06T14:30:48.123Z',
    duration_s: 21.5,
    ended_by: 'completed',
    requests: { total: 120, ok: 118, failed: 2, cancelled: 0, warmup: 0 },
    success_rate: 118 / 120,
    qpm: 329.3,
    ttft_ms: p(120, 2400),
    ttfa_ms: p(130, 2600),
    token_rate: p(42.5, 61),
    outage_totals: { backoff: '100ms..10s', outages: 1, down_ms: 1500, failed: 2, held_back: 3, backoff_wait_ms: 900 },
    expectations: [
      { text: 'ttft p95 < 2s', pass: false, actual: 2400, actual_text: '2.40s' },
      { text: 'success >= 95%', pass: true, actual: 118 / 120, actual_text: '98.33%' },
      { text: 'server kv_cache_usage p95 <= 90%', pass: false, actual: null, actual_text: 'not measured' },
    ],
    ...over,
  } as CiSummary;
}
