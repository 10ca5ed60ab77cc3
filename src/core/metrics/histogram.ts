/**
 * HDR histograms for latency-like values. Values are recorded as integers in a fixed sub-unit
 * (microseconds for milliseconds, milli-tokens/s for rates) so percentiles keep three significant
 * digits without sorting samples. Histograms serialize to compressed base64 and add losslessly,
 * which is how per-thread histograms are merged.
 */
import * as hdr from 'hdr-histogram-js';

export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

const STATS: Record<string, number> = { p50: 50, p90: 90, p95: 95, p99: 99, 'p99.9': 99.9 };

export class Hist {
  private readonly h: hdr.Histogram;
  /** Exact extremes in the recorded integer unit: HDR keeps only bucket bounds once encoded. */
  private maxRaw = 0;
  /**
   * A run of equal values not yet in `h` (count 0: none). Gaps between packets of one read are all
   * 0, so runs are common; a run costs a compare and an add per value, and goes into `h` as one
   * recordValueWithCount before anything reads `h`, so every figure is exactly as if recorded one by one.
   */
  private runRaw = 0;
  private runCount = 0;
  /** scale: recorded integer = round(value * scale). */
  constructor(readonly scale = 1000) {
    this.h = hdr.build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  }

  record(value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    const raw = Math.max(1, Math.round(value * this.scale));
    if (raw === this.runRaw) {
      this.runCount++;
      return;
    }
    this.flushRun();
    this.runRaw = raw;
    this.runCount = 1;
    if (raw > this.maxRaw) this.maxRaw = raw;
  }

  /** Puts the pending run of equal values into the histogram. */
  private flushRun(): void {
    if (this.runCount === 0) return;
    this.h.recordValueWithCount(this.runRaw, this.runCount);
    this.runRaw = 0;
    this.runCount = 0;
  }

  get count(): number {
    return this.h.totalCount + this.runCount;
  }

  /** A percentile (0..100), 'mean', 'max' or 'min'; null when empty. */
  stat(name: string): number | null {
    this.flushRun();
    if (this.h.totalCount === 0) return null;
    if (name === 'mean') return this.h.mean / this.scale;
    if (name === 'max') return this.maxRaw / this.scale;
    if (name === 'min') return this.h.minNonZeroValue / this.scale;
    const p = STATS[name];
    if (p === undefined) throw new Error(`unknown statistic ${name}`);
    // HDR reports a bucket's highest equivalent value; no percentile is above the exact max.
    return Math.min(this.h.getValueAtPercentile(p), this.maxRaw) / this.scale;
  }

  percentiles(): Percentiles {
    return {
      p50: this.stat('p50'),
      p90: this.stat('p90'),
      p95: this.stat('p95'),
      p99: this.stat('p99'),
      max: this.stat('max'),
      mean: this.stat('mean'),
    };
  }

  add(other: Hist): void {
    this.flushRun();
    other.flushRun();
    this.h.add(other.h);
    if (other.maxRaw > this.maxRaw) this.maxRaw = other.maxRaw;
  }

  /** `<exact max>:<compressed base64 HDR histogram>`. */
  encode(): string {
    this.flushRun();
    return `${this.maxRaw}:${hdr.encodeIntoCompressedBase64(this.h)}`;
  }

  static decode(encoded: string, scale = 1000): Hist {
    const h = new Hist(scale);
    const colon = encoded.indexOf(':');
    h.h.add(hdr.decodeFromCompressedBase64(encoded.slice(colon + 1), 32, false));
    h.maxRaw = Number(encoded.slice(0, colon));
    return h;
  }

  reset(): void {
    this.runRaw = 0;
    this.runCount = 0;
    this.h.reset();
    this.maxRaw = 0;
  }
}
