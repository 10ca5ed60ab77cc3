/**
 * Simulator profiles: the numbers that shape a simulated model's timing and output. The built-in
 * profiles are documented in docs/simulator.md; tests build their own with `defineProfile`.
 * A profile with an `engine` spec is served by the step-by-step engine model (src/core/sim/engine)
 * instead of the simple slot queue.
 */
import type { EngineSpec } from './engine/cost-model';
import { ENGINE_OPTIONS, engineSpecProblems, isEngineOption, LLAMA3_70B_H100X4, LLAMA3_8B_H100, parseEngineOption } from './engine/options';

/** Where an openai-chat stream puts the thinking text. */
export type ReasoningFormat = 'reasoning_content' | 'reasoning' | 'reasoning_details' | 'think_tags';

export const REASONING_FORMATS: readonly ReasoningFormat[] = ['reasoning_content', 'reasoning', 'reasoning_details', 'think_tags'];

/** openai-responses: which events carry the thinking text. */
export type ResponsesReasoning = 'summary' | 'text';

/** Failures the simulator can produce on demand (header `x-llmload-sim-fault`) or at a seeded rate. */
export type FaultKind =
  | 'http_429'
  | 'http_500'
  | 'http_400'
  | 'reset'
  | 'stall'
  | 'disconnect'
  | 'bad_stream'
  | 'stream_error'
  | 'empty_answer'
  | 'truncated_thinking'
  | 'slow_ttft';

export const FAULT_KINDS: readonly FaultKind[] = [
  'http_429',
  'http_500',
  'http_400',
  'reset',
  'stall',
  'disconnect',
  'bad_stream',
  'stream_error',
  'empty_answer',
  'truncated_thinking',
  'slow_ttft',
];

export interface SimProfile {
  /** Profile name, as given to `target builtin:<name>`. */
  name: string;
  /** Model id listed by GET /v1/models and used when a request names no model. */
  model: string;
  /** Prefill speed: TTFT grows by prompt_tokens / prefill_tokens_per_s seconds. */
  prefill_tokens_per_s: number;
  /** Decode speed of one stream with no other stream decoding. */
  decode_tokens_per_s: number;
  /** Each token's decode delay is scaled by a uniform factor in [1 - jitter, 1 + jitter]. 0..0.95. */
  jitter: number;
  /** Fixed delay (scheduling, first kernel launch) added to the prefill time before the first token. */
  overhead_ms: number;
  /** Inclusive [min, max] of thinking tokens per response (seeded); [0, 0] for a non-reasoning model. */
  thinking_tokens: [number, number];
  /** Inclusive [min, max] of answer tokens per response (seeded). Capped by max_tokens. */
  answer_tokens: [number, number];
  /** Tokens sent per stream chunk (1 = one token per chunk, like vLLM). */
  tokens_per_chunk: number;
  /** Interval of keep-alive comments / pings while the client waits for the first token; 0 = none. */
  keepalive_interval_ms: number;
  /** Each other stream decoding at the same time slows decode by this fraction (0.01 = 1% each). */
  batch_slowdown: number;
  /** Streams served at once; later requests queue (TTFT grows) until a slot frees. 0 = unlimited. */
  max_concurrency: number;
  /** Automatic prefix caching: prompt blocks seen before are not prefilled again and are reported as cached tokens. */
  prefix_caching: boolean;
  /** openai-chat: where thinking text goes (`reasoning_content`, `reasoning`, `reasoning_details`, or `<think>` tags in content). */
  reasoning_format: ReasoningFormat;
  /** Thinking in tags (think_tags mode, completions, tgi): leave out the opening `<think>` (some models start thinking without it). */
  think_tags_omit_open: boolean;
  /** Thinking in tags: send each tag split over two chunks (`</th` + `ink>`), to exercise streaming tag parsers. */
  think_tags_split: boolean;
  /** openai-responses: thinking as reasoning summary events (`summary`, OpenAI) or raw reasoning text events (`text`, vLLM / gpt-oss). */
  responses_reasoning: ResponsesReasoning;
  /** Fraction (0..1) of requests that get each fault, drawn from the simulator's seeded generator. */
  fault_rates: Partial<Record<FaultKind, number>>;
  /** Mid-stream faults (reset, stall, disconnect, bad_stream, stream_error) strike after this many output chunks. */
  fault_after_chunks: number;
  /** Extra prefill time of the `slow_ttft` fault. */
  slow_ttft_ms: number;
  /** Value of the `retry-after` header (seconds) sent with an http_429 fault. */
  retry_after_s: number;
  /**
   * The serving engine model (continuous batching, KV cache, replicas, P/D, quantization,
   * speculative decoding). When set, timing comes from it: prefill_tokens_per_s,
   * decode_tokens_per_s, jitter, overhead_ms, tokens_per_chunk, batch_slowdown and max_concurrency
   * are not used.
   */
  engine?: EngineSpec;
  /**
   * Questions with a known answer (header x-llmload-sim-answer, see answers.ts): the share answered
   * correctly at BF16, 0..1; absent: 0.9 (`builtin:reasoning?accuracy=0.87`). An engine profile's
   * quantization lowers it by its factor when answering (answers.ts answerAccuracy).
   */
  accuracy?: number;
  /**
   * How much overload costs accuracy, 0..1; absent: 0. A question that arrives while requests are
   * queued for the server's slots (or, on an engine profile, waiting in its schedulers) is answered
   * right with `accuracy × (1 − overload_accuracy_drop × pressure)`, pressure being the queued
   * requests per serving slot (engine profiles: per running request), at most 1 (`builtin:chat?max_concurrency=4&overload_accuracy_drop=0.2`).
   */
  overload_accuracy_drop?: number;
}

