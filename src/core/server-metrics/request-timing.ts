/**
 * Per-request server timings read from the stream itself, and the split of the client's TTFT they
 * allow. Sources:
 * - llama.cpp: `timings` {prompt_n, prompt_ms, predicted_n, predicted_ms, cache_n} in the final
 *   chat chunk (`choices: []`) and in the last completions chunk;
 * - Ollama: the durations of the `done` message (total, load, prompt_eval, eval);
 * - TGI: `details` of the last message (input_length, generated_tokens: counts, no durations).
 *
 * `queue_ms` = TTFT − prefill_ms: the part of the client's wait the server does not count as its
 * own prefill — time waiting for a slot plus the per-request overhead (network, HTTP, chat
 * template, tokenization), which on loopback or a LAN is a few ms. The summary's `overhead_ms` is
 * the smallest TTFT − prefill of the run (a request that did not wait), so queue_ms − overhead_ms
 * is the queueing alone.
 */

/** What requests.jsonl keeps under `server`. Times in ms, counts in tokens; each present when the server gave it. */
export interface ServerRequestTiming {
  /** Prompt tokens the server processed (llama.cpp prompt_n: the uncached part). */
  prompt_n?: number;
  /** Server time processing the prompt (llama.cpp prompt_ms, Ollama prompt_eval_duration). */
  prompt_ms?: number;
  /** Prompt tokens served from the server's cache (llama.cpp cache_n). */
  cached_tokens?: number;
  /** Tokens generated and the server's time generating them (llama.cpp predicted_*, Ollama eval_*). */
  predicted_n?: number;
  predicted_ms?: number;
  /** Ollama: time loading the model for this request. */
  load_ms?: number;
  /** Ollama: the server's whole time for the request. */
  total_ms?: number;
  /** Server prefill time used for the split: prompt_ms (+ load_ms when the model had to load). */
  prefill_ms?: number;
  /** TTFT − prefill_ms (≥ 0): queueing plus per-request overhead. */
  queue_ms?: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** llama.cpp `timings` as server_timing fields (the names StreamRecord.server_timing keeps). */
export function llamaCppTimings(timings: unknown): Record<string, number> | undefined {
  if (typeof timings !== 'object' || timings === null || Array.isArray(timings)) return undefined;
  const t = timings as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [from, to] of [
    ['prompt_n', 'prompt_n'],
    ['prompt_ms', 'prompt_ms'],
    ['predicted_n', 'predicted_n'],
    ['predicted_ms', 'predicted_ms'],
    ['cache_n', 'cached_tokens'],
  ] as const) {
    const v = num(t[from]);
    if (v !== undefined) out[to] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The `server` object of a request record, from what the stream carried (StreamResult.server_timing). */
export function serverTimingOf(timing: Record<string, number> | undefined, ttft_ms: number | null): ServerRequestTiming | undefined {
  if (!timing) return undefined;
  const s: ServerRequestTiming = {};
  const copy = (k: keyof ServerRequestTiming, v: number | undefined): void => {
    if (v !== undefined && Number.isFinite(v)) s[k] = v;
  };
  copy('prompt_n', timing.prompt_n);
  copy('prompt_ms', timing.prompt_ms ?? timing.prompt_eval_ms);
  copy('cached_tokens', timing.cached_tokens);
  copy('predicted_n', timing.predicted_n);
  copy('predicted_ms', timing.predicted_ms ?? timing.eval_ms);
  copy('load_ms', timing.load_ms);
  copy('total_ms', timing.total_ms);
  if (s.prompt_ms !== undefined) {
    s.prefill_ms = s.prompt_ms + (s.load_ms ?? 0);
    if (ttft_ms !== null) s.queue_ms = Math.max(0, ttft_ms - s.prefill_ms);
  }
  return Object.keys(s).length > 0 ? s : undefined;
}
