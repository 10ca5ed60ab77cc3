/**
 * The token buckets of summary.json (`buckets`), read tolerantly: an array of objects (labelled by
 * `label`, `bucket`, `name` or `from`/`to`) or an object keyed by label. Browser-safe: the panel and
 * the report render it as a table of its numeric figures and percentiles.
 */
import type { Summary } from '../metrics/summary';
import { bucketLabel } from '../tokenize/counts';
import { fmtMs, fmtNum, fmtPct } from './format';

export interface BucketFigures {
  label: string;
  figures: Record<string, unknown>;
}

export function readBuckets(s: Pick<Summary, never> | null | undefined): BucketFigures[] {
  const raw = (s as { buckets?: unknown } | null | undefined)?.buckets;
  const out: BucketFigures[] = [];
  if (Array.isArray(raw)) {
    for (const b of raw) {
      if (typeof b !== 'object' || b === null) continue;
      const o = b as Record<string, unknown>;
      let label: string | null = null;
      if (typeof o.label === 'string') label = o.label;
      else if (typeof o.bucket === 'string') label = o.bucket;
      else if (typeof o.name === 'string') label = o.name;
      else if (typeof o.from === 'number') label = bucketLabel({ from: o.from, to: typeof o.to === 'number' ? o.to : Infinity });
      if (label) out.push({ label, figures: o });
    }
  } else if (typeof raw === 'object' && raw !== null) {
    for (const [label, o] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof o === 'object' && o !== null && !Array.isArray(o)) out.push({ label, figures: o as Record<string, unknown> });
    }
  }
  return out;
}

function isPercentiles(p: unknown): p is Record<string, number | null> {
  return typeof p === 'object' && p !== null && ('p50' in p || 'p95' in p);
}

const SKIP = new Set(['label', 'bucket', 'name', 'from', 'to', 'histograms']);

/** Columns and formatted cells: every numeric figure, then p50/p95/p99 of every percentile figure. */
export function bucketTable(buckets: readonly BucketFigures[]): { columns: string[]; rows: string[][] } {
  const plain: string[] = [];
  const pct: string[] = [];
  for (const b of buckets) {
    for (const [k, v] of Object.entries(b.figures)) {
      if (SKIP.has(k)) continue;
      if (typeof v === 'number' && !plain.includes(k)) plain.push(k);
      else if (isPercentiles(v) && !pct.includes(k)) pct.push(k);
    }
  }
  const columns = ['bucket', ...plain, ...pct.flatMap((k) => ['p50', 'p95', 'p99'].map((s) => `${k.replace(/_ms$/, '')} ${s}`))];
  const rows = buckets.map((b) => [
    b.label,
    ...plain.map((k) => {
      const v = b.figures[k];
      if (typeof v !== 'number') return '-';
      return (k.endsWith('_rate') || k.endsWith('_share')) && v <= 1 ? fmtPct(v) : k.endsWith('_ms') ? fmtMs(v) : Number.isInteger(v) ? String(v) : fmtNum(v);
    }),
    ...pct.flatMap((k) => {
      const p = b.figures[k] as Record<string, number | null>;
      return ['p50', 'p95', 'p99'].map((s) => (k.endsWith('_ms') ? fmtMs(p[s]) : fmtNum(p[s])));
    }),
  ]);
  return { columns, rows };
}

/**
 * What the run says about input served from the server's prefix cache, one sentence each: the
 * run's note when most of its input was cached, else each mostly cached bucket's and the mostly
 * cached prompts (summary.json `cache`, `buckets[].cache_note`). Empty when nothing was mostly cached.
 */
export function cacheNotes(s: unknown): string[] {
  const o = (typeof s === 'object' && s !== null ? s : {}) as { cache?: unknown; buckets?: unknown };
  const cache = (typeof o.cache === 'object' && o.cache !== null ? o.cache : {}) as {
    note?: unknown;
    prompts?: unknown;
    prompts_mostly_cached?: unknown;
  };
  if (typeof cache.note === 'string') return [cache.note];
  const out: string[] = [];
  for (const b of readBuckets(s as Summary)) if (typeof b.figures.cache_note === 'string') out.push(`bucket ${b.label}: ${b.figures.cache_note}`);
  const n = typeof cache.prompts_mostly_cached === 'number' ? cache.prompts_mostly_cached : 0;
  if (n > 0 && Array.isArray(cache.prompts)) {
    const named = (cache.prompts as Array<{ prompt?: unknown; share?: unknown }>)
      .filter((p) => typeof p.prompt === 'string' && typeof p.share === 'number')
      .slice(0, 3)
      .map((p) => `${String(p.prompt)} ${Math.round((p.share as number) * 100)}%`);
    const more = n > named.length ? `, and ${n - named.length} more` : '';
    out.push(`${n} prompt(s) had most input tokens served from the server's prefix cache (${named.join(', ')}${more}): their TTFT does not measure full prefill`);
  }
  return out;
}
