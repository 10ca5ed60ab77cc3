/**
 * Results grouped by input size: one set of figures per bucket of the scenario's `buckets` bounds
 * (e.g. `buckets 4k 16k 32k` gives <4k, 4k-16k, 16k-32k, >=32k). A request's input size is the
 * server's prompt_tokens when given, else the tokenizer's count of the prompt; a request with
 * neither goes to `unknown`.
 */
import { bucketLabel, bucketRanges } from '../tokenize/counts';
import { CacheTally, cacheNote } from './cache-share';
import { Hist, type Percentiles } from './histogram';
import type { RecordDigest } from './record';

export interface BucketFigures {
  label: string;
  /** Inclusive lower bound, exclusive upper bound, in input tokens (null for `unknown`). */
  from: number | null;
  to: number | null;
  requests: number;
  ok: number;
  failed: number;
  success_rate: number | null;
  ttft_ms: Percentiles;
  ttfa_ms: Percentiles;
  e2e_ms: Percentiles;
  token_rate: Percentiles;
  /** Share of the bucket's input tokens the server served from its prefix cache (ok requests that reported it); null when none did. */
  cached_share: number | null;
  /** Set when most of the bucket's input tokens were cached: its TTFT does not measure full prefill. */
  cache_note?: string;
}

interface Acc {
  label: string;
  from: number | null;
  to: number | null;
  ok: number;
  failed: number;
  ttft: Hist;
  ttfa: Hist;
  e2e: Hist;
  rate: Hist;
  cache: CacheTally;
}

function acc(label: string, from: number | null, to: number | null): Acc {
  return { label, from, to, ok: 0, failed: 0, ttft: new Hist(), ttfa: new Hist(), e2e: new Hist(), rate: new Hist(), cache: new CacheTally() };
}

export class BucketAggregator {
  private readonly ranges: Array<{ from: number; to: number }>;
  private readonly accs: Acc[];
  private unknown: Acc | undefined;

  constructor(bounds: readonly number[]) {
    this.ranges = bucketRanges(bounds);
    this.accs = this.ranges.map((r) => acc(bucketLabel(r), r.from, r.to));
  }

  get enabled(): boolean {
    return this.ranges.length > 0;
  }

  add(rec: RecordDigest): void {
    if (!this.enabled || rec.warmup || rec.error?.kind === 'cancelled') return;
    let a: Acc | undefined;
    if (rec.input_tokens === null) a = this.unknown ??= acc('unknown', null, null);
    else a = this.accs[this.ranges.findIndex((r) => rec.input_tokens! >= r.from && rec.input_tokens! < r.to)];
    if (!a) return;
    if (rec.status !== 'ok') {
      a.failed++;
      return;
    }
    a.ok++;
    if (rec.ttft_ms !== null) a.ttft.record(rec.ttft_ms);
    if (rec.ttfa_ms !== null) a.ttfa.record(rec.ttfa_ms);
    a.e2e.record(rec.e2e_ms);
    if (rec.token_rate !== null) a.rate.record(rec.token_rate);
    a.cache.add(rec);
  }

  /** Every bucket of the bounds, empty ones included, then `unknown` when any request had no count. */
  figures(): BucketFigures[] {
    const all = this.unknown ? [...this.accs, this.unknown] : this.accs;
    return all.map((a) => {
      const cached_share = a.cache.figures().share;
      const note = cacheNote(cached_share);
      return {
        label: a.label,
        from: a.from,
        to: a.to === Infinity ? null : a.to,
        requests: a.ok + a.failed,
        ok: a.ok,
        failed: a.failed,
        success_rate: a.ok + a.failed === 0 ? null : a.ok / (a.ok + a.failed),
        ttft_ms: a.ttft.percentiles(),
        ttfa_ms: a.ttfa.percentiles(),
        e2e_ms: a.e2e.percentiles(),
        token_rate: a.rate.percentiles(),
        cached_share,
        ...(note ? { cache_note: note } : {}),
      };
    });
  }
}
