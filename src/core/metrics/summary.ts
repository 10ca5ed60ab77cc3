/** summary.json: the run's figures, as the CLI prints them and CI gates on them. */
import type { LagCause, ThreadChoice, ThreadPriority } from '../types/client-threads';
import type { ConnectBursts } from '../load/connect-bursts';
import type { ErrorKind } from '../protocols/types';
import { connectionSummary, type ConnectionStats, type ConnectionSummary } from '../protocols/connections';
import type { RunPlan } from '../scenario/plan';
import type { ServerFacts } from '../types/server-facts';
import type { RunAggregator, TimingMetric } from './aggregate';
import type { BucketFigures } from './buckets';
import type { CacheSummary } from './cache-share';
import { evaluateExpectations, type ExpectationResult } from './expectations';
import type { Percentiles } from './histogram';
import type { Outage, OutageTotals } from './outages';
import type { ServerMetricsSummary } from '../server-metrics/series';
import type { ServerTimingSummary } from '../server-metrics/timing-summary';
import { accuracyOfGroup, type AccuracySummary } from '../grade/accuracy';
import type { GoodputSummary } from '../types/goodput';
import type { SessionsSummary } from './turns';
import type { SweepSummary } from './capacity';

export interface Summary {
  scenario: string;
  file: string;
  target: string;
  api: string;
  model: string;
  /** ISO-8601 UTC instant the run started. */
  started_at: string;
  /** From the run's start to the end of its last request, seconds (monotonic clock). */
  duration_s: number;
  /** Why the run ended: `completed` (the load shape ran out), `stopped` (a person), or a stop condition. */
  ended_by: string;
  requests: { total: number; ok: number; failed: number; cancelled: number; warmup: number };
  success_rate: number | null;
  qpm: number;
  rps: number;
  output_tokens_per_s: number;
  /** Sums over ok requests; `cached` is the server's count of prompt tokens served from its prefix cache. */
  tokens: { input: number; output: number; thinking: number; cached: number };
  /**
   * Where token counts came from and how far apart the sources are: the server's prompt_tokens
   * against the tokenizer's count of the same prompts, and the server's completion_tokens against
   * the output packets received. `*_diff_pct` is (server − client) / client × 100; null without pairs.
   */
  token_accounting: {
    input: { requests: number; server: number; tokenizer: number; diff_pct: number | null };
    output: { requests: number; server: number; packets: number; diff_pct: number | null };
  };
  /** Figures per input-size bucket of the scenario's `buckets` line (empty without one). */
  buckets: BucketFigures[];
  ttft_ms: Percentiles;
  ttfa_ms: Percentiles;
  e2e_ms: Percentiles;
  thinking_ms: Percentiles;
  token_rate: Percentiles;
  errors: Partial<Record<ErrorKind, number>>;
  error_samples: Partial<Record<ErrorKind, string>>;
  warnings: Record<string, number>;
  expectations: ExpectationResult[];
  /** Lossless HDR histograms as `<exact max>:<compressed base64>`; values in µs, or milli-tokens/s for token_rate. */
  histograms: Record<TimingMetric, string>;
  /** Inter-token latency per token, thinking and answer phases together (what `expect itl` gates on). */
  itl_ms?: Percentiles;
  /** Inter-token latency by phase: per token, and per packet (the raw gap between two output packets). */
  itl_phase_ms?: ItlByPhase;
  /** Open-loop and replay runs: actual minus intended send time of each request; null for closed loop. */
  schedule_lag_ms?: Percentiles | null;
  /** The client's own overhead during the run: was the load generator itself the bottleneck? */
  client?: ClientCheck;
  /** The load threads' own histograms (inter-token gaps, schedule lag, event-loop lag), encoded like `histograms`, merged over threads. */
  thread_histograms?: Record<string, string>;
  /** Periods in which the target gave no answer (see metrics/outages.ts). */
  outages?: Outage[];
  /** The backoff that applied, outages summed, and requests held back by backoff over the run. */
  outage_totals?: OutageTotals;
  /** HTTP connections: opened, closed by the server after a response, requests retried on a fresh connection (`retries`), and a note when the server closes after each response. */
  connections?: ConnectionSummary;
  /** A URL target's checks before the load: readiness (and how long the run waited), its published context limit, the limit applied. */
  server?: ServerFacts;
  /** How much input the server served from its prefix cache, overall and by prompt, with a note when most of it was (see cache-share.ts). */
  cache?: CacheSummary;
  /** The server's own Prometheus metrics over the run (see docs/server-metrics.md). */
  server_metrics?: ServerMetricsSummary;
  /** Percentiles of the per-request server timings the stream carried (requests.jsonl `server`), and the queue share of TTFT. */
  server_timing?: ServerTimingSummary;
  /** Graded answers (prompts with an expected answer; docs/accuracy.md); absent when no prompt has one. */
  accuracy?: AccuracySummary;
  /** Requests that met every condition of the scenario's goodput line (metrics/goodput.ts); absent without one. */
  goodput?: GoodputSummary;
  /** Multi-turn sessions: sessions started and ended by a failed turn, and requests, TTFT and cached share per turn number (see turns.ts). */
  sessions?: SessionsSummary;
  /** A `load sweep` run: each step's figures, the capacity, the knee and why it stopped (see capacity.ts). */
  sweep?: SweepSummary;
  /** `capacity` on a sweep run: `expectations` judge the capacity found, not the whole run (see sweep-verdict.ts). */
  verdict_basis?: 'capacity';
}

