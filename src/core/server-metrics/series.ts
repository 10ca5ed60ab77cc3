/**
 * The common server series: from consecutive scrapes, each engine's names (./engines) become one
 * set of figures: requests running and waiting, KV-cache use, prefix-cache hit rate, preemptions,
 * prompt and generation token rates, and the server's own TTFT / ITL / queue-time percentiles over
 * each scrape interval (the histogram's growth between two scrapes). Over the whole run the same
 * figures summarise from the first to the last good scrape.
 */
import { detectEngine, type EngineMapping } from './engines';
import { bucketDelta, bucketQuantile, bucketsOf } from './histogram';
import type { PromSample } from './prom-text';

/** One good scrape: seconds since the run's start, and its samples. */
export interface Scrape {
  t_s: number;
  samples: PromSample[];
}

/** The common figures at one scrape; a figure the server does not publish is absent. */
export interface ServerPoint {
  t_s: number;
  running?: number;
  waiting?: number;
  /** KV-cache use, 0..1. */
  kv_cache_usage?: number;
  /** Prefix-cache hits / queries over the interval (or the engine's own rate gauge), 0..1. */
  prefix_hit_rate?: number;
  /** Preemptions since the first scrape. */
  preemptions?: number;
  prompt_tokens_per_s?: number;
  generation_tokens_per_s?: number;
  ttft_p50_ms?: number;
  ttft_p95_ms?: number;
  itl_p50_ms?: number;
  itl_p95_ms?: number;
  queue_p50_ms?: number;
  queue_p95_ms?: number;
}

export const POINT_FIELDS = [
  'running',
  'waiting',
  'kv_cache_usage',
  'prefix_hit_rate',
  'preemptions',
  'prompt_tokens_per_s',
  'generation_tokens_per_s',
  'ttft_p50_ms',
  'ttft_p95_ms',
  'itl_p50_ms',
  'itl_p95_ms',
  'queue_p50_ms',
  'queue_p95_ms',
] as const;
export type PointField = (typeof POINT_FIELDS)[number];

/** The sum over label sets of the first listed name the scrape has; undefined when none is there. */
export function valueOf(samples: readonly PromSample[], names: readonly string[] | undefined, mean = false): number | undefined {
  if (!names) return undefined;
  for (const name of names) {
    let sum = 0;
    let n = 0;
    for (const s of samples) {
      if (s.name === name && Number.isFinite(s.value)) {
        sum += s.value;
        n++;
      }
    }
    if (n > 0) return mean ? sum / n : sum;
  }
  return undefined;
}

function histogramMs(now: Scrape, before: Scrape | undefined, families: readonly string[] | undefined): { p50?: number; p95?: number; p99?: number } {
  for (const family of families ?? []) {
    const b = bucketsOf(now.samples, family);
    if (!b) continue;
    const d = bucketDelta(b, before ? bucketsOf(before.samples, family) : undefined);
    const q = (x: number): number | undefined => {
      const v = bucketQuantile(d, x);
      return v === null ? undefined : v * 1000;
    };
    return { p50: q(0.5), p95: q(0.95), p99: q(0.99) };
  }
  return {};
}

/** Counter growth between two scrapes (a reset counts from zero). */
function growth(now: number | undefined, before: number | undefined): number | undefined {
  if (now === undefined) return undefined;
  if (before === undefined || now < before) return now;
  return now - before;
}

/** The common figures at `now`, rates over the interval since `before` (the previous good scrape). */
export function pointOf(e: EngineMapping, now: Scrape, before: Scrape | undefined, first: Scrape): ServerPoint {
  const p: ServerPoint = { t_s: now.t_s };
  const set = (k: PointField, v: number | undefined): void => {
    if (v !== undefined && Number.isFinite(v)) p[k] = v;
  };
  set('running', valueOf(now.samples, e.running));
  set('waiting', valueOf(now.samples, e.waiting));
  set('kv_cache_usage', valueOf(now.samples, e.kv_cache_usage, true));
  const q = growth(valueOf(now.samples, e.prefix_queries), before && valueOf(before.samples, e.prefix_queries));
  const h = growth(valueOf(now.samples, e.prefix_hits), before && valueOf(before.samples, e.prefix_hits));
  if (before && q !== undefined && h !== undefined) {
    if (q > 0) set('prefix_hit_rate', h / q);
  } else {
    const g = valueOf(now.samples, e.prefix_hit_rate, true);
    if (g !== undefined && g >= 0) set('prefix_hit_rate', g);
  }
  const pre = valueOf(now.samples, e.preemptions);
  if (pre !== undefined) set('preemptions', growth(pre, valueOf(first.samples, e.preemptions)));
  if (before && now.t_s > before.t_s) {
    const dt = now.t_s - before.t_s;
    const pt = growth(valueOf(now.samples, e.prompt_tokens), valueOf(before.samples, e.prompt_tokens));
    const gt = growth(valueOf(now.samples, e.generation_tokens), valueOf(before.samples, e.generation_tokens));
    if (pt !== undefined) set('prompt_tokens_per_s', pt / dt);
    if (gt !== undefined) set('generation_tokens_per_s', gt / dt);
  }
  if (before) {
    const ttft = histogramMs(now, before, e.ttft);
    set('ttft_p50_ms', ttft.p50);
    set('ttft_p95_ms', ttft.p95);
    const itl = histogramMs(now, before, e.itl);
    set('itl_p50_ms', itl.p50);
    set('itl_p95_ms', itl.p95);
    const queue = histogramMs(now, before, e.queue_time);
    set('queue_p50_ms', queue.p50);
    set('queue_p95_ms', queue.p95);
  }
  return p;
}

