/**
 * What the checks before a run found about a URL target: its readiness, the context limit it
 * publishes, the window prompts were checked against. Written by run/ (target-check.ts and the
 * probes it calls), kept in the plan (`plan.server`, plan.json) and the summary (`server`,
 * summary.json); plain shapes here so scenario/ and metrics/ need nothing from run/.
 */

/** What the checks before the run found about the target; `plan.server` in plan.json, `server` in summary.json. */
export interface ServerFacts {
  readiness?: ReadinessResult;
  /** The context limit the server publishes, when it does. */
  limit?: ServerLimit;
  /** The window prompts were checked against: the smaller of the server's and the scenario's. */
  applied_limit?: AppliedLimit;
  /** Prompts over the applied window (or the server's input limit). */
  prompts_over_limit?: number;
}

/** What the check found; recorded in plan.json and summary.json (`server.readiness`). */
export interface ReadinessResult {
  /** False when no endpoint says anything about readiness (or the API has none to ask): the run started unchecked. */
  checked: boolean;
  /** True when an endpoint answered 200. */
  ready: boolean;
  /** The endpoint that said so (`/health`), when checked. */
  endpoint?: string;
  /** From the first probe to the answer, ms. */
  waited_ms: number;
  /** Probes sent. */
  probes: number;
  /** The last not-ready answer seen while waiting (`/health 503 Loading model`), when there was a wait. */
  waited_for?: string;
  /** What the endpoints answered when none said anything (`/health 404, /v1/models 404`). */
  note?: string;
}

export interface ServerLimit {
  /** Tokens one request may hold, prompt and output together (vLLM max_model_len, llama.cpp n_ctx per slot, TGI max_total_tokens). */
  context?: number;
  /** Tokens a prompt alone may hold (TGI max_input_tokens). */
  max_input?: number;
  /** Which server shape it was read from. */
  engine: 'vllm' | 'llama.cpp' | 'tgi';
  /** The endpoint's path (`/props`, `/v1/models`, `/info`). */
  endpoint: string;
  /** For people: `llama.cpp /props n_ctx 4096 per slot`. */
  source: string;
  /** llama.cpp: parallel slots (`-np`); the whole context is shared among them. */
  slots?: number;
}

/** A token limit and where it came from, for people: `the server's limit (llama.cpp /props n_ctx 4096 per slot)`. */
export interface AppliedLimit {
  tokens: number;
  from: 'server' | 'context' | 'model_max_length';
  /** Names the limit in messages. */
  text: string;
}
