/**
 * Pair comparison: a primary request and its shadow copy, matched by pair id when both have
 * finished, compared on what matters (TTFT, end-to-end time, token rate, finish reason, token
 * counts, errors, the answer text). Only the running figures and the deltas are kept, no text.
 * The result is mirror.json.
 */
import type { RequestRecord } from '../metrics/record';
import type { BackgroundThreadsReport } from './thread-priority';

export interface PairSide {
  rec: RequestRecord;
  answer: string;
}

export interface DeltaStats {
  /** Pairs where both sides had a value. */
  n: number;
  /** shadow − primary, in the metric's unit (ms, tokens/s). */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  mean: number | null;
}

export interface MirrorCounts {
  /** Requests the proxy timed (API paths), sent to the primary. */
  primary: number;
  /** Of these, in a sampled conversation. */
  sampled: number;
  /** Copies sent to the shadow. */
  shadow_sent: number;
  /** Copies not sent because a cap was reached. */
  shadow_skipped: { inflight: number; tokens_per_minute: number; shadow_down: number };
  /** Copies still waiting or in flight when the mirror stopped (not in the pairs). */
  shadow_unfinished: number;
  /** Requests on other paths, passed through untimed. */
  passthrough: number;
}

export interface MirrorSummary {
  started_at: string;
  duration_s: number;
  primary: string;
  shadow: string;
  sample: number;
  requests: MirrorCounts;
  /** Pairs where both sides finished. */
  pairs: number;
  /** Error share of each side over its finished requests (cancelled ones left out). */
  error_rate: { primary: number | null; shadow: number | null };
  errors: { primary: Record<string, number>; shadow: Record<string, number> };
  /** shadow − primary over pairs where both succeeded. */
  delta: { ttft_ms: DeltaStats; e2e_ms: DeltaStats; token_rate: DeltaStats };
  /** Shares of the pairs where both succeeded. */
  agreement: {
    both_ok: number;
    finish_reason: number | null;
    output_tokens: number | null;
    /** Mean of |shadow − primary| / primary output tokens, percent. */
    output_tokens_diff_pct: number | null;
    answer_exact: number | null;
  };
  /** How the mirror's threads other than the proxy's were scheduled (./thread-priority.ts); absent with the bookkeeping on the proxy's thread. */
  threads?: BackgroundThreadsReport;
}

function stats(values: number[]): DeltaStats {
  if (values.length === 0) return { n: 0, p50: null, p90: null, p99: null, mean: null };
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number => v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))]!;
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return { n: v.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), mean };
}

export class PairComparator {
  private readonly waiting = new Map<number, { primary?: PairSide; shadow?: PairSide }>();
  private readonly deltas = { ttft_ms: [] as number[], e2e_ms: [] as number[], token_rate: [] as number[] };
  private pairs = 0;
  private bothOk = 0;
  private finishSame = 0;
  private tokensSame = 0;
  private tokenDiffPct: number[] = [];
  private answerSame = 0;
  private readonly finished = { primary: 0, shadow: 0 };
  private readonly failed = { primary: 0, shadow: 0 };
  readonly errors = { primary: {} as Record<string, number>, shadow: {} as Record<string, number> };

  /** Counts one side's finished request; compares the pair once both sides are in. */
  add(side: 'primary' | 'shadow', pair: number | undefined, s: PairSide): void {
    const r = s.rec;
    if (r.error?.kind !== 'cancelled') {
      this.finished[side]++;
      if (r.status === 'error') {
        this.failed[side]++;
        const k = r.error?.kind ?? 'bad_stream';
        this.errors[side][k] = (this.errors[side][k] ?? 0) + 1;
      }
    }
    if (pair === undefined) return;
    const w = this.waiting.get(pair) ?? {};
    w[side] = s;
    if (w.primary && w.shadow) {
      this.waiting.delete(pair);
      this.compare(w.primary, w.shadow);
    } else this.waiting.set(pair, w);
  }

  /** A sampled primary whose copy was skipped or never finished: it has no pair. */
  drop(pair: number): void {
    this.waiting.delete(pair);
  }

  private compare(p: PairSide, s: PairSide): void {
    this.pairs++;
    if (p.rec.status !== 'ok' || s.rec.status !== 'ok') return;
    this.bothOk++;
    const d = (a: number | null, b: number | null, into: number[]): void => {
      if (a !== null && b !== null) into.push(b - a);
    };
    d(p.rec.ttft_ms, s.rec.ttft_ms, this.deltas.ttft_ms);
    d(p.rec.e2e_ms, s.rec.e2e_ms, this.deltas.e2e_ms);
    d(p.rec.token_rate, s.rec.token_rate, this.deltas.token_rate);
    if (p.rec.finish_reason === s.rec.finish_reason) this.finishSame++;
    if (p.rec.output_tokens === s.rec.output_tokens) this.tokensSame++;
    if (p.rec.output_tokens > 0) this.tokenDiffPct.push((Math.abs(s.rec.output_tokens - p.rec.output_tokens) / p.rec.output_tokens) * 100);
    if (p.answer === s.answer) this.answerSame++;
  }

  summary(meta: { started_at: string; duration_s: number; primary: string; shadow: string; sample: number; requests: MirrorCounts }): MirrorSummary {
    const share = (n: number): number | null => (this.bothOk > 0 ? n / this.bothOk : null);
    const rate = (side: 'primary' | 'shadow'): number | null => (this.finished[side] > 0 ? this.failed[side] / this.finished[side] : null);
    const diff = this.tokenDiffPct;
    return {
      ...meta,
      pairs: this.pairs,
      error_rate: { primary: rate('primary'), shadow: rate('shadow') },
      errors: { primary: { ...this.errors.primary }, shadow: { ...this.errors.shadow } },
      delta: { ttft_ms: stats(this.deltas.ttft_ms), e2e_ms: stats(this.deltas.e2e_ms), token_rate: stats(this.deltas.token_rate) },
      agreement: {
        both_ok: this.bothOk,
        finish_reason: share(this.finishSame),
        output_tokens: share(this.tokensSame),
        output_tokens_diff_pct: diff.length > 0 ? diff.reduce((a, b) => a + b, 0) / diff.length : null,
        answer_exact: share(this.answerSame),
      },
    };
  }
}
