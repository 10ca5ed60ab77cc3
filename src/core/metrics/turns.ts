/**
 * Multi-turn sessions in summary.json (`sessions`): how many sessions started and how many a failed
 * turn ended, and per turn number the requests, TTFT p50/p95 and the share of input the server
 * served from its prefix cache. A later turn resends the earlier ones, so on a server with prefix
 * caching its cached share rises and its TTFT falls: this is where the reuse shows.
 *
 * Counted like every other figure: warmup and cancelled requests are left out; TTFT and the cached
 * share come from ok requests.
 */
import { CacheTally } from './cache-share';
import { Hist } from './histogram';
import type { RecordDigest } from './record';

export interface TurnFigures {
  /** The turn number, from 1. */
  turn: number;
  requests: number;
  ok: number;
  failed: number;
  ttft_ms: { p50: number | null; p95: number | null };
  /** Time to the first answer token; absent when no ok request of the turn had one. */
  ttfa_ms?: { p50: number | null; p95: number | null };
  /** Output tokens per second of each ok request after its first token (the summary's token_rate), p50. */
  token_rate?: { p50: number | null };
  /** Input tokens of the ok requests that reported a cached count, how many of those were cached, and the share. */
  input_tokens: number;
  cached_tokens: number;
  cached_share: number | null;
}

export interface SessionsSummary {
  /** Sessions whose first turn was counted. */
  started: number;
  /** Sessions that ended on a failed turn (a failed turn ends its session; it is counted in `turns`). */
  ended_by_failure: number;
  turns: TurnFigures[];
}

interface TurnAcc {
  requests: number;
  ok: number;
  failed: number;
  ttft: Hist;
  ttfa: Hist;
  rate: Hist;
  cache: CacheTally;
}

export class TurnAggregator {
  private readonly byTurn = new Map<number, TurnAcc>();
  private started = 0;
  private failedSessions = 0;

  add(rec: RecordDigest): void {
    if (rec.turn === undefined || rec.warmup || rec.error?.kind === 'cancelled') return;
    let a = this.byTurn.get(rec.turn);
    if (!a) this.byTurn.set(rec.turn, (a = { requests: 0, ok: 0, failed: 0, ttft: new Hist(), ttfa: new Hist(), rate: new Hist(), cache: new CacheTally() }));
    a.requests++;
    if (rec.turn === 1) this.started++;
    if (rec.status === 'ok') {
      a.ok++;
      if (rec.ttft_ms !== null) a.ttft.record(rec.ttft_ms);
      if (typeof rec.ttfa_ms === 'number') a.ttfa.record(rec.ttfa_ms);
      if (typeof rec.token_rate === 'number' && Number.isFinite(rec.token_rate)) a.rate.record(rec.token_rate);
      a.cache.add(rec);
    } else {
      a.failed++;
      this.failedSessions++;
    }
  }

  /** Undefined when no request belonged to a session. */
  summary(): SessionsSummary | undefined {
    if (this.byTurn.size === 0) return undefined;
    const turns = [...this.byTurn.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([turn, a]): TurnFigures => {
        const c = a.cache.figures();
        return {
          turn,
          requests: a.requests,
          ok: a.ok,
          failed: a.failed,
          ttft_ms: { p50: a.ttft.stat('p50'), p95: a.ttft.stat('p95') },
          ...(a.ttfa.count > 0 ? { ttfa_ms: { p50: a.ttfa.stat('p50'), p95: a.ttfa.stat('p95') } } : {}),
          token_rate: { p50: a.rate.stat('p50') },
          input_tokens: c.input_tokens,
          cached_tokens: c.cached_tokens,
          cached_share: c.share,
        };
      });
    return { started: this.started, ended_by_failure: this.failedSessions, turns };
  }
}