export interface Spread {
  min: number;
  mean: number;
  max: number;
  last: number;
}

export interface ServerPercentiles {
  p50?: number;
  p95?: number;
  p99?: number;
}

/** What summary.json says about the server's own metrics over the run. */
export interface ServerMetricsSummary {
  url: string;
  every_s: number;
  /** The engine whose names the server uses (vllm, sglang, tgi, llamacpp), or null when none is known. */
  engine: string | null;
  scrapes: number;
  failed_scrapes: number;
  /** The first few failed scrapes: when, and why. */
  scrape_errors: { t_s: number; error: string }[];
  running?: Spread;
  waiting?: Spread;
  kv_cache_usage?: Spread;
  /** Prefix-cache hits / queries from the first to the last scrape (or the mean of the engine's rate gauge). */
  prefix_hit_rate?: number;
  preemptions?: number;
  /** Counter growth from the first to the last good scrape. */
  prompt_tokens?: number;
  generation_tokens?: number;
  /** The server's own histograms over the run (first to last scrape), ms. */
  ttft_ms?: ServerPercentiles;
  itl_ms?: ServerPercentiles;
  queue_ms?: ServerPercentiles;
  /** True when requests waited at the server (waiting > 0 at some scrape, or its queue-time p95 ≥ 50 ms); null when it publishes neither. */
  queued: boolean | null;
  /** Metrics named in the scenario (`expect server NAME ...`) that have no common series: their spread over the scrapes. */
  raw?: Record<string, Spread>;
}

function spreadOf(values: number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, mean: sum / values.length, max, last: values[values.length - 1]! };
}

/** The points of a run's good scrapes (rates from the second on), and the engine they were read with. */
export function pointsOf(scrapes: readonly Scrape[], engine?: EngineMapping): { engine: EngineMapping | undefined; points: ServerPoint[] } {
  const e = engine ?? (scrapes.length > 0 ? detectEngine(scrapes[scrapes.length - 1]!.samples) : undefined);
  if (!e || scrapes.length === 0) return { engine: e, points: [] };
  const first = scrapes[0]!;
  return { engine: e, points: scrapes.map((s, i) => pointOf(e, s, i > 0 ? scrapes[i - 1] : undefined, first)) };
}

export function summarizeServer(
  meta: { url: string; every_s: number; failed: { t_s: number; error: string }[] },
  scrapes: readonly Scrape[],
  rawNames: readonly string[] = [],
): ServerMetricsSummary {
  const { engine: e, points } = pointsOf(scrapes);
  const out: ServerMetricsSummary = {
    url: meta.url,
    every_s: meta.every_s,
    engine: e?.engine ?? null,
    scrapes: scrapes.length + meta.failed.length,
    failed_scrapes: meta.failed.length,
    scrape_errors: meta.failed.slice(0, 5),
    queued: null,
  };
  const col = (k: PointField): number[] => points.flatMap((p) => (p[k] === undefined ? [] : [p[k]!]));
  const running = spreadOf(col('running'));
  const waiting = spreadOf(col('waiting'));
  const kv = spreadOf(col('kv_cache_usage'));
  if (running) out.running = running;
  if (waiting) out.waiting = waiting;
  if (kv) out.kv_cache_usage = kv;
  if (e && scrapes.length > 0) {
    const first = scrapes[0]!;
    const last = scrapes[scrapes.length - 1]!;
    const whole = scrapes.length > 1 ? pointOf(e, last, first, first) : undefined;
    if (whole?.prefix_hit_rate !== undefined && e.prefix_queries && valueOf(last.samples, e.prefix_queries) !== undefined) out.prefix_hit_rate = whole.prefix_hit_rate;
    else {
      const rates = spreadOf(col('prefix_hit_rate'));
      if (rates) out.prefix_hit_rate = rates.mean;
    }
    const pre = points[points.length - 1]!.preemptions;
    if (pre !== undefined) out.preemptions = pre;
    const pt = growth(valueOf(last.samples, e.prompt_tokens), scrapes.length > 1 ? valueOf(first.samples, e.prompt_tokens) : undefined);
    const gt = growth(valueOf(last.samples, e.generation_tokens), scrapes.length > 1 ? valueOf(first.samples, e.generation_tokens) : undefined);
    if (pt !== undefined) out.prompt_tokens = pt;
    if (gt !== undefined) out.generation_tokens = gt;
    const before = scrapes.length > 1 ? first : undefined;
    const ttft = histogramMs(last, before, e.ttft);
    const itl = histogramMs(last, before, e.itl);
    const queue = histogramMs(last, before, e.queue_time);
    if (ttft.p50 !== undefined) out.ttft_ms = ttft;
    if (itl.p50 !== undefined) out.itl_ms = itl;
    if (queue.p50 !== undefined) out.queue_ms = queue;
  }
  if (waiting || out.queue_ms) out.queued = (waiting?.max ?? 0) > 0 || (out.queue_ms?.p95 ?? 0) >= 50;
  const raw: Record<string, Spread> = {};
  for (const name of rawNames) {
    const s = spreadOf(scrapes.flatMap((sc) => {
      const v = valueOf(sc.samples, [name]);
      return v === undefined ? [] : [v];
    }));
    if (s) raw[name] = s;
  }
  if (Object.keys(raw).length > 0) out.raw = raw;
  return out;
}
