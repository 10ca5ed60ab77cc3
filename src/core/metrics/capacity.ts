/**
 * A sweep's answer: the figures of each step (from the requests it sent, after its settle window),
 * the SLOs of the scenario's `expect` lines judged per step, the capacity (the highest level that
 * met every SLO, below saturation) and the knee of the throughput/latency curve. Pure functions of
 * the requests' figures and the step boundaries (src/core/load/shapes/sweep.ts), so they are
 * tested on synthetic steps; the run feeds them in src/core/run/sweep-tracker.ts.
 */
import type { SweepStep } from '../load/shapes/sweep';
import type { Expectation, Metric } from '../scenario/plan';
import { evaluateExpectations, type ExpectationResult } from './expectations';
import type { Percentiles } from './histogram';

/** What a step needs of one request (a record that was not warmup and not cancelled). */
export interface StepSample {
  /** Send time from the run's start, ms. */
  offset_ms: number;
  e2e_ms: number;
  ok: boolean;
  ttft_ms: number | null;
  ttfa_ms: number | null;
  token_rate: number | null;
  output_tokens: number;
}

export interface SweepStepFigures {
  /** Users, or requests per second for a rate sweep. */
  level: number;
  /** The step's start and its measured window (after the settle time), seconds from the run's start. */
  start_s: number;
  measured_from_s: number;
  end_s: number;
  /** The measured window's length, seconds. */
  duration_s: number;
  /** Requests sent in the measured window that finished (ok or failed). */
  requests: number;
  ok: number;
  failed: number;
  error_rate: number | null;
  /** Requests that ended ok within the measured window, per second and per minute. */
  throughput_rps: number;
  qpm: number;
  /** Output tokens of those requests per second. */
  output_tokens_per_s: number;
  ttft_ms: Percentiles;
  ttfa_ms: Percentiles;
  e2e_ms: Percentiles;
  token_rate: Percentiles;
  /** Time per output token after the first, ms: 1000 / token_rate of each request. */
  tpot_ms: Percentiles;
  /** The per-step SLOs, each with its value in this step. */
  slos: ExpectationResult[];
  /** Every SLO held (true with no SLOs); false when one failed or was not measured. */
  slo_met: boolean;
  /** A search (`load sweep ... search`): this probe's place in the order run (1 = first), and its outcome as judged then, with why it failed. */
  probe?: { order: number; passed: boolean; why?: string };
}

export interface SweepSummary {
  over: 'users' | 'rate';
  /** Levels planned and steps measured (a stop ends a sweep early). */
  planned_steps: number;
  steps: SweepStepFigures[];
  /** The highest level that met every SLO and was below saturation; null when none did. */
  capacity: { level: number; step: number } | null;
  /** The level with the highest power (throughput / median latency): where more load starts buying latency, not throughput. */
  knee: { level: number; step: number } | null;
  /** The first step whose throughput stopped rising while latency climbed, or whose errors rose (see load/sweep-control.ts). */
  saturated_at: { level: number; step: number; why: string } | null;
  /** `completed` (every step ran), `saturated`, `slo` (an SLO broke), or the run's own end (`stopped`, `error_rate`, ...). */
  stopped_by: string;
  /** Why the sweep stopped early, in words. */
  stop_reason?: string;
  /** The settle window skipped at each step's start, seconds. */
  settle_s: number;
  /** Expect lines a step cannot judge (server metrics, accuracy, itl): judged over the whole run only. */
  slo_not_per_step: string[];
  /**
   * `load sweep ... search`: a binary search (src/core/load/sweep-search.ts). `steps` are its probes
   * in order of level (each with `probe`); `passed` is the highest level that passed (the capacity),
   * `failed` the lowest that failed, and the search ended when they were `resolution` apart.
   */
  search?: { resolution: number; probes: number; passed: number | null; failed: number | null };
}

/** Metrics a step measures itself; other expect lines are judged over the whole run only. */
export const PER_STEP_METRICS: ReadonlySet<Metric> = new Set<Metric>(['ttft', 'ttfa', 'e2e', 'token_rate', 'qpm', 'rps', 'success', 'error_rate']);

const NONE: Percentiles = { p50: null, p90: null, p95: null, p99: null, max: null, mean: null };

