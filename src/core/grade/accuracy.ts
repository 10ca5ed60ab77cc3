/**
 * Accuracy figures of a run: the share of graded answers that were correct, with a 95% Wilson
 * interval, and the same per input-size bucket, per subject, per level, per prompt (the 50 with
 * the most graded answers) and per time slice of the run (per load step for a step load), so a drop
 * under load shows. `unparsed` answers count against accuracy (value = correct / graded) and are
 * reported apart from `wrong`.
 */
import { bucketLabel, bucketRanges } from '../tokenize/counts';
import type { Verdict } from './types';

export interface AccuracyCounts {
  graded: number;
  correct: number;
  wrong: number;
  unparsed: number;
  /** correct / graded; null when nothing was graded. */
  value: number | null;
  /** 95% Wilson score interval of value; null when nothing was graded. */
  ci95: [number, number] | null;
}

export interface AccuracySlice extends AccuracyCounts {
  /** Seconds from the run's start. */
  from_s: number;
  to_s: number;
  /** Step loads: the users planned during this step. */
  users?: number;
}

export interface AccuracySummary extends AccuracyCounts {
  /** Requests with an expected answer that failed (timeout, reset, ...): not graded, counted in the error figures. */
  failed_ungraded: number;
  by_bucket: Record<string, AccuracyCounts>;
  by_subject: Record<string, AccuracyCounts>;
  by_level: Record<string, AccuracyCounts>;
  by_prompt: Record<string, AccuracyCounts>;
  by_time: AccuracySlice[];
  /** Length of a time slice, seconds. */
  slice_s: number;
}

/** 95% Wilson score interval for k successes in n trials. */
export function wilson(k: number, n: number, z = 1.959963984540054): [number, number] | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

interface Count {
  correct: number;
  wrong: number;
  unparsed: number;
}
const zero = (): Count => ({ correct: 0, wrong: 0, unparsed: 0 });

export function countsOf(c: Count): AccuracyCounts {
  const graded = c.correct + c.wrong + c.unparsed;
  return { graded, correct: c.correct, wrong: c.wrong, unparsed: c.unparsed, value: graded ? c.correct / graded : null, ci95: wilson(c.correct, graded) };
}

const MAX_PROMPTS = 50;

export interface TallyOptions {
  /** Input token bucket bounds (the scenario's `buckets`). */
  buckets: readonly number[];
  /** Time slice length, ms. */
  slice_ms: number;
  /** Step loads: the users planned at a time offset (ms). */
  usersAt?: (offset_ms: number) => number;
}

export class AccuracyTally {
  private readonly all = zero();
  private failedUngraded = 0;
  private readonly ranges: Array<{ from: number; to: number; label: string }>;
  private readonly byBucket = new Map<string, Count>();
  private readonly bySubject = new Map<string, Count>();
  private readonly byLevel = new Map<string, Count>();
  private readonly byPrompt = new Map<string, Count>();
  private readonly byTime = new Map<number, Count>();

  constructor(private readonly opts: TallyOptions) {
    this.ranges = bucketRanges(opts.buckets).map((r) => ({ ...r, label: bucketLabel(r) }));
  }

  get graded(): number {
    return this.all.correct + this.all.wrong + this.all.unparsed;
  }

  failed(): void {
    this.failedUngraded++;
  }

  add(verdict: Verdict, where: { prompt: string; offset_ms: number; input_tokens: number | null; subject?: string; level?: string }): void {
    const bump = (m: Map<string | number, Count> | null, key: string | number | undefined): void => {
      if (key === undefined || !m) return;
      let c = m.get(key);
      if (!c) m.set(key, (c = zero()));
      c[verdict]++;
    };
    this.all[verdict]++;
    if (this.ranges.length) {
      const n = where.input_tokens;
      bump(this.byBucket as Map<string | number, Count>, n === null ? 'unknown' : this.ranges.find((r) => n >= r.from && n < r.to)?.label);
    }
    bump(this.bySubject as Map<string | number, Count>, where.subject);
    bump(this.byLevel as Map<string | number, Count>, where.level);
    bump(this.byPrompt as Map<string | number, Count>, where.prompt);
    bump(this.byTime as Map<string | number, Count>, Math.max(0, Math.floor(where.offset_ms / this.opts.slice_ms)));
  }

  summary(): AccuracySummary {
    const rec = (m: Map<string, Count>, limit = Infinity): Record<string, AccuracyCounts> => {
      const entries = [...m.entries()];
      if (entries.length > limit) entries.sort((a, b) => countsOf(b[1]).graded - countsOf(a[1]).graded).splice(limit);
      return Object.fromEntries(entries.sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true })).map(([k, c]) => [k, countsOf(c)]));
    };
    const slice = this.opts.slice_ms;
    const by_time = [...this.byTime.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([i, c]) => {
        const s: AccuracySlice = { from_s: (i * slice) / 1000, to_s: ((i + 1) * slice) / 1000, ...countsOf(c) };
        if (this.opts.usersAt) s.users = this.opts.usersAt(i * slice);
        return s;
      });
    return {
      ...countsOf(this.all),
      failed_ungraded: this.failedUngraded,
      by_bucket: rec(this.byBucket),
      by_subject: rec(this.bySubject),
      by_level: rec(this.byLevel),
      by_prompt: rec(this.byPrompt, MAX_PROMPTS),
      by_time,
      slice_s: slice / 1000,
    };
  }
}

/** `expect accuracy for GROUP`: a subject (case-insensitive), or `level N`; null when not measured. */
export function accuracyOfGroup(a: AccuracySummary | undefined, group: string): number | null {
  if (!a) return null;
  const level = /^level\s+(.+)$/i.exec(group.trim());
  if (level) return a.by_level[level[1]!.trim()]?.value ?? null;
  const key = Object.keys(a.by_subject).find((k) => k.toLowerCase() === group.trim().toLowerCase());
  return key === undefined ? null : (a.by_subject[key]!.value ?? null);
}
