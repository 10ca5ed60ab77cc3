/**
 * The validated, typed run plan: what the load engine consumes. The parser produces a syntax tree
 * with diagnostics; the resolver turns a tree without errors into a RunPlan. Every duration is in
 * milliseconds, every rate is per second, every fraction is 0..1.
 */
import type { SseApiConfig, ThinkTagOptions, WebSocketApiConfig } from '../types/protocol-options';
import type { ServerFacts } from '../types/server-facts';
import type { GraderName } from '../grade/types';
import type { GoodputMeasure, GoodputPlan } from '../types/goodput';

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
  /** Longest wait, before the load, for a target that says it is not ready yet (`timeout ready`); default 120 s. */
  ready_ms?: number;
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
  /** The expected answer (from a jsonl dataset's `answer {{field}}`), for accuracy grading. */
  answer?: string;
  /** How `answer` is graded (docs/accuracy.md); absent: exact. */
  grader?: GraderName;
  /** MATH-500 records: the subject and level, for accuracy per subject and level. */
  subject?: string;
  level?: string;
  /** Builtin targets only: the answer the simulator is told (header x-llmload-sim-answer), set when the run starts. */
  sim_answer?: string;
  /** A synthetic `unique` prompt: the span of its first message each request replaces with its own nonce. */
  nonce?: PromptNonce;
  /** A multi-turn session (`session` in a prompt, `sessions` in a sharegpt dataset); `messages` is then its first turn's request. */
  session?: SessionPlan;
}

/**
 * A conversation a virtual user holds (src/core/load/session.ts): turn N+1 sends the preamble,
 * every earlier turn's user message with the model's actual answer to it, then its own user message.
 */
export interface SessionPlan {
  /** Messages that open every turn's request (the system turns). */
  preamble: Message[];
  /** The user message of each turn in order; turns past the last one repeat the last one. */
  users: string[];
  /** Turns per session. */
  turns: number;
  /** Pause between two turns; absent: the scenario's `think`. */
  think_ms?: number;
}

/**
 * Where a request writes its nonce: `messages[0].content.slice(at, end)` holds `length` words from
 * `words` (the placeholder the prompt was counted with); each request writes other words of the
 * same list there, each one token, so the count stays exact. The first word has no leading space
 * when `opening`.
 */
export interface PromptNonce {
  at: number;
  end: number;
  length: number;
  opening: boolean;
  words: string[];
}

/** Accuracy options of a dataset with answers (docs/accuracy.md). */
export interface GradedDataset {
  /** `grader NAME`; absent: math when the answers are LaTeX or boxed, else exact (decided when loaded). */
  grader?: GraderName;
  /** `bad_records skip`: a record that cannot be read is left out (and noted); absent or fail: the run does not start. */
  bad_records?: 'fail' | 'skip';
}

/** Options shared by every dataset: which records are used. */
export interface DatasetSampling {
  /** Use this many records (after shuffling, when shuffle is set); all when absent. */
  sample?: number;
  shuffle: boolean;
  /** Seed for shuffle (and, for synthetic data, for the generated text). */
  seed?: number;
}

/**
 * A source of prompts besides `prompt` blocks. `name` labels its prompts in results; `weight` is the
 * weight of the dataset as a whole, shared among its records, against the weights of prompt blocks.
 * Paths are absolute. jsonl and sharegpt records become prompts through loadDatasetPrompts().
 */
export type DatasetPlan = JsonlDatasetPlan | SharegptDatasetPlan | SyntheticDatasetPlan | Math500DatasetPlan | ArithmeticDatasetPlan;

export interface JsonlDatasetPlan extends DatasetSampling, GradedDataset {
  kind: 'jsonl';
  name: string;
  path: string;
  weight: number;
  /** Message templates over the record's fields: `{{field}}`, `{{a.b}}` for nested fields. */
  messages: Message[];
  /** Template of the expected answer, e.g. `{{answer}}`. */
  answer?: string;
  params: RequestParams;
  body?: Record<string, unknown>;
}