const CHAT: SimProfile = {
  name: 'chat',
  model: 'sim-chat',
  prefill_tokens_per_s: 4000,
  decode_tokens_per_s: 80,
  jitter: 0.3,
  overhead_ms: 40,
  thinking_tokens: [0, 0],
  answer_tokens: [24, 96],
  tokens_per_chunk: 1,
  keepalive_interval_ms: 500,
  batch_slowdown: 0.01,
  max_concurrency: 256,
  prefix_caching: true,
  reasoning_format: 'reasoning_content',
  think_tags_omit_open: false,
  think_tags_split: false,
  responses_reasoning: 'summary',
  fault_rates: {},
  fault_after_chunks: 3,
  slow_ttft_ms: 10_000,
  retry_after_s: 1,
};

const REASONING: SimProfile = {
  ...CHAT,
  name: 'reasoning',
  model: 'sim-reasoner',
  prefill_tokens_per_s: 3000,
  decode_tokens_per_s: 60,
  overhead_ms: 60,
  thinking_tokens: [24, 64],
  answer_tokens: [16, 56],
  keepalive_interval_ms: 250,
};

/** An engine profile: chat-like output of realistic lengths, timed by the engine model. */
const LLAMA8B: SimProfile = {
  ...CHAT,
  name: 'llama3-8b-h100',
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  // Not used by the engine; the single-stream figures the engine gives at short context.
  prefill_tokens_per_s: 28_000,
  decode_tokens_per_s: 160,
  jitter: 0,
  overhead_ms: 0,
  answer_tokens: [64, 256],
  engine: LLAMA3_8B_H100,
};

const ENGINE_PROFILES: SimProfile[] = [
  LLAMA8B,
  { ...LLAMA8B, name: 'llama3-8b-h100-fp8', model: 'RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8', engine: { ...LLAMA3_8B_H100, quantization: 'fp8' } },
  {
    ...LLAMA8B,
    name: 'llama3-70b-h100x4',
    model: 'meta-llama/Llama-3.1-70B-Instruct',
    prefill_tokens_per_s: 13_000,
    decode_tokens_per_s: 80,
    engine: LLAMA3_70B_H100X4,
  },
  {
    ...LLAMA8B,
    name: 'r1-distill-8b-h100',
    model: 'deepseek-ai/DeepSeek-R1-Distill-Llama-8B',
    thinking_tokens: [300, 1500],
    answer_tokens: [100, 400],
    keepalive_interval_ms: 250,
  },
];

