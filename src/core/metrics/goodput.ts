/**
 * Goodput as DistServe defines it: a request is good when it succeeded and met every condition of
 * the scenario's `goodput` line. Counted from the records as they arrive (bounded memory), and the
 * same rule for anything that recounts requests.jsonl (compare, tests).
 */
import type { GoodputCondition, GoodputFigure, GoodputMeasure, GoodputPlan, GoodputSummary } from '../types/goodput';
import type { RecordDigest } from './record';

type FigureSource = Pick<RecordDigest, 'ttft_ms' | 'ttfa_ms' | 'e2e_ms' | 'token_rate' | 'output_tokens'>;

/** A record's value of one figure; null when the record cannot answer it (a condition on it is then not met). */
export function goodputFigureOf(r: FigureSource, figure: GoodputFigure): number | null {
  switch (figure) {
    case 'ttft':
      return r.ttft_ms;
    case 'ttfa':
      return r.ttfa_ms;
    case 'e2e':
      return r.e2e_ms;
    case 'token_rate':
      return r.token_rate;
    case 'output_tokens':
      return r.output_tokens;
    case 'tpot':
      // vLLM's and DistServe's TPOT: the time after the first token over the tokens after the first.
      return r.ttft_ms !== null && r.output_tokens > 1 ? (r.e2e_ms - r.ttft_ms) / (r.output_tokens - 1) : null;
  }
}

function holds(v: number, c: GoodputCondition): boolean {
  switch (c.op) {
    case '<':
      return v < c.value;
    case '<=':
      return v <= c.value;
    case '>':
      return v > c.value;
    case '>=':
      return v >= c.value;
  }
}

/** Leaves out what the summary leaves out: warmup and cancelled (stopped by a person) requests. */
export function countsForGoodput(r: Pick<RecordDigest, 'warmup' | 'error'>): boolean {
  return !r.warmup && r.error?.kind !== 'cancelled';
}

/** A successful request that met every condition. */
export function isGoodRequest(r: FigureSource & Pick<RecordDigest, 'status'>, conditions: readonly GoodputCondition[]): boolean {
  if (r.status !== 'ok') return false;
  for (const c of conditions) {
    const v = goodputFigureOf(r, c.figure);
    if (v === null || !Number.isFinite(v) || !holds(v, c)) return false;
  }
  return true;
}

/** Counts good requests over a run, one record at a time. */
export class GoodputCounter {
  good = 0;
  goodOutputTokens = 0;
  /** Finished requests, ok or failed: the denominator of the share. */
  finished = 0;

  constructor(readonly plan: GoodputPlan) {}

  add(r: RecordDigest): void {
    if (!countsForGoodput(r)) return;
    this.finished++;
    if (!isGoodRequest(r, this.plan.conditions)) return;
    this.good++;
    this.goodOutputTokens += r.output_tokens;
  }

  summary(duration_s: number): GoodputSummary {
    const d = duration_s > 0 ? duration_s : 1e-9;
    return {
      conditions: this.plan.text,
      checks: this.plan.conditions.map((c) => ({ ...c })),
      requests: this.good,
      of: this.finished,
      rps: this.good / d,
      tokens_per_s: this.goodOutputTokens / d,
      share: this.finished === 0 ? null : this.good / this.finished,
    };
  }
}

/** The value an expectation `goodput MEASURE OP VALUE` is judged on; null without a goodput summary. */
export function measureGoodput(g: GoodputSummary | undefined, m: GoodputMeasure): number | null {
  if (!g) return null;
  return g[m];
}

export function formatGoodput(m: GoodputMeasure, v: number | null): string {
  if (v === null) return 'not measured';
  switch (m) {
    case 'requests':
      return `${v} requests`;
    case 'rps':
      return `${v.toFixed(2)} rps`;
    case 'tokens_per_s':
      return `${v.toFixed(1)} tokens/s`;
    case 'share':
      return `${(v * 100).toFixed(2)}%`;
  }
}