export interface SharegptDatasetPlan extends DatasetSampling {
  kind: 'sharegpt';
  name: string;
  path: string;
  weight: number;
  params: RequestParams;
  body?: Record<string, unknown>;
  /** `sessions [turns N] [think D]`: each conversation is replayed turn by turn with the model's own answers (SessionPlan). */
  sessions?: { turns?: number; think_ms?: number };
}

/** A file in the Hugging Face MATH-500 jsonl format: problem, solution, answer, subject, level, unique_id. */
export interface Math500DatasetPlan extends DatasetSampling, GradedDataset {
  kind: 'math500';
  name: string;
  path: string;
  weight: number;
  params: RequestParams;
  body?: Record<string, unknown>;
}

/** Generated arithmetic problems with exact answers (no file): `dataset arithmetic`. */
export interface ArithmeticDatasetPlan {
  kind: 'arithmetic';
  name: string;
  weight: number;
  count: number;
  /** Difficulty levels drawn from, 1..4. */
  levels: { min: number; max: number };
  seed?: number;
  grader?: GraderName;
  params: RequestParams;
  body?: Record<string, unknown>;
}

/** Random text of the given token lengths; generating it needs a tokenizer (src/core/tokenize). */
export interface SyntheticDatasetPlan {
  kind: 'synthetic';
  name: string;
  weight: number;
  /** Input length in tokens, drawn uniformly from [min, max]; shared_prefix tokens included. */
  input: { min: number; max: number };
  /** Output length in tokens (sets max_tokens), drawn uniformly from [min, max]. */
  output: { min: number; max: number };
  /** Tokens at the start of every prompt that are the same across prompts (0 when absent). */
  shared_prefix: number;
  /** How many distinct prompts to generate. */
  count: number;
  /**
   * `unique`: every request's prompt differs from every earlier one, by a nonce of whole-word
   * tokens right after the shared prefix (see PromptNonce), so no request is served from the prefix
   * cache beyond the shared prefix. Lengths stay exact.
   */
  unique?: boolean;
  seed?: number;
  params: RequestParams;
  body?: Record<string, unknown>;
}

export type LoadPlan =
  | { kind: 'users'; users: number; duration_ms: number }
  | { kind: 'step'; start: number; add: number; every_ms: number; max: number; hold_ms: number }
  | { kind: 'stages'; stages: Stage[] }
  /** duration_ms is Infinity when the run is ended by `stop after N requests` alone (same for users). */
  | { kind: 'rate'; per_s: number; duration_ms: number; arrival: 'poisson' | 'uniform' | 'gamma'; /** gamma: the shape (vLLM's burstiness) */ burstiness?: number }
  /** `load burst N every D for T`: N requests released together every D (open loop); duration_ms as for rate. */
  | { kind: 'burst'; size: number; every_ms: number; duration_ms: number }
  /** from_ms/to_ms: the window of the log replayed, in log time (before speed); its start becomes 0. */
  | { kind: 'replay'; path: string; speed: number; from_ms?: number; to_ms?: number }
  /** `load sweep users|rate FROM..TO step xF|+N each D`: steps of rising load (src/core/load/shapes/sweep.ts); rates per second. */
  | SweepLoad;

