/**
 * An open-loop rate set from outside while the run goes (a sweep search's probes, see
 * ../run/sweep-search-run.ts): constant pieces, each from the instant it was set on. Arrivals are
 * placed as in ./shape.ts `arrivals`: the n-th lands where the cumulative expected count reaches
 * the n-th target of the arrival process, so every thread, drawing the same targets and given the
 * same pieces, places the same instants and takes its own share of them. A change wakes whoever
 * waits for the next arrival, whose instant is then placed again under the new pieces.
 */
import type { LoadPlan } from '../scenario/plan';
import type { OpenLoopSchedule } from './shapes/types';
export class SteeredRate {
  /** From `at_ms` on, `per_s` arrivals per second; the first piece is zero from 0. */
  private readonly pieces: Array<{ at_ms: number; per_s: number }> = [{ at_ms: 0, per_s: 0 }];
  /** Counts the changes: an instant placed before a change is placed again. */
  version = 0;
  private wakers: Array<() => void> = [];

  /** `per_s` from `at_ms` on; a piece that started at or after `at_ms` is replaced. */
  set(at_ms: number, per_s: number): void {
    if (!(per_s >= 0) || !Number.isFinite(per_s)) throw new Error(`a rate must be a number >= 0, got ${per_s}`);
    while (this.pieces.length > 1 && this.pieces[this.pieces.length - 1]!.at_ms >= at_ms) this.pieces.pop();
    const last = this.pieces[this.pieces.length - 1]!;
    if (last.at_ms >= at_ms) last.per_s = per_s;
    else this.pieces.push({ at_ms, per_s });
    this.version++;
    const w = this.wakers;
    this.wakers = [];
    for (const wake of w) wake();
  }

  /** Resolves at the next change. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  /** The instant (ms, to the microsecond) where the cumulative expected count reaches `target`; Infinity when the rate stays below it. */
  instantOf(target: number): number {
    let acc = 0;
    for (let k = 0; k < this.pieces.length; k++) {
      const p = this.pieces[k]!;
      const end = this.pieces[k + 1]?.at_ms ?? Infinity;
      const per_ms = p.per_s / 1000;
      const count = per_ms === 0 ? 0 : per_ms * (end - p.at_ms);
      if (per_ms > 0 && target <= acc + count) return Math.round((p.at_ms + (target - acc) / per_ms) * 1000) / 1000;
      acc += count;
    }
    return Infinity;
  }
}

/** The open-loop schedule of a steered rate: the plan's arrival process, no planned segments, no end. */
export function steeredSchedule(load: LoadPlan): OpenLoopSchedule {
  return { kind: 'open', segments: [], arrival: load.kind === 'sweep' || load.kind === 'rate' ? load.arrival : 'poisson', end_ms: Infinity };
}
