/**
 * How one serving engine names the figures llmload puts on its common server series. Each list
 * gives the engine's metric names in order of preference (the first one the server sends wins), so
 * a renamed metric keeps working with both spellings (vLLM's kv_cache_usage_perc and the older
 * gpu_cache_usage_perc). Gauges and counters are summed over their label sets (several engine
 * ranks), except ratios, which are averaged. Histograms are family names in seconds.
 */
export interface EngineMapping {
  /** What the engine is called in results, e.g. `vllm`. */
  engine: string;
  /** The metric-name prefix that marks this engine's exposition, e.g. `vllm:`. */
  prefix: string;
  /** Requests being served now (in the running batch / a slot). */
  running?: readonly string[];
  /** Requests waiting for a slot. */
  waiting?: readonly string[];
  /** KV-cache use as a ratio 0..1. */
  kv_cache_usage?: readonly string[];
  /** A prefix-cache hit-rate gauge 0..1, used when the engine has no hit and query counters. */
  prefix_hit_rate?: readonly string[];
  /** Counters of prefix-cache queries and hits (tokens); the hit rate is Δhits / Δqueries. */
  prefix_queries?: readonly string[];
  prefix_hits?: readonly string[];
  /** Counter of preemptions. */
  preemptions?: readonly string[];
  /** Counters of prompt (prefill) and generated tokens. */
  prompt_tokens?: readonly string[];
  generation_tokens?: readonly string[];
  /** Histograms (seconds): the server's own TTFT, inter-token latency and queue time. */
  ttft?: readonly string[];
  itl?: readonly string[];
  queue_time?: readonly string[];
}