export interface ItlByPhase {
  thinking: Percentiles;
  answer: Percentiles;
  thinking_per_packet: Percentiles;
  answer_per_packet: Percentiles;
}

export interface ClientCheck {
  /** Load worker threads, each with its own connection pool. */
  workers: number;
  cores: number;
  /** How late a 10 ms timer fired on the load threads, merged over threads. */
  event_loop_lag_ms: Percentiles;
  /** CPU time of the whole client process (every thread) over the run's wall time, in % of one core. */
  cpu_percent: number;
  /** True when the client's lag or CPU may have limited the load or skewed the timings. */
  bottleneck: boolean;
  /** Why, in words; absent when the client kept up. */
  warning?: string;
  /** How many load threads and why (src/core/run/thread-sizing.ts). */
  threads?: ThreadChoice;
  /** `thread_priority high` as the load threads applied it (src/core/load/thread-priority.ts). */
  thread_priority?: ThreadPriority;
  /** Each load thread's busy share of the run (event-loop utilization), in %. */
  thread_busy_percent?: number[];
  /** The machine's 1-minute load average when the run ended. */
  load_average?: number;
  /** The likely causes of an event-loop lag over the limit, most likely first (src/core/run/client-check.ts). */
  causes?: LagCause[];
  /** The load threads' garbage-collection pauses over the run (perf_hooks 'gc'): collections, total and longest pause, ms. */
  gc_pause_ms?: { count: number; total: number; max: number };
  /** The load threads' event-loop lag while they opened connections, against the rest of the run (src/core/load/connect-bursts.ts). */
  connect_bursts?: ConnectBursts;
}

export function targetLabel(plan: RunPlan): string {
  return plan.target.kind === 'builtin' ? `builtin:${plan.target.profile}` : plan.target.url;
}

export interface SummaryMeta {
  started_at: string;
  duration_s: number;
  ended_by: string;
  target: string;
  itl_ms?: Percentiles;
  itl_phase_ms?: ItlByPhase;
  schedule_lag_ms?: Percentiles | null;
  client?: ClientCheck;
  thread_histograms?: Record<string, string>;
  outages?: Outage[];
  outage_totals?: OutageTotals;
  connections?: ConnectionStats;
  cache?: CacheSummary;
  server_metrics?: ServerMetricsSummary;
  server_timing?: ServerTimingSummary;
  accuracy?: AccuracySummary;
  sessions?: SessionsSummary;
  sweep?: SweepSummary;
}

