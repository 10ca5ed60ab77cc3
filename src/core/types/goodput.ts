/**
 * Goodput (DistServe): the requests that met every per-request SLO the scenario names. The
 * `expect` block declares the conditions (`goodput ttft < 1s and tpot < 50ms`) and may check the
 * result (`goodput rps >= 5`, `goodput share >= 90%`). Types only: the parser lives in
 * scenario/blocks/goodput-line.ts, the counting in metrics/goodput.ts.
 */

/** A figure one request has in requests.jsonl, that a goodput condition can bound. */
export type GoodputFigure = 'ttft' | 'ttfa' | 'tpot' | 'e2e' | 'token_rate' | 'output_tokens';

/** The figures, in the order the docs and messages list them, with their unit. */
export const GOODPUT_FIGURES: Record<GoodputFigure, { unit: 'ms' | 'tokens/s' | 'tokens'; description: string }> = {
  ttft: { unit: 'ms', description: 'time to the first output packet, thinking included' },
  ttfa: { unit: 'ms', description: 'time to the first answer packet' },
  tpot: { unit: 'ms', description: 'time per output token after the first: (e2e − ttft) / (output_tokens − 1)' },
  e2e: { unit: 'ms', description: 'request sent to stream done' },
  token_rate: { unit: 'tokens/s', description: 'output tokens per second within the stream' },
  output_tokens: { unit: 'tokens', description: 'output tokens of the request' },
};

export type GoodputBound = '<' | '<=' | '>' | '>=';

/** One condition a good request meets; `value` in ms for times, tokens/s for token_rate, tokens for output_tokens. */
export interface GoodputCondition {
  figure: GoodputFigure;
  op: GoodputBound;
  value: number;
}

/** The scenario's goodput definition. */
export interface GoodputPlan {
  /** The conditions as written, e.g. `ttft < 1s and tpot < 50ms`. */
  text: string;
  conditions: GoodputCondition[];
}

/** A figure of the run's goodput that an expectation can check (`goodput rps >= 5`). */
export type GoodputMeasure = 'requests' | 'rps' | 'tokens_per_s' | 'share';

export const GOODPUT_MEASURES: Record<GoodputMeasure, string> = {
  requests: 'successful requests that met every condition',
  rps: 'good requests per second',
  tokens_per_s: 'output tokens per second of the good requests',
  share: 'good requests over every finished request, failed ones included',
};

/** summary.json `goodput`. */
export interface GoodputSummary {
  /** The conditions as written in the scenario. */
  conditions: string;
  /** The same, parsed (base units), so that compare can recount requests.jsonl. */
  checks: GoodputCondition[];
  /** Successful requests that met every condition. */
  requests: number;
  /** The denominator of `share`: every finished request, ok or failed (warmup and cancelled left out). */
  of: number;
  rps: number;
  tokens_per_s: number;
  /** requests / of, 0..1; null when no request finished. */
  share: number | null;
}