/** Exact percentiles (nearest rank) of a list of values; every stat an expect line may name. */
export function exactPercentiles(values: number[]): Percentiles & { 'p99.9': number | null; min: number | null } {
  if (values.length === 0) return { ...NONE, 'p99.9': null, min: null };
  const v = [...values].sort((a, b) => a - b);
  const at = (p: number): number => v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!;
  return { p50: at(50), p90: at(90), p95: at(95), p99: at(99), 'p99.9': at(99.9), max: v[v.length - 1]!, min: v[0]!, mean: v.reduce((a, b) => a + b, 0) / v.length };
}

function lean(p: Percentiles): Percentiles {
  return { p50: p.p50, p90: p.p90, p95: p.p95, p99: p.p99, max: p.max, mean: p.mean };
}

/**
 * One step's figures: latencies and errors of the requests sent in [measure_from, end), throughput
 * of the ok requests that ended in it, and the per-step SLOs.
 */
export function stepFigures(step: SweepStep, samples: readonly StepSample[], expectations: readonly Expectation[]): SweepStepFigures {
  const from = step.measure_from_ms;
  const to = step.end_ms;
  const sent = samples.filter((s) => s.offset_ms >= from && s.offset_ms < to);
  const ended = samples.filter((s) => s.ok && s.offset_ms + s.e2e_ms >= from && s.offset_ms + s.e2e_ms < to);
  const okSent = sent.filter((s) => s.ok);
  const window_s = (to - from) / 1000;
  const nums = (xs: Array<number | null>): number[] => xs.filter((x): x is number => x !== null && Number.isFinite(x));
  const ttft = exactPercentiles(nums(okSent.map((s) => s.ttft_ms)));
  const ttfa = exactPercentiles(nums(okSent.map((s) => s.ttfa_ms)));
  const e2e = exactPercentiles(okSent.map((s) => s.e2e_ms));
  const rate = exactPercentiles(nums(okSent.map((s) => s.token_rate)));
  const tpot = exactPercentiles(nums(okSent.map((s) => (s.token_rate && s.token_rate > 0 ? 1000 / s.token_rate : null))));
  const throughput_rps = ended.length / window_s;
  const success_rate = sent.length > 0 ? okSent.length / sent.length : null;
  const slos = evaluateExpectations(
    expectations.filter((e) => PER_STEP_METRICS.has(e.metric)),
    { ttft_ms: ttft, ttfa_ms: ttfa, e2e_ms: e2e, token_rate: rate, qpm: throughput_rps * 60, rps: throughput_rps, success_rate },
  );
  return {
    level: step.level,
    start_s: step.start_ms / 1000,
    measured_from_s: from / 1000,
    end_s: to / 1000,
    duration_s: window_s,
    requests: sent.length,
    ok: okSent.length,
    failed: sent.length - okSent.length,
    error_rate: success_rate === null ? null : 1 - success_rate,
    throughput_rps,
    qpm: throughput_rps * 60,
    output_tokens_per_s: ended.reduce((a, s) => a + s.output_tokens, 0) / window_s,
    ttft_ms: lean(ttft),
    ttfa_ms: lean(ttfa),
    e2e_ms: lean(e2e),
    token_rate: lean(rate),
    tpot_ms: lean(tpot),
    slos,
    slo_met: slos.every((s) => s.pass),
  };
}

/** The highest step that met every SLO, among those before `saturatedStep` (when given). */
export function capacityOf(steps: readonly SweepStepFigures[], saturatedStep?: number): { level: number; step: number } | null {
  let best: { level: number; step: number } | null = null;
  steps.forEach((s, i) => {
    if (saturatedStep !== undefined && i >= saturatedStep) return;
    if (s.slo_met && s.requests > 0 && (!best || s.level > best.level)) best = { level: s.level, step: i };
  });
  return best;
}

/**
 * The knee: the step with the highest power, throughput divided by median end-to-end latency
 * (Kleinrock's power). Below it more load adds throughput faster than latency; above it, the other
 * way round. Null with fewer than two measured steps.
 */
export function kneeOf(steps: readonly SweepStepFigures[]): { level: number; step: number } | null {
  let best: { level: number; step: number; power: number } | null = null;
  let measured = 0;
  steps.forEach((s, i) => {
    const delay = s.e2e_ms.p50;
    if (delay === null || delay <= 0 || s.throughput_rps <= 0) return;
    measured++;
    const power = s.throughput_rps / delay;
    if (!best || power > best.power) best = { level: s.level, step: i, power };
  });
  if (!best || measured < 2) return null;
  const { level, step } = best;
  return { level, step };
}