/** A sweep's levels run from `from` to `to` (the last level is `to`), each `each_ms` long; `settle_ms` of each step's start is not measured. */
export interface SweepLoad {
  kind: 'sweep';
  over: 'users' | 'rate';
  from: number;
  to: number;
  /** `x2`: times 2 each step; `+4` (users) or `+2/s` (rate, per second): that much more each step. */
  step: { by: 'times' | 'plus'; value: number };
  each_ms: number;
  settle_ms: number;
  /** Rate sweeps: the arrival process. */
  arrival: 'poisson' | 'uniform';
  /**
   * `search` instead of `step`: a binary search (src/core/load/sweep-search.ts) that doubles from
   * `from` until a level fails, then bisects down to `resolution` (users, or per second); `step` is
   * then the doubling (x2).
   */
  search?: { resolution: number };
}

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
  | 'accuracy'
  | 'server'
  | 'goodput'
  /** `expect capacity >= 8 users`: the level a `load sweep` found (src/core/metrics/sweep-verdict.ts). */
  | 'capacity';

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
  /** 0-based line of the expect line in the scenario (as in Range). */
  line: number;
  /** metric `server`: which server figure and statistic (src/core/server-metrics/expect.ts). */
  server?: { name: string; stat?: string };
  /** `accuracy for Algebra` / `accuracy for level 5`: the subject, or `level N` (docs/accuracy.md). */
  group?: string;
  /** metric `goodput`: which figure of the run's goodput (`goodput rps >= 5`; metrics/goodput.ts). */
  goodput?: GoodputMeasure;
  /** metric `capacity`: the unit written (`8 users` or a rate, stored per second); absent for a bare number. */
  capacity?: 'users' | 'rate';
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
  /** The model's context window in tokens (`context 128k`); else the tokenizer's model_max_length. */
  context?: number;
  timeouts: Timeouts;
  headers: Record<string, string>;
  /** Bearer key, already resolved. Never written to results or logs. */
  key?: string;
  prompts: PromptPlan[];
  /** Prompt sources besides the prompt blocks; [] when the scenario has none. */
  datasets: DatasetPlan[];
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
  /** How `<think>` tags in answer text are split (`think_tags`); `false` with `think_tags off`; absent: the default tags, auto. */
  think_tags?: ThinkTagOptions | false;
  /** `api sse`: endpoint path, body template and JSON paths (the `sse` block); absent: OpenAI chat defaults. */
  sse?: SseApiConfig;
  /** `api websocket`: message template and JSON paths (the `websocket` block); absent: OpenAI chat defaults. */
  websocket?: WebSocketApiConfig;
  /** `length fails`: an answer cut at max_tokens (finish reason length) is a failure; absent or false: a warning. */
  length_fails?: boolean;
  /** `backoff BASE..CAP [skip]`: waits after failures that got no answer (src/core/load/backoff.ts); absent: 100ms..10s without skip; `false`: `backoff off`. */
  backoff?: BackoffPlan | false;
  /** `keep_alive off`: false, every HTTP request on a fresh connection closed after its response; absent: connections are reused. */
  keep_alive?: boolean;
  /** `threads N`: this many load threads; absent (or `threads auto`): sized from the load (src/core/run/thread-sizing.ts). */
  threads?: number;
  /** `thread_priority high`: the load threads raise their CPU priority (nice -10, src/core/load/thread-priority.ts); absent: normal. */
  thread_priority?: 'high';
  /** What the checks before the run found about a URL target (readiness, its context limit); set by the run, never by the scenario. */
  server?: ServerFacts;
  /** `server metrics URL [every DURATION]`: the Prometheus endpoint scraped during the run (builtin targets: scraped anyway). */
  server_metrics?: ServerMetricsPlan;
  /** `goodput ttft < 1s and tpot < 50ms` in the expect block: what a good request meets (metrics/goodput.ts). */
  goodput?: GoodputPlan;
}

/** The `server metrics` line (see src/core/server-metrics). */
export interface ServerMetricsPlan {
  url: string;
  every_ms: number;
  /** Metric names the scenario's expectations name outside the common series. */
  raw_names?: string[];
}

/** The `backoff` line: wait bounds, and whether open-loop arrivals are skipped while the target is down. */
export interface BackoffPlan {
  base_ms: number;
  cap_ms: number;
  /** Open-loop and replay loads: skip (and count) arrivals while the target is down, sending one probe per backoff wait. */
  skip: boolean;
}
