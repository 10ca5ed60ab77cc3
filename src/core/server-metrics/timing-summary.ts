/**
 * The run's summary of the per-request server timings (request-timing.ts): percentiles of each
 * figure over the ok requests, the per-request overhead and the share of TTFT spent queueing at
 * the server (summary.json `server_timing`). Above the records it folds; request-timing.ts, which
 * the records use, stays below them.
 */
import { Hist, type Percentiles } from '../metrics/histogram';
import type { RecordDigest } from '../metrics/record';

/** summary.json's `server_timing`: percentiles of each per-request figure over the ok requests that had it. */
export interface ServerTimingSummary {
  /** Requests that carried server timings. */
  requests: number;
  prompt_ms?: Percentiles;
  prefill_ms?: Percentiles;
  predicted_ms?: Percentiles;
  queue_ms?: Percentiles;
  cached_tokens?: Percentiles;
  /** The smallest TTFT − prefill of the run: the per-request overhead of a request that did not wait. */
  overhead_ms?: number;
  /** Share of TTFT (summed over requests) that was queue_ms − overhead_ms: waiting at the server. */
  queue_share?: number;
}

const TIMED = ['prompt_ms', 'prefill_ms', 'predicted_ms', 'queue_ms', 'cached_tokens'] as const;

/** Folds the ok, counted requests' `server` figures (on the runner's thread, as records arrive). */
export class ServerTimingAggregator {
  private readonly hists = new Map<string, Hist>();
  private n = 0;
  private minWait = Infinity;
  private ttftSum = 0;
  private waitSum = 0;
  private waitCount = 0;

  add(r: RecordDigest): void {
    const s = r.server;
    if (!s || r.status !== 'ok' || r.warmup) return;
    this.n++;
    for (const k of TIMED) {
      const v = s[k];
      if (v === undefined) continue;
      let h = this.hists.get(k);
      if (!h) this.hists.set(k, (h = new Hist()));
      h.record(v);
    }
    if (s.queue_ms !== undefined && r.ttft_ms !== null) {
      this.minWait = Math.min(this.minWait, s.queue_ms);
      this.ttftSum += r.ttft_ms;
      this.waitSum += s.queue_ms;
      this.waitCount++;
    }
  }

  summary(): ServerTimingSummary | undefined {
    if (this.n === 0) return undefined;
    const out: ServerTimingSummary = { requests: this.n };
    for (const k of TIMED) {
      const h = this.hists.get(k);
      if (h) out[k] = h.percentiles();
    }
    if (this.waitCount > 0) {
      out.overhead_ms = this.minWait;
      out.queue_share = this.ttftSum > 0 ? Math.max(0, this.waitSum - this.minWait * this.waitCount) / this.ttftSum : 0;
    }
    return out;
  }
}
