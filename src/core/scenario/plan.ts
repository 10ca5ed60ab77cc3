/**
 * The validated, typed run plan: what the load engine consumes. The parser produces a syntax tree
 * with diagnostics; the resolver turns a tree without errors into a RunPlan. Every duration is in
 * milliseconds, every rate is per second, every fraction is 0..1.
 */

export type ApiKind =
  | 'openai-chat'
  | 'openai-completions'
  | 'openai-responses'
  | 'anthropic'
  | 'ollama'
  | 'tgi'
  | 'sse'
  | 'websocket';

export type Target =
  | { kind: 'builtin'; profile: string }
  | { kind: 'url'; url: string };

export interface Timeouts {
  /** Whole request, sent to done. */
  total_ms: number;
  /** Sent to first output packet (thinking or answer). */
  ttft_ms?: number;
  /** Longest gap between two packets. */
  stall_ms?: number;
}

export type Role = 'system' | 'user' | 'assistant';

export interface Message {
  role: Role;
  content: string;
}

export interface RequestParams {
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  seed?: number;
}

export interface PromptPlan {
  name: string;
  weight: number;
  messages: Message[];
  params: RequestParams;
  /** Raw JSON merged into the request body last. */
  body?: Record<string, unknown>;
}

export type LoadPlan =
  | { kind: 'users'; users: number; duration_ms: number }
  | { kind: 'step'; start: number; add: number; every_ms: number; max: number; hold_ms: number }
  | { kind: 'stages'; stages: Stage[] }
  | { kind: 'rate'; per_s: number; duration_ms: number; arrival: 'poisson' | 'uniform' }
  | { kind: 'replay'; path: string; speed: number };

export type Stage =
  | { kind: 'ramp_users'; to: number; over_ms: number }
  | { kind: 'ramp_rate'; to_per_s: number; over_ms: number }
  | { kind: 'hold'; for_ms: number };

export type Metric =
  | 'ttft'
  | 'ttfa'
  | 'e2e'
  | 'token_rate'
  | 'itl'
  | 'qpm'
  | 'rps'
  | 'success'
  | 'error_rate'
  | 'accuracy';

export type Stat = 'p50' | 'p90' | 'p95' | 'p99' | 'p99.9' | 'mean' | 'max' | 'min';
export type Comparison = '<' | '<=' | '>' | '>=' | '==';

export interface Expectation {
  /** The line as written, e.g. `ttft p95 < 3s`. */
  text: string;
  metric: Metric;
  /** Absent for metrics with no distribution (qpm, rps, success, error_rate, accuracy). */
  stat?: Stat;
  op: Comparison;
  /** In base units: ms for times, tokens/s for token_rate, per minute for qpm, per s for rps, 0..1 for rates. */
  value: number;
  line: number;
}

export type TracePlan = { mode: 'first'; n: number } | { mode: 'all' } | { mode: 'failures' };

export interface RunPlan {
  /** The scenario's title. */
  scenario: string;
  /** Absolute path of the scenario file ('' when parsed from a string). */
  file: string;
  target: Target;
  api: ApiKind;
  model: string;
  tokenizer?: string;
  timeouts: Timeouts;
  headers: Record<string, string>;
  /** Bearer key, already resolved. Never written to results or logs. */
  key?: string;
  prompts: PromptPlan[];
  load: LoadPlan;
  warmup?: { duration_ms?: number; requests?: number };
  stop?: { after_ms?: number; after_requests?: number; error_rate_above?: number };
  /** A user's pause between two requests. */
  think_ms: number;
  /** Input token bucket bounds, ascending. */
  buckets: number[];
  /** Which requests keep every packet in packets.jsonl; failures are always traced. */
  trace: TracePlan;
  expectations: Expectation[];
  /** Seed for prompt choice and arrivals; fixed when the scenario gives one. */
  seed?: number;
}
