/**
 * llama.cpp `llama-server` (`llamacpp:` names; start it with `--metrics`). Requests in a slot are
 * `requests_processing`, those waiting for one `requests_deferred`. It publishes no latency
 * histograms: per-request timings come in the stream instead (see ../request-timing.ts).
 * `kv_cache_usage_ratio` is read when the build still sends it.
 */
import type { EngineMapping } from './types';

export const llamacpp: EngineMapping = {
  engine: 'llamacpp',
  prefix: 'llamacpp:',
  running: ['llamacpp:requests_processing'],
  waiting: ['llamacpp:requests_deferred'],
  kv_cache_usage: ['llamacpp:kv_cache_usage_ratio'],
  prompt_tokens: ['llamacpp:prompt_tokens_total'],
  generation_tokens: ['llamacpp:tokens_predicted_total'],
};
