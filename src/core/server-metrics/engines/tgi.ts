/**
 * Hugging Face TGI (`tgi_` names; /metrics is on by default). The running batch is
 * `tgi_batch_current_size`, the queue `tgi_queue_size`. TGI has no token counters: the sums of its
 * input-length and generated-token histograms are (`_sum` of a histogram only grows). Its
 * per-request mean time per token stands for the inter-token latency. No TTFT histogram.
 */
import type { EngineMapping } from './types';

export const tgi: EngineMapping = {
  engine: 'tgi',
  prefix: 'tgi_',
  running: ['tgi_batch_current_size'],
  waiting: ['tgi_queue_size'],
  prompt_tokens: ['tgi_request_input_length_sum'],
  generation_tokens: ['tgi_request_generated_tokens_sum'],
  itl: ['tgi_request_mean_time_per_token_duration'],
  queue_time: ['tgi_request_queue_duration'],
};
