/**
 * Folds request records into run aggregates: counts, error kinds, HDR histograms of every timing,
 * and a per-second series. Memory stays bounded whatever the run's length: no record is kept.
 */
import type { ErrorKind } from '../protocols/types';
import { Hist, type Percentiles } from './histogram';
import type { RecordDigest } from './record';
import { BucketAggregator } from './buckets';
import { GoodputCounter } from './goodput';
import type { GoodputPlan } from '../types/goodput';

export const TIMING_METRICS = ['ttft_ms', 'ttfa_ms', 'e2e_ms', 'thinking_ms', 'token_rate'] as const;
export type TimingMetric = (typeof TIMING_METRICS)[number];

/** One second of the run, by the second in which requests completed (sent, for `sent`). */
export interface SeriesRow {
  t: number;
  active_users: number;
  in_flight: number;
  sent: number;
  completed: number;
  ok: number;
  failed: number;
  /** Completed ok requests in this second, times 60. */
  qpm: number;
  ttft_p50: number | null;
  ttft_p95: number | null;
  ttft_p99: number | null;
  ttfa_p50: number | null;
  ttfa_p95: number | null;
  token_rate_p50: number | null;
  output_tokens_per_s: number;
  errors: Partial<Record<ErrorKind, number>>;
  /** series.json only: 1 when any part of this second lay in an outage (see metrics/outages.ts). */
  down?: number;
  /** series.json only: requests held back by backoff in this second. */
  held_back?: number;
}

interface SecondAcc {
  row: SeriesRow;
  ttft: Hist;
  ttfa: Hist;
  rate: Hist;
}

/** Server counts beside the client's, over the ok requests that had both. */
export interface TokenAccounting {
  /** Requests with both a server prompt_tokens and a tokenizer count, and the two sums. */
  input_pairs: number;
  input_server: number;
  input_tokenizer: number;
  /** Requests with a server completion_tokens, its sum, and the sum of their output packets. */
  output_pairs: number;
  output_server: number;
  output_packets: number;
}

export interface Totals {
  total: number;
  ok: number;
  failed: number;
  cancelled: number;
  warmup: number;
  output_tokens: number;
  input_tokens: number;
  thinking_tokens: number;
  /** Prompt tokens the server reported as served from its prefix cache. */
  cached_tokens: number;
}

/** How many recent seconds keep their histograms open for late records before being finalized. */
const OPEN_SECONDS = 10;

export class RunAggregator {
  readonly hist: Record<TimingMetric, Hist> = {
    ttft_ms: new Hist(),
    ttfa_ms: new Hist(),
    e2e_ms: new Hist(),
    thinking_ms: new Hist(),
    token_rate: new Hist(),
  };
  readonly totals: Totals = { total: 0, ok: 0, failed: 0, cancelled: 0, warmup: 0, output_tokens: 0, input_tokens: 0, thinking_tokens: 0, cached_tokens: 0 };
  readonly errors: Partial<Record<ErrorKind, number>> = {};
  readonly errorSamples: Partial<Record<ErrorKind, string>> = {};
  readonly warnings: Record<string, number> = {};
  readonly buckets: BucketAggregator;
  readonly accounting: TokenAccounting = { input_pairs: 0, input_server: 0, input_tokenizer: 0, output_pairs: 0, output_server: 0, output_packets: 0 };
  /** Good requests by the scenario's goodput line (metrics/goodput.ts); absent without one. */
  readonly goodput?: GoodputCounter;
  private readonly seconds = new Map<number, SecondAcc>();
  private readonly done: SeriesRow[] = [];
  private newest = 0;

  constructor(opts: { buckets?: readonly number[]; goodput?: GoodputPlan } = {}) {
    this.buckets = new BucketAggregator(opts.buckets ?? []);
    if (opts.goodput) this.goodput = new GoodputCounter(opts.goodput);
  }

