/**
 * Which words are valid where, with a one-line description each. The parser uses these for
 * "did you mean" and for placing misplaced lines; the editor can use them for completion and hover.
 */
import type { ApiKind, Metric, Stat } from './plan';

export type Context = 'top' | 'prompt' | 'jsonl' | 'sharegpt' | 'synthetic' | 'math500' | 'arithmetic' | 'step' | 'stages' | 'expect' | 'sse' | 'websocket';

export const TOP_KEYWORDS: Record<string, string> = {
  scenario: 'The scenario title: scenario "Chat under load"',
  target: 'Where requests go: a URL, or builtin:PROFILE for the built-in simulator',
  api: 'The wire protocol: openai-chat, openai-completions, openai-responses, anthropic, ollama, tgi, sse, websocket',
  model: 'The model name sent in each request',
  tokenizer: 'The tokenizer used to count tokens (a Hugging Face model id or a local path)',
  context: "The model's context window in tokens, checked against each prompt plus max_tokens: context 128k",
  timeout: 'Request timeouts: timeout 60s (total), timeout ttft 10s, timeout stall 5s; timeout ready 2m: longest wait for the target to be ready',
  header: 'An HTTP header sent with every request: header NAME VALUE',
  key: 'The API key sent as a bearer token: key ${secret:OPENAI_API_KEY}',
  var: 'A variable used as ${NAME}: var NAME VALUE',
  seed: 'Seed for prompt choice and arrivals, for repeatable runs',
  prompt: 'A prompt: prompt "name" [weight N], then indented turns and request parameters',
  dataset: 'Prompts from a dataset: dataset jsonl PATH, dataset sharegpt PATH, dataset synthetic, dataset math500 PATH, dataset arithmetic',
  load: 'The load shape: users, step, stages, rate or replay',
  warmup: 'Requests not counted in results: warmup 30s or warmup 20 requests',
  stop: 'Ends the run early: stop after 10m, stop after 1000 requests, stop errors > 5%',
  think: "A user's pause between two requests: think 500ms",
  buckets: 'Token count bounds results are grouped by: buckets 4k 16k 32k',
  trace: 'Which requests keep every packet: trace first 200, trace all, trace failures',
  expect: 'SLO checks, one per indented line: ttft p95 < 2s',
  think_tags: 'How <think> tags in answer text split thinking from answer: think_tags <think> </think> [auto|starts_in_thinking|starts_in_answer], or think_tags off',
  length: 'An answer cut at max_tokens (finish reason length): length warns (default) or length fails',
  backoff: 'Waits after failures that got no answer (refused, 429, 502-504): backoff 100ms..10s (default), backoff 100ms..10s skip (open loop skips arrivals while down), or backoff off',
  keep_alive: 'Whether HTTP connections are reused between requests: keep_alive on (default) or keep_alive off (a fresh connection each time)',
  server: 'Scrapes the server\'s Prometheus metrics during the run: server metrics http://127.0.0.1:8000/metrics every 1s (builtin targets are scraped anyway)',
  sse: 'For api sse: the endpoint path, request body template and JSON paths of each event, indented below',
  websocket: 'For api websocket: the message template and JSON paths of each message, indented below',
};

const PARAMS: Record<string, string> = {
  max_tokens: 'Most output tokens per request: max_tokens 512',
  temperature: 'Sampling temperature, 0 to 2',
  top_p: 'Nucleus sampling mass, above 0 up to 1',
  stop: 'Stop sequences: stop "\\n\\n" "END"',
  body: 'Raw JSON merged into the request body: body {"top_k": 40}',
};

const TURNS: Record<string, string> = {
  system: 'A system turn: text on the line, an indented block, a """ block, or @file PATH',
  user: 'A user turn: text on the line, an indented block, a """ block, or @file PATH',
  assistant: 'An assistant turn: text on the line, an indented block, a """ block, or @file PATH',
};

const SAMPLING: Record<string, string> = {
  sample: 'Use N records of the dataset',
  shuffle: 'Shuffle the records before sampling',
  seed: 'Seed for shuffle and sample',
};

/** Accuracy lines of datasets with answers (docs/accuracy.md). */
const GRADING: Record<string, string> = {
  grader: 'How answers are graded: grader math, exact, number, choice or regex (default math for \\boxed{} or LaTeX answers, else exact)',
  bad_records: 'A record that cannot be read: bad_records fail (default: the run does not start) or bad_records skip (left out, each one noted)',
};

/** JSON paths into each event or message of a generic streaming API, with an example each. */
export const MAPPING_PATHS: Record<string, { description: string; example: string }> = {
  answer: { description: 'JSON path of the answer text (default choices[0].delta.content)', example: 'token.text' },
  thinking: { description: "JSON path of the thinking text (default the OpenAI delta's reasoning fields)", example: 'choices[0].delta.reasoning_content' },
  tool_call: { description: 'JSON path that holds a tool call when present (default choices[0].delta.tool_calls)', example: 'choices[0].delta.tool_calls' },
  finish_reason: { description: 'JSON path of the finish reason (default choices[0].finish_reason)', example: 'details.finish_reason' },
  id: { description: 'JSON path of the response id (default id)', example: 'id' },
  error: { description: 'JSON path that holds an error when present and not null (default error)', example: 'error' },
  done: { description: 'JSON path that is truthy in the last event (default none: only done_data ends the stream)', example: 'details' },
  'usage.prompt_tokens': { description: 'JSON path of the prompt token count (default usage.prompt_tokens)', example: 'usage.prompt_tokens' },
  'usage.completion_tokens': { description: 'JSON path of the output token count (default usage.completion_tokens)', example: 'usage.completion_tokens' },
  'usage.reasoning_tokens': { description: 'JSON path of the reasoning token count (default usage.completion_tokens_details.reasoning_tokens)', example: 'usage.reasoning_tokens' },
  'usage.cached_tokens': { description: 'JSON path of the cached prompt token count (default usage.prompt_tokens_details.cached_tokens)', example: 'usage.cached_tokens' },
};

