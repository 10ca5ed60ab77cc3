/**
 * Per-engine counters and histograms in vLLM's names, and their Prometheus text exposition
 * (format 0.0.4): gauges of the scheduler and KV cache, token and preemption counters, prefix-cache
 * queries and hits in tokens, speculative-decoding counters, and request-level histograms with
 * vLLM's bucket bounds. Labels: `model_name` and `engine`.
 */

const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const ITL_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const REQUEST_BUCKETS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) {
      if (v <= this.bounds[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
}

export class EngineMetrics {
  promptTokens = 0;
  generationTokens = 0;
  preemptions = 0;
  prefixQueries = 0;
  prefixHits = 0;
  specDrafts = 0;
  specDraftTokens = 0;
  specAccepted = 0;
  readonly specAcceptedPerPos: number[];
  requestsFinished = 0;
  readonly ttft = new Histogram(TTFT_BUCKETS);
  readonly itl = new Histogram(ITL_BUCKETS);
  readonly e2e = new Histogram(REQUEST_BUCKETS);
  readonly queue = new Histogram(REQUEST_BUCKETS);
  readonly prefill = new Histogram(REQUEST_BUCKETS);
  readonly decode = new Histogram(REQUEST_BUCKETS);
  readonly inference = new Histogram(REQUEST_BUCKETS);

  constructor(readonly specTokens: number) {
    this.specAcceptedPerPos = new Array<number>(specTokens).fill(0);
  }
}

/** What the exposition needs of one engine. */
export interface EngineSnapshot {
  label: string;
  running: number;
  waiting: number;
  kvUsage: number;
  metrics: EngineMetrics;
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const num = (v: number): string => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

/** The Prometheus text of a deployment's engines. */
export function renderPrometheus(modelName: string, engines: readonly EngineSnapshot[]): string {
  const out: string[] = [];
  const labels = (e: EngineSnapshot, extra = ''): string => `{model_name="${esc(modelName)}",engine="${esc(e.label)}"${extra}}`;
  const scalar = (name: string, type: 'gauge' | 'counter', help: string, value: (e: EngineSnapshot) => number): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const e of engines) out.push(`${name}${labels(e)} ${num(value(e))}`);
  };
  const histogram = (name: string, help: string, pick: (m: EngineMetrics) => Histogram): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const e of engines) {
      const h = pick(e.metrics);
      let cum = 0;
      for (let i = 0; i < h.bounds.length; i++) {
        cum += h.counts[i];
        out.push(`${name}_bucket${labels(e, `,le="${h.bounds[i].toFixed(Math.max(1, decimals(h.bounds[i])))}"`)} ${cum}`);
      }
      out.push(`${name}_bucket${labels(e, ',le="+Inf"')} ${h.count}`);
      out.push(`${name}_sum${labels(e)} ${num(h.sum)}`);
      out.push(`${name}_count${labels(e)} ${h.count}`);
    }
  };
  scalar('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', (e) => e.running);
  scalar('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', (e) => e.waiting);
  scalar('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', (e) => e.kvUsage);
  scalar('vllm:num_preemptions_total', 'counter', 'Cumulative number of preemption from the engine.', (e) => e.metrics.preemptions);
  scalar('vllm:prefix_cache_queries_total', 'counter', 'Prefix cache queries, in terms of number of queried tokens.', (e) => e.metrics.prefixQueries);
  scalar('vllm:prefix_cache_hits_total', 'counter', 'Prefix cache hits, in terms of number of cached tokens.', (e) => e.metrics.prefixHits);
  scalar('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.', (e) => e.metrics.promptTokens);
  scalar('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.', (e) => e.metrics.generationTokens);
  scalar('vllm:request_success_total', 'counter', 'Count of successfully processed requests.', (e) => e.metrics.requestsFinished);
  if (engines.some((e) => e.metrics.specTokens > 0)) {
    scalar('vllm:spec_decode_num_drafts_total', 'counter', 'Number of spec decoding drafts.', (e) => e.metrics.specDrafts);
    scalar('vllm:spec_decode_num_draft_tokens_total', 'counter', 'Number of draft tokens.', (e) => e.metrics.specDraftTokens);
    scalar('vllm:spec_decode_num_accepted_tokens_total', 'counter', 'Number of accepted tokens.', (e) => e.metrics.specAccepted);
    const name = 'vllm:spec_decode_num_accepted_tokens_per_pos_total';
    out.push(`# HELP ${name} Accepted tokens per draft position.`, `# TYPE ${name} counter`);
    for (const e of engines) {
      e.metrics.specAcceptedPerPos.forEach((v, pos) => out.push(`${name}${labels(e, `,position="${pos}"`)} ${v}`));
    }
  }
  histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', (m) => m.ttft);
  histogram('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', (m) => m.itl);
  histogram('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', (m) => m.e2e);
  histogram('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', (m) => m.queue);
  histogram('vllm:request_inference_time_seconds', 'Histogram of time spent in RUNNING phase for request.', (m) => m.inference);
  histogram('vllm:request_prefill_time_seconds', 'Histogram of time spent in PREFILL phase for request.', (m) => m.prefill);
  histogram('vllm:request_decode_time_seconds', 'Histogram of time spent in DECODE phase for request.', (m) => m.decode);
  return out.join('\n') + '\n';
}

function decimals(v: number): number {
  const s = String(v);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}
