/**
 * The fast profiles' minimal Prometheus `/metrics`, in vLLM's names, from what the simulator
 * knows: requests in a serving slot (`vllm:num_requests_running`) and waiting for one
 * (`vllm:num_requests_waiting`), and counters of requests that finished in a slot, their prompt
 * tokens (counted when the request gets its slot) and planned output tokens (counted when it ends).
 * timed-engine.ts keeps the counts.
 */

export interface SimMetrics {
  running: number;
  waiting: number;
  requests: number;
  prompt_tokens: number;
  generation_tokens: number;
}

/** The exposition text of the counts. */
export function metricsText(m: SimMetrics, model: string): string {
  const labels = `{model_name="${model.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"}`;
  const metric = (name: string, type: string, help: string, v: number): string => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name}${labels} ${v}\n`;
  return (
    metric('vllm:num_requests_running', 'gauge', 'Number of requests in a serving slot.', m.running) +
    metric('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting for a serving slot.', m.waiting) +
    metric('vllm:request_success_total', 'counter', 'Requests that finished in a serving slot.', m.requests) +
    metric('vllm:prompt_tokens_total', 'counter', 'Prompt tokens of requests that got a slot.', m.prompt_tokens) +
    metric('vllm:generation_tokens_total', 'counter', 'Planned output tokens of requests that finished.', m.generation_tokens)
  );
}