const MAPPING: Record<string, string> = {
  ...Object.fromEntries(Object.entries(MAPPING_PATHS).map(([k, v]) => [k, v.description])),
  done_data: 'Raw event data that ends the stream (default [DONE])',
};

/** Placeholders a body or message template may hold. */
export const TEMPLATE_PLACEHOLDERS = ['messages', 'prompt', 'model', 'max_tokens', 'temperature', 'top_p', 'seed', 'stop'] as const;

/** `think_tags` modes and what each sets starts_in_thinking to. */
export const THINK_TAG_MODES: Record<string, boolean | 'auto'> = { auto: 'auto', starts_in_thinking: true, starts_in_answer: false };

export const CONTEXT_KEYWORDS: Record<Context, Record<string, string>> = {
  top: TOP_KEYWORDS,
  prompt: { ...TURNS, ...PARAMS, seed: 'Sampling seed sent with the request' },
  jsonl: { ...TURNS, answer: 'The expected answer, for accuracy grading: answer {{field}}', ...PARAMS, ...SAMPLING, ...GRADING },
  math500: { ...PARAMS, ...SAMPLING, ...GRADING },
  arithmetic: {
    count: 'How many problems to generate (default 100)',
    levels: 'Difficulty levels to draw from, 1 to 4: levels 1..3 (default 1..4)',
    grader: GRADING.grader,
    seed: 'Seed for the generated problems',
    ...PARAMS,
  },
  sharegpt: { ...PARAMS, ...SAMPLING },
  synthetic: {
    input: 'Input length: input 16k..32k tokens',
    output: 'Output length (sets max_tokens): output 256 tokens',
    shared_prefix: 'Tokens every prompt starts with: shared_prefix 4k tokens',
    count: 'How many distinct prompts to generate (default 100)',
    unique: 'Every request gets a prompt no earlier request had (a per-request nonce after the shared prefix): prefill is never served from the prefix cache',
    temperature: PARAMS.temperature,
    top_p: PARAMS.top_p,
    stop: PARAMS.stop,
    body: PARAMS.body,
    seed: 'Seed for the generated text',
  },
  step: {
    start: 'Users at the start: start 2 users',
    add: 'Users added per step: add 2 users every 30s',
    max: 'Most users: max 16 users',
    hold: 'How long to hold at max: hold 1m',
  },
  stages: {
    ramp: 'ramp to N users over D, or ramp to R qpm over D',
    hold: 'Keep the last level: hold D',
  },
  expect: {},
  sse: {
    path: 'The endpoint path added to the target URL: path /generate_stream (default none: the target is the endpoint)',
    body: 'The request body template, JSON with {{messages}}, {{prompt}}, {{model}}, {{max_tokens}}... (default OpenAI chat)',
    ...MAPPING,
  },
  websocket: {
    message: 'The message sent when the socket opens, JSON with {{messages}}, {{prompt}}, {{model}}, {{max_tokens}}... (default OpenAI chat)',
    ...MAPPING,
  },
};

export const API_KINDS: readonly ApiKind[] = [
  'openai-chat',
  'openai-completions',
  'openai-responses',
  'anthropic',
  'ollama',
  'tgi',
  'sse',
  'websocket',
];

export const LOAD_SHAPES = ['users', 'step', 'stages', 'rate', 'replay'] as const;
export const DATASET_FORMATS = ['jsonl', 'sharegpt', 'synthetic', 'math500', 'arithmetic'] as const;

export const METRICS: Record<Metric, { description: string; distribution: boolean }> = {
  ttft: { description: 'Time to first output packet, thinking included', distribution: true },
  ttfa: { description: 'Time to first answer packet', distribution: true },
  e2e: { description: 'Request sent to stream done', distribution: true },
  token_rate: { description: 'Output tokens per second within one stream', distribution: true },
  itl: { description: 'Gap between two output packets', distribution: true },
  qpm: { description: 'Completed requests per minute', distribution: false },
  rps: { description: 'Completed requests per second', distribution: false },
  success: { description: 'Share of requests that succeeded', distribution: false },
  error_rate: { description: 'Share of requests that failed', distribution: false },
  accuracy: { description: 'Share of graded answers that were right', distribution: false },
  server: { description: "A figure of the server's own metrics: server kv_cache_usage max < 90%, server preemptions == 0, server queue p95 < 500ms", distribution: false },
};

export const STATS: readonly Stat[] = ['p50', 'p90', 'p95', 'p99', 'p99.9', 'mean', 'max', 'min'];
export const COMPARISONS = ['<', '<=', '>', '>=', '=='] as const;

/** The contexts, other than `here`, in which `word` is a keyword. */
export function contextsOf(word: string, here: Context): Context[] {
  return (Object.keys(CONTEXT_KEYWORDS) as Context[]).filter((c) => c !== here && Object.hasOwn(CONTEXT_KEYWORDS[c], word));
}