export const PROFILES: Record<string, SimProfile> = {
  chat: CHAT,
  reasoning: REASONING,
  ...Object.fromEntries(ENGINE_PROFILES.map((p) => [p.name, p])),
};

/** A profile built from a base (a name or a profile) with some fields changed; validated. */
/** Changes to a profile: any field, and any subset of the engine spec. */
export type ProfileOverrides = Partial<Omit<SimProfile, 'engine'>> & { engine?: Partial<EngineSpec> };

export function defineProfile(base: string | SimProfile, overrides: ProfileOverrides = {}): SimProfile {
  const from = typeof base === 'string' ? resolveProfile(base) : base;
  const { engine: _engine, ...rest } = overrides;
  return validateProfile({ ...from, ...rest, fault_rates: { ...from.fault_rates, ...overrides.fault_rates }, ...mergeEngine(from, overrides) });
}

/** The profile for a name or object. Throws an Error naming the known profiles when the name is unknown. */
export function resolveProfile(profile: string | SimProfile | undefined): SimProfile {
  if (profile === undefined) return PROFILES.chat;
  if (typeof profile === 'string') {
    const q = profile.indexOf('?');
    const name = q < 0 ? profile : profile.slice(0, q);
    const found = Object.prototype.hasOwnProperty.call(PROFILES, name) ? PROFILES[name] : undefined;
    if (!found) {
      throw new Error(`unknown simulator profile "${name}"; known profiles: ${Object.keys(PROFILES).join(', ')}`);
    }
    return q < 0 ? found : defineProfile(found, parseProfileOverrides(profile.slice(q + 1)));
  }
  // A partial object is completed from the chat profile so callers may pass only what they change.
  return validateProfile({ ...CHAT, ...profile, fault_rates: { ...(profile.fault_rates ?? {}) } });
}

/** Engine options change the base's engine; they need a base that has one. */
function mergeEngine(from: SimProfile, overrides: ProfileOverrides): Partial<SimProfile> {
  if (!overrides.engine) return {};
  if (!from.engine) {
    const names = Object.values(PROFILES).filter((p) => p.engine).map((p) => p.name);
    throw new Error(`invalid simulator profile "${from.name}": engine options (${Object.keys(overrides.engine).join(', ')}) need an engine profile: ${names.join(', ')}`);
  }
  return { engine: { ...from.engine, ...overrides.engine } };
}

function validateProfile(p: SimProfile): SimProfile {
  const problems: string[] = [];
  const positive = (key: keyof SimProfile): void => {
    const v = p[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) problems.push(`${key} must be a number > 0`);
  };
  const nonNegative = (key: keyof SimProfile): void => {
    const v = p[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`${key} must be a number >= 0`);
  };
  const range = (key: 'thinking_tokens' | 'answer_tokens'): void => {
    const r = p[key];
    if (!Array.isArray(r) || r.length !== 2 || !r.every((n) => Number.isInteger(n) && n >= 0) || r[0] > r[1]) {
      problems.push(`${key} must be [min, max] with integers 0 <= min <= max`);
    }
  };
  positive('prefill_tokens_per_s');
  positive('decode_tokens_per_s');
  positive('tokens_per_chunk');
  nonNegative('overhead_ms');
  nonNegative('keepalive_interval_ms');
  nonNegative('batch_slowdown');
  nonNegative('max_concurrency');
  nonNegative('fault_after_chunks');
  nonNegative('slow_ttft_ms');
  nonNegative('retry_after_s');
  range('thinking_tokens');
  range('answer_tokens');
  if (!(p.jitter >= 0 && p.jitter <= 0.95)) problems.push('jitter must be between 0 and 0.95');
  for (const key of ['prefix_caching', 'think_tags_omit_open', 'think_tags_split'] as const) {
    if (typeof p[key] !== 'boolean') problems.push(`${key} must be true or false`);
  }
  if (p.responses_reasoning !== 'summary' && p.responses_reasoning !== 'text') problems.push('responses_reasoning must be summary or text');
  if (p.accuracy !== undefined && !(typeof p.accuracy === 'number' && p.accuracy >= 0 && p.accuracy <= 1)) problems.push('accuracy must be between 0 and 1');
  if (p.overload_accuracy_drop !== undefined && !(typeof p.overload_accuracy_drop === 'number' && p.overload_accuracy_drop >= 0 && p.overload_accuracy_drop <= 1)) problems.push('overload_accuracy_drop must be between 0 and 1');
  if (!REASONING_FORMATS.includes(p.reasoning_format)) {
    problems.push(`reasoning_format must be one of ${REASONING_FORMATS.join(', ')}`);
  }
  for (const [kind, rate] of Object.entries(p.fault_rates)) {
    if (!FAULT_KINDS.includes(kind as FaultKind)) problems.push(`fault_rates: unknown fault "${kind}"`);
    else if (!(typeof rate === 'number' && rate >= 0 && rate <= 1)) problems.push(`fault_rates.${kind} must be 0..1`);
  }
  if (p.engine !== undefined) problems.push(...engineSpecProblems(p.engine));
  if (problems.length > 0) throw new Error(`invalid simulator profile "${p.name}": ${problems.join('; ')}`);
  return p;
}

