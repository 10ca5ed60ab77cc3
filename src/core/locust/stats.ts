/**
 * What a Locust master sees of llmload's requests: three StatsEntry rows per prompt, method `LLM`:
 *   `ttft <prompt>`  time to first output packet of every ok request (content length 0)
 *   `ttfa <prompt>`  time to the first answer packet of every ok request that had one (content length 0)
 *   `e2e <prompt>`   every finished request, ok or failed: its end-to-end time, its output tokens as
 *                    content length; a failed one counts as a failure, with its llmload error kind
 *                    (`timeout`, `http_5xx`, …) as the error, so the master's failures table groups by kind
 * Warmup requests and requests cancelled by a stop are not reported (they are not in the run's
 * figures either). The master's `Aggregated` row is built from what the worker sends as
 * stats_total: here the e2e rows only, so it counts each request once.
 *
 * Entries are deltas: `report()` returns what was added since the previous report and starts
 * again from zero, as StatsEntry.get_stripped_report does on a Python worker.
 */
import type { RecordDigest } from '../metrics/record';
import { IntKeyMap, responseTimeKey, type StatsEntryWire, type StatsErrorWire } from './protocol';

export const LLM_METHOD = 'LLM';

export type LocustMetric = 'ttft' | 'ttfa' | 'e2e';

export function entryName(metric: LocustMetric, prompt: string): string {
  return `${metric} ${prompt}`;
}

class Entry {
  last_request_timestamp: number | null = null;
  num_requests = 0;
  num_failures = 0;
  total_response_time = 0;
  max_response_time = 0;
  min_response_time: number | null = null;
  total_content_length = 0;
  response_times = new IntKeyMap();
  num_reqs_per_sec = new IntKeyMap();
  num_fail_per_sec = new IntKeyMap();

  constructor(
    readonly name: string,
    readonly method: string,
    public start_time: number,
  ) {}

  /** One request that ended at `t_s` (epoch seconds) after `ms`. */
  log(t_s: number, ms: number, contentLength: number): void {
    this.num_requests++;
    this.num_reqs_per_sec.bump(Math.floor(t_s));
    this.last_request_timestamp = this.last_request_timestamp === null ? t_s : Math.max(this.last_request_timestamp, t_s);
    this.total_response_time += ms;
    this.min_response_time = this.min_response_time === null ? ms : Math.min(this.min_response_time, ms);
    this.max_response_time = Math.max(this.max_response_time, ms);
    this.response_times.bump(responseTimeKey(ms));
    this.total_content_length += contentLength;
  }

  logError(t_s: number): void {
    this.num_failures++;
    this.num_fail_per_sec.bump(Math.floor(t_s));
  }

  get empty(): boolean {
    return this.num_requests === 0 && this.num_failures === 0;
  }

  wire(): StatsEntryWire {
    return {
      name: this.name,
      method: this.method,
      last_request_timestamp: this.last_request_timestamp,
      start_time: this.start_time,
      num_requests: this.num_requests,
      num_none_requests: 0,
      num_failures: this.num_failures,
      total_response_time: this.total_response_time,
      max_response_time: this.max_response_time,
      min_response_time: this.min_response_time,
      total_content_length: this.total_content_length,
      response_times: this.response_times,
      num_reqs_per_sec: this.num_reqs_per_sec,
      num_fail_per_sec: this.num_fail_per_sec,
    };
  }
}

export interface StatsReport {
  stats: StatsEntryWire[];
  stats_total: StatsEntryWire;
  errors: Record<string, StatsErrorWire>;
}

export class LocustStats {
  private entries = new Map<string, Entry>();
  private total: Entry;
  private errors = new Map<string, StatsErrorWire>();

  constructor(private readonly clock: () => number = () => Date.now() / 1000) {
    this.total = new Entry('Aggregated', '', clock());
  }

  /** Folds one finished request in. */
  add(rec: RecordDigest): void {
    if (rec.warmup || rec.error?.kind === 'cancelled') return;
    const start = rec.start_ms / 1000;
    if (rec.status === 'ok') {
      if (rec.ttft_ms !== null) this.entry('ttft', rec.prompt).log(start + rec.ttft_ms / 1000, rec.ttft_ms, 0);
      if (rec.ttfa_ms !== null) this.entry('ttfa', rec.prompt).log(start + rec.ttfa_ms / 1000, rec.ttfa_ms, 0);
    }
    const end = start + rec.e2e_ms / 1000;
    const e2e = this.entry('e2e', rec.prompt);
    e2e.log(end, rec.e2e_ms, rec.output_tokens);
    this.total.log(end, rec.e2e_ms, rec.output_tokens);
    if (rec.status === 'error') {
      const kind = rec.error?.kind ?? 'bad_stream';
      e2e.logError(end);
      this.total.logError(end);
      const key = `${LLM_METHOD}.${e2e.name}.${kind}`;
      const err = this.errors.get(key);
      if (err) err.occurrences++;
      else this.errors.set(key, { name: e2e.name, method: LLM_METHOD, error: kind, occurrences: 1 });
    }
  }

  /** Everything since the last report (entries with no request left out), then a fresh start. */
  report(): StatsReport {
    const now = this.clock();
    const out: StatsReport = {
      stats: [...this.entries.values()].filter((e) => !e.empty).map((e) => e.wire()),
      stats_total: this.total.wire(),
      errors: Object.fromEntries(this.errors),
    };
    this.entries = new Map();
    this.total = new Entry('Aggregated', '', now);
    this.errors = new Map();
    return out;
  }

  private entry(metric: LocustMetric, prompt: string): Entry {
    const name = entryName(metric, prompt);
    let e = this.entries.get(name);
    if (!e) this.entries.set(name, (e = new Entry(name, LLM_METHOD, this.clock())));
    return e;
  }
}