export function buildSummary(plan: RunPlan, agg: RunAggregator, meta: SummaryMeta): Summary {
  const d = meta.duration_s > 0 ? meta.duration_s : 1e-9;
  const t = agg.totals;
  const figures = {
    ttft_ms: agg.percentiles('ttft_ms'),
    ttfa_ms: agg.percentiles('ttfa_ms'),
    e2e_ms: agg.percentiles('e2e_ms'),
    thinking_ms: agg.percentiles('thinking_ms'),
    token_rate: agg.percentiles('token_rate'),
  };
  const qpm = (t.ok * 60) / d;
  const rps = t.ok / d;
  const success_rate = agg.successRate();
  const goodput = agg.goodput?.summary(d);
  return {
    scenario: plan.scenario,
    file: plan.file,
    target: meta.target,
    api: plan.api,
    model: plan.model,
    started_at: meta.started_at,
    duration_s: meta.duration_s,
    ended_by: meta.ended_by,
    requests: { total: t.total, ok: t.ok, failed: t.failed, cancelled: t.cancelled, warmup: t.warmup },
    success_rate,
    qpm,
    rps,
    output_tokens_per_s: t.output_tokens / d,
    tokens: { input: t.input_tokens, output: t.output_tokens, thinking: t.thinking_tokens, cached: t.cached_tokens },
    token_accounting: tokenAccounting(agg),
    buckets: agg.buckets.figures(),
    ...figures,
    errors: { ...agg.errors },
    error_samples: { ...agg.errorSamples },
    warnings: { ...agg.warnings },
    expectations: evaluateExpectations(plan.expectations, { ...figures, itl_ms: meta.itl_ms, qpm, rps, success_rate, server_metrics: meta.server_metrics, accuracy: meta.accuracy?.value ?? null, accuracyOf: (g) => accuracyOfGroup(meta.accuracy, g), goodput }),
    histograms: {
      ttft_ms: agg.hist.ttft_ms.encode(),
      ttfa_ms: agg.hist.ttfa_ms.encode(),
      e2e_ms: agg.hist.e2e_ms.encode(),
      thinking_ms: agg.hist.thinking_ms.encode(),
      token_rate: agg.hist.token_rate.encode(),
    },
    ...(meta.itl_ms ? { itl_ms: meta.itl_ms } : {}),
    ...(meta.itl_phase_ms ? { itl_phase_ms: meta.itl_phase_ms } : {}),
    ...(meta.schedule_lag_ms !== undefined ? { schedule_lag_ms: meta.schedule_lag_ms } : {}),
    ...(meta.client ? { client: meta.client } : {}),
    ...(meta.thread_histograms ? { thread_histograms: meta.thread_histograms } : {}),
    ...(meta.outages ? { outages: meta.outages } : {}),
    ...(meta.outage_totals ? { outage_totals: meta.outage_totals } : {}),
    ...(meta.connections ? { connections: connectionSummary(meta.connections) } : {}),
    ...(plan.server ? { server: plan.server } : {}),
    ...(meta.cache ? { cache: meta.cache } : {}),
    ...(meta.server_metrics ? { server_metrics: meta.server_metrics } : {}),
    ...(meta.server_timing ? { server_timing: meta.server_timing } : {}),
    ...(meta.accuracy ? { accuracy: meta.accuracy } : {}),
    ...(goodput ? { goodput } : {}),
    ...(meta.sessions ? { sessions: meta.sessions } : {}),
    ...(meta.sweep ? { sweep: meta.sweep } : {}),
  };
}

function tokenAccounting(agg: RunAggregator): Summary['token_accounting'] {
  const a = agg.accounting;
  const pct = (server: number, client: number): number | null => (client > 0 ? ((server - client) / client) * 100 : null);
  return {
    input: { requests: a.input_pairs, server: a.input_server, tokenizer: a.input_tokenizer, diff_pct: a.input_pairs ? pct(a.input_server, a.input_tokenizer) : null },
    output: { requests: a.output_pairs, server: a.output_server, packets: a.output_packets, diff_pct: a.output_pairs ? pct(a.output_server, a.output_packets) : null },
  };
}
