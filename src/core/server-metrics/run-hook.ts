/**
 * What the runner calls: starts scraping the scenario's `server metrics` URL, or the built-in
 * simulator's /metrics when the target is `builtin:` (it serves one), into the run folder.
 */
import path from 'node:path';
import type { RunPlan } from '../scenario/plan';
import { SERVER_METRICS_FILE, ServerMetricsScraper } from './scraper';
import { rawNamesOf } from './expect';

/** Default scrape interval when the scenario gives none. */
export const DEFAULT_SCRAPE_EVERY_MS = 1000;

export interface ServerMetricsSetting {
  url: string;
  every_ms: number;
  /** Metric names the scenario names outside the common series (`expect server NAME ...`). */
  raw_names?: string[];
}

/** The endpoint to scrape: the scenario's, else the simulator's when the run started one. */
export function scrapeTarget(plan: RunPlan, simUrl: string | undefined): ServerMetricsSetting | undefined {
  const s = plan.server_metrics;
  if (s?.url && !s.url.startsWith('builtin:')) return s;
  if (simUrl) return { ...s, url: `${simUrl.replace(/\/v1\/?$/, '')}/metrics`, every_ms: s?.every_ms ?? DEFAULT_SCRAPE_EVERY_MS };
  return undefined;
}

export function startServerMetrics(plan: RunPlan, simUrl: string | undefined, dir: string, clock: () => number): ServerMetricsScraper | undefined {
  const t = scrapeTarget(plan, simUrl);
  if (!t) return undefined;
  const scraper = new ServerMetricsScraper({ url: t.url, everyMs: t.every_ms, file: path.join(dir, SERVER_METRICS_FILE), clock, rawNames: [...(t.raw_names ?? []), ...rawNamesOf(plan.expectations)] });
  scraper.start();
  return scraper;
}
