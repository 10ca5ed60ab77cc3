/**
 * A run's per-request samples for Compare's intervals, read from its requests.jsonl with the same
 * rules as the summary (src/core/metrics/aggregate.ts): warmup and cancelled requests are left out,
 * timings come from successful requests, the success rate is ok / (ok + failed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { RESULT_FILES } from '../results/files';
import type { RequestRecord } from '../metrics/record';
import type { GoodputSummary } from '../types/goodput';
import { addGoodputSample, goodputSamplesOf, type GoodputSamples } from './goodput-rows';

/** The per-request timing figures Compare puts intervals on. */
export const SAMPLED_TIMINGS = ['ttft_ms', 'ttfa_ms', 'e2e_ms', 'thinking_ms', 'token_rate'] as const;
export type SampledTiming = (typeof SAMPLED_TIMINGS)[number];

export interface RunSamples {
  /** Ascending values of each timing figure over the successful requests that have it. */
  timings: Record<SampledTiming, Float64Array>;
  /** The same values in send order (for the design effect, bootstrap.ts). */
  sent: Record<SampledTiming, Float64Array>;
  /** 1 for a successful request, 0 for a failed one, in send order. */
  outcomes: Float64Array;
  ok: number;
  failed: number;
  /** Output tokens of each successful request (for output tokens per second). */
  output_tokens: Float64Array;
  /** Per successful request with a token rate, in send order: decode time (ms) and token gaps (output tokens − 1), for the ITL mean. */
  decode_ms: Float64Array;
  gaps: Float64Array;
  /** The run's duration in seconds (summary.json), the divisor of its rates. */
  duration_s: number;
  /** Each finished request good or not by the run's goodput line (summary.json `goodput`); absent without one. */
  goodput?: GoodputSamples;
  /** Multi-turn sessions: the same samples over each turn's requests alone, by turn number (turn-rows.ts). */
  turns?: Map<number, RunSamples>;
}

/** Reads a run folder's samples; null when it has no requests.jsonl (a summary-only or old run). */
export function readRunSamples(dir: string, duration_s: number, goodput?: GoodputSummary): RunSamples | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, RESULT_FILES.requests), 'utf8');
  } catch {
    return null;
  }
  const records: RequestRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as RequestRecord);
    } catch {
      // a line cut short by a stopped run: the rest still counts
    }
  }
  return samplesOf(records, duration_s, goodput);
}

export function samplesOf(records: readonly RequestRecord[], duration_s: number, goodput?: GoodputSummary, byTurn = true): RunSamples {
  const gp = goodputSamplesOf(goodput);
  const timings = Object.fromEntries(SAMPLED_TIMINGS.map((m) => [m, [] as number[]])) as Record<SampledTiming, number[]>;
  const out: number[] = [];
  const decode: number[] = [];
  const gaps: number[] = [];
  const outcomes: number[] = [];
  let ok = 0;
  let failed = 0;
  // requests.jsonl is in completion order; neighbours in time are neighbours in send order.
  const inOrder = records.filter((r) => !r.warmup && r.error?.kind !== 'cancelled').sort((x, y) => (x.offset_ms ?? 0) - (y.offset_ms ?? 0));
  for (const r of inOrder) {
    addGoodputSample(gp, r);
    if (r.status !== 'ok') {
      failed++;
      outcomes.push(0);
      continue;
    }
    ok++;
    outcomes.push(1);
    out.push(r.output_tokens ?? 0);
    for (const m of SAMPLED_TIMINGS) {
      const v = r[m];
      if (typeof v === 'number' && Number.isFinite(v)) timings[m].push(v);
    }
    if (typeof r.token_rate === 'number' && r.token_rate > 0 && r.output_tokens > 1) {
      gaps.push(r.output_tokens - 1);
      decode.push(((r.output_tokens - 1) * 1000) / r.token_rate);
    }
  }
  const sorted = (xs: number[]) => Float64Array.from(xs).sort();
  return {
    timings: Object.fromEntries(SAMPLED_TIMINGS.map((m) => [m, sorted(timings[m])])) as Record<SampledTiming, Float64Array>,
    sent: Object.fromEntries(SAMPLED_TIMINGS.map((m) => [m, Float64Array.from(timings[m])])) as Record<SampledTiming, Float64Array>,
    outcomes: Float64Array.from(outcomes),
    ok,
    failed,
    output_tokens: Float64Array.from(out),
    decode_ms: Float64Array.from(decode),
    gaps: Float64Array.from(gaps),
    duration_s: duration_s > 0 ? duration_s : 1e-9,
    ...(gp ? { goodput: gp } : {}),
    ...(byTurn ? turnSamples(inOrder, duration_s) : {}),
  };
}

/** Each turn's requests (already filtered and in send order) as samples of their own; nothing for a run without sessions. */
function turnSamples(inOrder: readonly RequestRecord[], duration_s: number): { turns?: Map<number, RunSamples> } {
  const groups = new Map<number, RequestRecord[]>();
  for (const r of inOrder) if (typeof r.turn === 'number') (groups.get(r.turn) ?? groups.set(r.turn, []).get(r.turn)!).push(r);
  if (groups.size === 0) return {};
  return { turns: new Map([...groups].map(([t, rs]) => [t, samplesOf(rs, duration_s, undefined, false)])) };
}
