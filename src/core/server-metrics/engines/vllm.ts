/**
 * vLLM (`vllm:` names; /metrics is on by default). Names from vLLM's production-metrics docs: V1
 * `kv_cache_usage_perc`, `prefix_cache_queries`/`hits` counters and `inter_token_latency_seconds`;
 * releases before V1 `gpu_cache_usage_perc`, `gpu_prefix_cache_hit_rate` and
 * `time_per_output_token_seconds`.
 */
import type { EngineMapping } from './types';

export const vllm: EngineMapping = {
  engine: 'vllm',
  prefix: 'vllm:',
  running: ['vllm:num_requests_running'],
  waiting: ['vllm:num_requests_waiting'],
  kv_cache_usage: ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'],
  prefix_hit_rate: ['vllm:gpu_prefix_cache_hit_rate'],
  prefix_queries: ['vllm:prefix_cache_queries_total', 'vllm:gpu_prefix_cache_queries_total'],
  prefix_hits: ['vllm:prefix_cache_hits_total', 'vllm:gpu_prefix_cache_hits_total'],
  preemptions: ['vllm:num_preemptions_total'],
  prompt_tokens: ['vllm:prompt_tokens_total'],
  generation_tokens: ['vllm:generation_tokens_total'],
  ttft: ['vllm:time_to_first_token_seconds'],
  itl: ['vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds'],
  queue_time: ['vllm:request_queue_time_seconds'],
};
