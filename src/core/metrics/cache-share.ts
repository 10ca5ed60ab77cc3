/**
 * How much of the input the server served from its prefix cache (`cached_tokens`: OpenAI's
 * `prompt_tokens_details.cached_tokens`, Anthropic's `cache_read_input_tokens`, llama.cpp's and
 * vLLM's usage). A request whose prompt was mostly cached skipped most of its prefill, so its TTFT
 * does not measure prefill: when most input tokens of the run, of a bucket or of a prompt were
 * cached, the summary, the bucket table and the panel say so.
 *
 * Only ok, counted (not warmup) requests whose server reported a cached count take part; a server
 * that reports none gives `share: null` and no note.
 */
import type { RecordDigest } from './record';

/** "Most": at least this share of input tokens cached. */
export const MOSTLY_CACHED = 0.5;

/** At most this many prompts are named in summary.json's `cache.prompts`. */
export const CACHE_PROMPTS_LISTED = 20;

export interface CacheFigures {
  /** Requests that reported a cached count. */
  requests: number;
  /** Their input tokens, and how many of those were cached. */
  input_tokens: number;
  cached_tokens: number;
  /** cached_tokens / input_tokens; null without a reporting request. */
  share: number | null;
}

export interface CacheSummary extends CacheFigures {
  /** Set when most input tokens were cached: what it means for TTFT. */
  note?: string;
  /** Prompts most of whose input tokens were cached, most cached first (at most CACHE_PROMPTS_LISTED). */
  prompts: Array<{ prompt: string } & CacheFigures>;
  /** How many prompts were mostly cached in all (the list may be cut). */
  prompts_mostly_cached: number;
}

/** `72% of input tokens were served from the server's prefix cache: TTFT here does not measure full prefill`, or undefined below MOSTLY_CACHED. */
export function cacheNote(share: number | null | undefined): string | undefined {
  if (share === null || share === undefined || !(share >= MOSTLY_CACHED)) return undefined;
  return `${Math.round(share * 100)}% of input tokens were served from the server's prefix cache: TTFT here does not measure full prefill`;
}

export class CacheTally {
  requests = 0;
  input = 0;
  cached = 0;

  /** Counts the record when it is an ok, counted request whose server reported cached tokens. */
  add(rec: RecordDigest): boolean {
    if (rec.warmup || rec.status !== 'ok' || rec.cached_tokens === undefined || rec.input_tokens === null || rec.input_tokens <= 0) return false;
    this.requests++;
    this.input += rec.input_tokens;
    this.cached += Math.min(rec.cached_tokens, rec.input_tokens);
    return true;
  }

  figures(): CacheFigures {
    return { requests: this.requests, input_tokens: this.input, cached_tokens: this.cached, share: this.input > 0 ? this.cached / this.input : null };
  }
}

/** The run's and each prompt's cached share. */
export class CacheShareAggregator {
  private readonly all = new CacheTally();
  private readonly byPrompt = new Map<string, CacheTally>();

  add(rec: RecordDigest): void {
    if (!this.all.add(rec)) return;
    let t = this.byPrompt.get(rec.prompt);
    if (!t) this.byPrompt.set(rec.prompt, (t = new CacheTally()));
    t.add(rec);
  }

  summary(): CacheSummary {
    const f = this.all.figures();
    const mostly = [...this.byPrompt.entries()]
      .map(([prompt, t]) => ({ prompt, ...t.figures() }))
      .filter((p) => p.share !== null && p.share >= MOSTLY_CACHED)
      .sort((a, b) => b.share! - a.share! || b.requests - a.requests);
    const note = cacheNote(f.share);
    return { ...f, ...(note ? { note } : {}), prompts: mostly.slice(0, CACHE_PROMPTS_LISTED), prompts_mostly_cached: mostly.length };
  }
}
