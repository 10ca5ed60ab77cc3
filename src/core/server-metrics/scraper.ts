/**
 * Polls a Prometheus `/metrics` endpoint during a run, on the runner's main thread (never a load
 * thread): one scrape at a time, the next one `every` after the previous began (or right after a
 * slow one ended), each cut at its timeout. Every scrape, good or failed, is one line of
 * server-metrics.jsonl; a failed one (no answer in time, an HTTP error, a body that is not the
 * exposition format) is recorded and polling goes on, so the run never depends on the scrapes.
 */
import fs from 'node:fs';
import { parsePrometheusText, type PromSample } from './prom-text';
import { pointOf, summarizeServer, type Scrape, type ServerMetricsSummary, type ServerPoint } from './series';
import { detectEngine, type EngineMapping } from './engines';

/** One line of server-metrics.jsonl. Values that JSON cannot hold (NaN, ±Inf) are written as strings. */
export interface ScrapeLine {
  /** Seconds since the run's start, when the scrape was sent. */
  t_s: number;
  /** How long the scrape took, ms. */
  ms: number;
  ok: boolean;
  http_status?: number;
  error?: string;
  /** `[name, labels, value]` per sample. */
  samples?: [string, Record<string, string>, number | string][];
}

export const SERVER_METRICS_FILE = 'server-metrics.jsonl';

export interface ScraperOptions {
  url: string;
  everyMs: number;
  /** Default: the interval, between 1 and 5 s. */
  timeoutMs?: number;
  /** Where the lines go (appended); none: kept in memory only. */
  file?: string;
  /** Seconds since the run's start. */
  clock: () => number;
  /** Metric names the scenario names, summarised raw. */
  rawNames?: readonly string[];
  /** Called after each scrape (live views). */
  onScrape?(line: ScrapeLine, scrape?: Scrape): void;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

export function encodeValue(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

export function decodeValue(v: number | string): number {
  if (typeof v === 'number') return v;
  return v === 'NaN' ? NaN : v === '-Inf' ? -Infinity : Infinity;
}

/** Reads server-metrics.jsonl back: the good scrapes and the failed ones. */
export function readScrapeLines(text: string): { scrapes: Scrape[]; failed: { t_s: number; error: string }[] } {
  const scrapes: Scrape[] = [];
  const failed: { t_s: number; error: string }[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let l: ScrapeLine;
    try {
      l = JSON.parse(line) as ScrapeLine;
    } catch {
      continue; // a line cut by a crash
    }
    if (l.ok && l.samples) scrapes.push({ t_s: l.t_s, samples: l.samples.map(([name, labels, value]) => ({ name, labels, value: decodeValue(value) })) });
    else failed.push({ t_s: l.t_s, error: l.error ?? 'failed' });
  }
  return { scrapes, failed };
}

/** One scrape: the samples, or why there are none. Never throws. */
export async function scrapeOnce(url: string, timeoutMs: number): Promise<{ samples?: PromSample[]; http_status?: number; error?: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' } });
    const body = await res.text();
    if (!res.ok) return { http_status: res.status, error: `HTTP ${res.status}${body ? `: ${body.trim().slice(0, 120)}` : ''}` };
    if (body.length > MAX_BODY_BYTES) return { http_status: res.status, error: `the body is larger than ${MAX_BODY_BYTES} bytes` };
    try {
      return { http_status: res.status, samples: parsePrometheusText(body).samples };
    } catch (e) {
      return { http_status: res.status, error: `not Prometheus text format: ${(e as Error).message}` };
    }
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return { error: `no answer within ${timeoutMs} ms` };
    return { error: err.cause?.code ?? err.cause?.message ?? err.message };
  }
}

export class ServerMetricsScraper {
  private readonly scrapes: Scrape[] = [];
  private readonly failed: { t_s: number; error: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastOk = false;
  private engine: EngineMapping | undefined;
  /** The common figures of each good scrape, as they come (for the live charts and series.json). */
  readonly points: ServerPoint[] = [];
  private readonly fd: number | undefined;
  readonly timeoutMs: number;

  constructor(private readonly opts: ScraperOptions) {
    this.timeoutMs = opts.timeoutMs ?? Math.min(5000, Math.max(1000, opts.everyMs));
    this.fd = opts.file ? fs.openSync(opts.file, 'a') : undefined;
  }

  /** Scrapes now, then every interval until stop(). */
  start(): void {
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    const began = performance.now();
    this.running = this.scrape().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      const wait = Math.max(0, this.opts.everyMs - (performance.now() - began));
      this.timer = setTimeout(() => this.tick(), wait);
      this.timer.unref?.();
    });
  }

  private async scrape(): Promise<void> {
    const t_s = this.opts.clock();
    const t0 = performance.now();
    const r = await scrapeOnce(this.opts.url, this.timeoutMs);
    const line: ScrapeLine = { t_s, ms: performance.now() - t0, ok: r.samples !== undefined };
    if (r.http_status !== undefined) line.http_status = r.http_status;
    let scrape: Scrape | undefined;
    if (r.samples) {
      line.samples = r.samples.map((s) => [s.name, s.labels, encodeValue(s.value)]);
      scrape = { t_s, samples: r.samples };
      this.scrapes.push(scrape);
      this.engine ??= detectEngine(r.samples);
      if (this.engine) this.points.push(pointOf(this.engine, scrape, this.scrapes[this.scrapes.length - 2], this.scrapes[0]!));
    } else {
      line.error = r.error ?? 'failed';
      this.failed.push({ t_s, error: line.error });
    }
    this.lastOk = line.ok;
    if (this.fd !== undefined) fs.writeSync(this.fd, JSON.stringify(line) + '\n');
    this.opts.onScrape?.(line, scrape);
  }

  /** Good scrapes so far. */
  get good(): readonly Scrape[] {
    return this.scrapes;
  }

  /** Ends polling after one last scrape (so counters cover the whole run), and summarises. */
  async stop(): Promise<ServerMetricsSummary> {
    if (!this.stopped) {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      if (this.running) await this.running;
      // A last scrape so the counters cover the whole run, unless the endpoint just failed (a hang would hold the run's end).
      if (this.lastOk) await this.scrape();
      if (this.fd !== undefined) fs.closeSync(this.fd);
    }
    return summarizeServer({ url: this.opts.url, every_s: this.opts.everyMs / 1000, failed: this.failed }, this.scrapes, this.opts.rawNames);
  }
}
