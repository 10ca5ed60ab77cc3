/** summary.json: the run's figures, as the CLI prints them and CI gates on them. */
import type { ErrorKind } from '../protocols/types';
import type { RunPlan } from '../scenario/plan';
import type { RunAggregator, TimingMetric } from './aggregate';
import { evaluateExpectations, type ExpectationResult } from './expectations';
import type { Percentiles } from './histogram';

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
  tokens: { input: number; output: number; thinking: number };
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
}

export function targetLabel(plan: RunPlan): string {
  return plan.target.kind === 'builtin' ? `builtin:${plan.target.profile}` : plan.target.url;
}

export function buildSummary(plan: RunPlan, agg: RunAggregator, meta: { started_at: string; duration_s: number; ended_by: string; target: string }): Summary {
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
    tokens: { input: t.input_tokens, output: t.output_tokens, thinking: t.thinking_tokens },
    ...figures,
    errors: { ...agg.errors },
    error_samples: { ...agg.errorSamples },
    warnings: { ...agg.warnings },
    expectations: evaluateExpectations(plan.expectations, { ...figures, qpm, rps, success_rate }),
    histograms: {
      ttft_ms: agg.hist.ttft_ms.encode(),
      ttfa_ms: agg.hist.ttfa_ms.encode(),
      e2e_ms: agg.hist.e2e_ms.encode(),
      thinking_ms: agg.hist.thinking_ms.encode(),
      token_rate: agg.hist.token_rate.encode(),
    },
  };
}
