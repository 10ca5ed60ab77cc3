/**
 * A minimal Prometheus `/metrics` for the simulator, in vLLM's names, from what the simulator
 * knows: requests in a serving slot (`vllm:num_requests_running`) and waiting for one
 * (`vllm:num_requests_waiting`), and counters of requests that finished in a slot, their prompt
 * tokens (counted when the request gets its slot) and planned output tokens (counted when it ends).
 * It wraps the core's `prepare` and the engine's `admit` in place, so nothing else changes.
 */
import type { ServerResponse } from 'node:http';
import type { SimCore } from './core';

export interface SimMetrics {
  running: number;
  waiting: number;
  requests: number;
  prompt_tokens: number;
  generation_tokens: number;
}

/** Starts counting on a core; returns the live counts. */
export function instrumentSim(core: SimCore): SimMetrics {
  const m: SimMetrics = { running: 0, waiting: 0, requests: 0, prompt_tokens: 0, generation_tokens: 0 };
  const engine = core.engine;
  const admit = engine.admit.bind(engine);
  // The request being prepared: prepare() always comes right before the response's admit().
  let pending: { prompt: number; output: number } | undefined;
  const prepare = core.prepare.bind(core);
  (core as { prepare: SimCore['prepare'] }).prepare = (...args) => {
    const p = prepare(...args);
    pending = p.kind === 'play' ? { prompt: p.gen.promptTokens, output: p.gen.thinkingTokens + p.gen.answerTokens + p.gen.toolTokens } : undefined;
    return p;
  };
  engine.admit = (start) => {
    const req = pending ?? { prompt: 0, output: 0 };
    pending = undefined;
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    m.waiting++;
    const release = admit(() => {
      if (state !== 'waiting') return;
      state = 'running';
      m.waiting--;
      m.running++;
      m.prompt_tokens += req.prompt;
      start();
    });
    return () => {
      if (state === 'waiting') m.waiting--;
      else if (state === 'running') {
        m.running--;
        m.requests++;
        m.generation_tokens += req.output;
      }
      state = 'done';
      release();
    };
  };
  return m;
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

export function sendMetrics(res: ServerResponse, m: SimMetrics, model: string): void {
  const text = metricsText(m, model);
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
