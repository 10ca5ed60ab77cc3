/**
 * Outages: periods in which the target gave no answer. Built on the run orchestrator's thread from
 * every thread's records and held-back requests, in order of when each outcome was seen, once the
 * run has ended (records of different threads and of long streams arrive out of order).
 *
 * Definition (docs/metrics.md, "Outages"): each finished request (cancelled ones aside, warmup
 * included) is an event at the instant its outcome was seen: a no-answer failure (see
 * isNoAnswerFailure) at the instant it failed, sent + e2e; any other request, which the server
 * answered, at its first output packet, or its end when it had none. An outage starts at the first
 * of OUTAGE_MIN_FAILURES or more no-answer failures in a row, with no answered request between
 * them, and ends at the next answered request, or at the end of the run (`recovered: false`). An
 * answer to a request sent before the streak's first failure (a stream already running or queued
 * when the failures began) neither ends an outage nor breaks a streak: only a request sent after the
 * failures began shows the target taking new work again.
 */
import type { ErrorKind } from '../protocols/types';
import type { RunPlan } from '../scenario/plan';
import { DEFAULT_BACKOFF, formatPolicy, isNoAnswerFailure, type HeldBack } from '../load/backoff';
import type { RecordDigest } from './record';
import type { SeriesRow } from './aggregate';

/** How many no-answer failures in a row make an outage: one or two are a blip, not a target that is down. */
export const OUTAGE_MIN_FAILURES = 3;

export interface Outage {
  /** When the first failure of the outage was seen, ms from the run's start. */
  start_ms: number;
  /** When the first answer after it was seen, or the run's end. */
  end_ms: number;
  /** False when the run ended while the target was still down. */
  recovered: boolean;
  /** Failed requests of the outage by error kind. */
  kinds: Partial<Record<ErrorKind, number>>;
  /** No-answer failures seen during the outage. */
  failed: number;
  /** Requests held back by backoff during the outage (user waits, skipped arrivals). */
  held_back: number;
}

export interface OutageTotals {
  /** The backoff that applied: `100ms..10s`, with ` skip` when open-loop arrivals were skipped, or `off`. */
  backoff: string;
  outages: number;
  /** Time within outages, ms. */
  down_ms: number;
  /** No-answer failures within outages. */
  failed: number;
  /** Requests held back by backoff over the whole run, in outages or not. */
  held_back: number;
  /** Time users spent waiting out backoff, summed over users, ms. */
  backoff_wait_ms: number;
}

export interface OutageReport {
  outages: Outage[];
  outage_totals: OutageTotals;
}

/** The backoff of a plan, as summary.json names it. */
export function backoffLabel(plan: RunPlan): string {
  if (plan.backoff === false) return 'off';
  const b = plan.backoff ?? { ...DEFAULT_BACKOFF, skip: false };
  return formatPolicy(b) + (b.skip ? ' skip' : '');
}

export class OutageTracker {
  /** Seen instants, and the error kind of a no-answer failure (null: answered). */
  private readonly at: number[] = [];
  private readonly kind: (ErrorKind | null)[] = [];
  /** When each request was sent. */
  private readonly sent: number[] = [];
  private readonly held: HeldBack[] = [];

  add(rec: RecordDigest): void {
    if (rec.error?.kind === 'cancelled') return;
    this.sent.push(rec.offset_ms);
    if (isNoAnswerFailure(rec)) {
      this.at.push(rec.offset_ms + rec.e2e_ms);
      this.kind.push(rec.error!.kind);
    } else {
      this.at.push(rec.offset_ms + (rec.ttft_ms ?? rec.e2e_ms));
      this.kind.push(null);
    }
  }

  addHeld(held: readonly HeldBack[]): void {
    for (const h of held) this.held.push(h);
  }

  /** The outages of the run, which lasted `end_ms`. */
  finish(end_ms: number, backoff: string): OutageReport {
    const order = this.at.map((_, i) => i).sort((a, b) => this.at[a]! - this.at[b]! || a - b);
    const outages: Outage[] = [];
    let streakStart = -1;
    let failed = 0;
    let kinds: Partial<Record<ErrorKind, number>> = {};
    const close = (end: number, recovered: boolean): void => {
      if (failed >= OUTAGE_MIN_FAILURES) outages.push({ start_ms: streakStart, end_ms: end, recovered, kinds, failed, held_back: 0 });
      streakStart = -1;
      failed = 0;
      kinds = {};
    };
    for (const i of order) {
      const k = this.kind[i]!;
      if (k === null) {
        // Sent before the failures began: it says nothing of whether new work is taken now.
        if (failed > 0 && this.sent[i]! >= streakStart) close(this.at[i]!, true);
        continue;
      }
      if (failed === 0) streakStart = this.at[i]!;
      failed++;
      kinds[k] = (kinds[k] ?? 0) + 1;
    }
    if (failed > 0) close(Math.max(end_ms, streakStart), false);

    const held = [...this.held].sort((a, b) => a.t_ms - b.t_ms);
    let waited = 0;
    for (const h of held) waited += h.wait_ms;
    let j = 0;
    for (const o of outages) {
      while (j < held.length && held[j]!.t_ms < o.start_ms) j++;
      let n = 0;
      while (j + n < held.length && held[j + n]!.t_ms <= o.end_ms) n++;
      o.held_back = n;
    }
    return {
      outages,
      outage_totals: {
        backoff,
        outages: outages.length,
        down_ms: outages.reduce((s, o) => s + (o.end_ms - o.start_ms), 0),
        failed: outages.reduce((s, o) => s + o.failed, 0),
        held_back: held.length,
        backoff_wait_ms: waited,
      },
    };
  }

  /**
   * Adds to each per-second row `down` (1 when any part of that second lay in an outage, else 0)
   * and `held_back` (requests held back by backoff in that second).
   */
  annotate(rows: SeriesRow[], outages: readonly Outage[]): void {
    const bySecond = new Map<number, number>();
    for (const h of this.held) {
      const t = Math.floor(h.t_ms / 1000);
      bySecond.set(t, (bySecond.get(t) ?? 0) + 1);
    }
    for (const r of rows) {
      r.held_back = bySecond.get(r.t) ?? 0;
      r.down = outages.some((o) => o.start_ms < (r.t + 1) * 1000 && o.end_ms >= r.t * 1000) ? 1 : 0;
    }
  }
}