  add(rec: RecordDigest): void {
    this.buckets.add(rec);
    this.goodput?.add(rec);
    if (rec.warmup) {
      this.totals.warmup++;
      return;
    }
    const sentSec = this.second(Math.floor(rec.offset_ms / 1000));
    sentSec.row.sent++;
    const sec = this.second(Math.floor((rec.offset_ms + rec.e2e_ms) / 1000));
    const row = sec.row;

    if (rec.error?.kind === 'cancelled') {
      this.totals.cancelled++;
      this.totals.total++;
      return;
    }
    this.totals.total++;
    row.completed++;
    for (const w of rec.warnings ?? []) this.warnings[w] = (this.warnings[w] ?? 0) + 1;
    if (rec.status === 'ok') {
      this.totals.ok++;
      row.ok++;
      row.qpm += 60;
      this.totals.output_tokens += rec.output_tokens;
      this.totals.thinking_tokens += rec.thinking_tokens;
      this.totals.input_tokens += rec.input_tokens ?? 0;
      this.totals.cached_tokens += rec.cached_tokens ?? 0;
      row.output_tokens_per_s += rec.output_tokens;
      this.account(rec);
      for (const m of TIMING_METRICS) {
        const v = rec[m];
        if (v !== null) this.hist[m].record(v);
      }
      if (rec.ttft_ms !== null) sec.ttft.record(rec.ttft_ms);
      if (rec.ttfa_ms !== null) sec.ttfa.record(rec.ttfa_ms);
      if (rec.token_rate !== null) sec.rate.record(rec.token_rate);
    } else {
      this.totals.failed++;
      row.failed++;
      const kind = rec.error?.kind ?? 'bad_stream';
      this.errors[kind] = (this.errors[kind] ?? 0) + 1;
      row.errors[kind] = (row.errors[kind] ?? 0) + 1;
      if (this.errorSamples[kind] === undefined && rec.error) this.errorSamples[kind] = rec.error.message.slice(0, 500);
    }
    this.finalizeOld();
  }

  private account(rec: RecordDigest): void {
    const a = this.accounting;
    if (rec.input_tokens_source === 'server' && rec.input_tokens !== null && rec.input_tokens_tokenizer !== undefined) {
      a.input_pairs++;
      a.input_server += rec.input_tokens;
      a.input_tokenizer += rec.input_tokens_tokenizer;
    }
    if (rec.output_tokens_source === 'server') {
      a.output_pairs++;
      a.output_server += rec.output_tokens;
      a.output_packets += (rec.packets.thinking ?? 0) + (rec.packets.answer ?? 0) + (rec.packets.tool_call ?? 0);
    }
  }

  /** The engine's view of the load at an instant: users and requests in flight. */
  sample(t_ms: number, active_users: number, in_flight: number): void {
    const row = this.second(Math.floor(t_ms / 1000)).row;
    row.active_users = active_users;
    row.in_flight = in_flight;
  }

  /** ok / (ok + failed); cancelled requests (stopped by the user) count as neither. */
  successRate(): number | null {
    const n = this.totals.ok + this.totals.failed;
    return n === 0 ? null : this.totals.ok / n;
  }

  percentiles(m: TimingMetric): Percentiles {
    return this.hist[m].percentiles();
  }

  /** Every second from 0 to the newest, gaps filled, open seconds included. */
  series(): SeriesRow[] {
    const rows = new Map<number, SeriesRow>();
    for (const r of this.done) rows.set(r.t, r);
    for (const [t, acc] of this.seconds) rows.set(t, finalizeRow(acc));
    const out: SeriesRow[] = [];
    let lastUsers = 0;
    for (let t = 0; t <= this.newest; t++) {
      const r = rows.get(t) ?? emptyRow(t);
      if (!rows.has(t)) r.active_users = lastUsers;
      lastUsers = r.active_users;
      out.push(r);
    }
    return out;
  }

  /** The rows still open to late records (the newest seconds), finalized as they stand now. */
  recentSeries(): SeriesRow[] {
    return [...this.seconds.values()].map(finalizeRow).sort((a, b) => a.t - b.t);
  }

  private second(t: number): SecondAcc {
    let acc = this.seconds.get(t);
    if (!acc) {
      const old = this.done.find((r) => r.t === t);
      acc = { row: old ?? emptyRow(t), ttft: new Hist(), ttfa: new Hist(), rate: new Hist() };
      if (old) this.done.splice(this.done.indexOf(old), 1);
      this.seconds.set(t, acc);
    }
    if (t > this.newest) this.newest = t;
    return acc;
  }

  private finalizeOld(): void {
    if (this.seconds.size <= OPEN_SECONDS) return;
    for (const [t, acc] of this.seconds) {
      if (t < this.newest - OPEN_SECONDS) {
        this.done.push(finalizeRow(acc));
        this.seconds.delete(t);
      }
    }
  }
}

function emptyRow(t: number): SeriesRow {
  return {
    t,
    active_users: 0,
    in_flight: 0,
    sent: 0,
    completed: 0,
    ok: 0,
    failed: 0,
    qpm: 0,
    ttft_p50: null,
    ttft_p95: null,
    ttft_p99: null,
    ttfa_p50: null,
    ttfa_p95: null,
    token_rate_p50: null,
    output_tokens_per_s: 0,
    errors: {},
  };
}

function finalizeRow(acc: SecondAcc): SeriesRow {
  return {
    ...acc.row,
    ttft_p50: acc.ttft.stat('p50'),
    ttft_p95: acc.ttft.stat('p95'),
    ttft_p99: acc.ttft.stat('p99'),
    ttfa_p50: acc.ttfa.stat('p50'),
    ttfa_p95: acc.ttfa.stat('p95'),
    token_rate_p50: acc.rate.stat('p50'),
  };
}
