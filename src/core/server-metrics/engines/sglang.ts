/** SGLang (`sglang:` names; start the server with `--enable-metrics`). Names from SGLang's production-metrics docs. */
import type { EngineMapping } from './types';

export const sglang: EngineMapping = {
  engine: 'sglang',
  prefix: 'sglang:',
  running: ['sglang:num_running_reqs'],
  waiting: ['sglang:num_queue_reqs'],
  kv_cache_usage: ['sglang:token_usage'],
  prefix_hit_rate: ['sglang:cache_hit_rate'],
  prompt_tokens: ['sglang:prompt_tokens_total'],
  generation_tokens: ['sglang:generation_tokens_total'],
  ttft: ['sglang:time_to_first_token_seconds'],
  itl: ['sglang:inter_token_latency_seconds'],
  queue_time: ['sglang:queue_time_seconds'],
};