const NUMBER_FIELDS = [
  'prefill_tokens_per_s',
  'decode_tokens_per_s',
  'jitter',
  'overhead_ms',
  'tokens_per_chunk',
  'keepalive_interval_ms',
  'batch_slowdown',
  'max_concurrency',
  'fault_after_chunks',
  'slow_ttft_ms',
  'retry_after_s',
  'accuracy',
  'overload_accuracy_drop',
] as const;
const RANGE_FIELDS = ['thinking_tokens', 'answer_tokens'] as const;
const BOOLEAN_FIELDS = ['think_tags_omit_open', 'think_tags_split', 'prefix_caching'] as const;

/**
 * Profile changes written as a query string, for `builtin:reasoning?decode_tokens_per_s=20&fault.reset=0.05`:
 * numbers, ranges as `min-max` (or one number), booleans as true/false, `reasoning_format`,
 * `responses_reasoning`, `model`, and `fault.<kind>=<rate>`. Throws an Error naming a bad key or value.
 */
export function parseProfileOverrides(query: string): ProfileOverrides {
  const out: Record<string, unknown> = {};
  const faults: Partial<Record<FaultKind, number>> = {};
  const engine: Partial<EngineSpec> = {};
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1)).trim();
    const bad = (what: string): Error => new Error(`simulator profile option ${key}=${value}: ${what}`);
    if (key.startsWith('fault.')) {
      const kind = key.slice(6) as FaultKind;
      if (!FAULT_KINDS.includes(kind)) throw bad(`unknown fault; known faults: ${FAULT_KINDS.join(', ')}`);
      const rate = Number(value);
      if (value === '' || !Number.isFinite(rate)) throw bad('the rate must be a number 0..1');
      faults[kind] = rate;
    } else if ((NUMBER_FIELDS as readonly string[]).includes(key)) {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) throw bad('must be a number');
      out[key] = n;
    } else if ((RANGE_FIELDS as readonly string[]).includes(key)) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(value);
      if (!m) throw bad('must be N or MIN-MAX');
      out[key] = [Number(m[1]), Number(m[2] ?? m[1])];
    } else if ((BOOLEAN_FIELDS as readonly string[]).includes(key)) {
      if (value !== 'true' && value !== 'false' && value !== '') throw bad('must be true or false');
      out[key] = value !== 'false';
    } else if (key === 'reasoning_format' || key === 'responses_reasoning' || key === 'model') {
      out[key] = value;
    } else if (isEngineOption(key)) {
      try {
        parseEngineOption(key, value, engine);
      } catch (e) {
        throw bad((e as Error).message);
      }
    } else {
      const known = [...NUMBER_FIELDS, ...RANGE_FIELDS, ...BOOLEAN_FIELDS, 'reasoning_format', 'responses_reasoning', 'model', 'fault.<kind>', ...ENGINE_OPTIONS];
      throw new Error(`unknown simulator profile option "${key}"; known options: ${known.join(', ')}`);
    }
  }
  if (Object.keys(faults).length > 0) out.fault_rates = faults;
  if (Object.keys(engine).length > 0) out.engine = engine;
  return out as ProfileOverrides;
}
