/**
 * Prometheus histograms read from scrapes: the cumulative buckets of one family summed over its
 * label sets, the difference between two scrapes (what arrived in between), and quantiles by
 * linear interpolation inside a bucket, as Prometheus's histogram_quantile does.
 */
import type { PromSample } from './prom-text';

export interface Bucket {
  /** Upper bound (`le`), Infinity for +Inf. */
  le: number;
  /** Cumulative count of observations ≤ le. */
  count: number;
}

/** The family's buckets, summed over label sets (engine ranks, models), sorted by bound; undefined when absent. */
export function bucketsOf(samples: readonly PromSample[], family: string): Bucket[] | undefined {
  const name = `${family}_bucket`;
  const byLe = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const le = Number(s.labels.le === '+Inf' ? Infinity : s.labels.le);
    if (Number.isNaN(le) || !Number.isFinite(s.value)) continue;
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  if (byLe.size === 0) return undefined;
  return [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
}

/** What arrived between two scrapes of the same histogram (a counter reset gives `now` itself). */
export function bucketDelta(now: readonly Bucket[], before: readonly Bucket[] | undefined): Bucket[] {
  if (!before) return now.map((b) => ({ ...b }));
  const prev = new Map(before.map((b) => [b.le, b.count]));
  const out = now.map((b) => ({ le: b.le, count: b.count - (prev.get(b.le) ?? 0) }));
  return out.some((b) => b.count < 0) ? now.map((b) => ({ ...b })) : out;
}

/** The q-quantile (0..1) of cumulative buckets; null without observations. Past the last finite bound, that bound. */
export function bucketQuantile(buckets: readonly Bucket[], q: number): number | null {
  if (buckets.length === 0) return null;
  const total = buckets[buckets.length - 1]!.count;
  if (!(total > 0)) return null;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const b of buckets) {
    if (b.count >= rank && b.count > lowerCount) {
      if (!Number.isFinite(b.le)) return lowerLe;
      if (b.le <= 0) return b.le;
      return lowerLe + (b.le - lowerLe) * ((rank - lowerCount) / (b.count - lowerCount));
    }
    lowerLe = Number.isFinite(b.le) ? b.le : lowerLe;
    lowerCount = b.count;
  }
  return lowerLe;
}
