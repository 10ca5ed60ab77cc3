/**
 * Regression gates for `llmload compare --fail-if`: `ttft p95 +10%` fails when run B's TTFT p95 is
 * more than 10% above run A's; `token_rate p50 -5%` when B's is more than 5% below; `e2e p99 +200ms`
 * takes an absolute amount in the figure's unit (ms or s for timings). A figure that was not
 * measured in either run crosses its gate.
 */
import { compareValues, PLAIN_FIGURES, TIMING_FIGURES, type Comparison, type Stat } from './compare';

export interface Gate {
  text: string;
  metric: string;
  stat: Stat | '';
  /** +1: fail on an increase beyond the amount; -1: on a decrease. */
  sign: 1 | -1;
  amount: number;
  relative: boolean;
}

export interface GateResult {
  gate: Gate;
  a: number | null;
  b: number | null;
  change: number | null;
  crossed: boolean;
  reason: string;
}

const ALIASES: Record<string, string> = {
  ttft: 'ttft_ms',
  ttfa: 'ttfa_ms',
  e2e: 'e2e_ms',
  latency: 'e2e_ms',
  thinking: 'thinking_ms',
  itl: 'itl_ms',
  token_rate: 'token_rate',
  tokenrate: 'token_rate',
  rate: 'token_rate',
  qpm: 'qpm',
  rps: 'rps',
  output_tokens_per_s: 'output_tokens_per_s',
  throughput: 'output_tokens_per_s',
  success: 'success_rate',
  success_rate: 'success_rate',
  accuracy: 'accuracy',
};

/** Parses one gate; returns an error message for a gate it does not understand. */
export function parseGate(text: string): Gate | { error: string } {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ').replace(/^token rate\b/, 'token_rate').replace(/^success rate\b/, 'success_rate');
  const m = /^([a-z0-9_]+)(?: (p50|p90|p95|p99|max|mean))? ([+-])\s*(\d+(?:\.\d+)?)\s*(%|ms|s)?$/.exec(t);
  if (!m) return { error: `cannot read the gate "${text}": write it as <figure> [p50|p90|p95|p99|max|mean] +N% (or -N%, +N ms), e.g. "ttft p95 +10%"` };
  const [, name, statRaw, signRaw, amountRaw, unit] = m;
  const metric = ALIASES[name!] ?? name!;
  const timing = TIMING_FIGURES.find((f) => f.metric === metric);
  const plain = PLAIN_FIGURES.find((f) => f.metric === metric);
  const accuracy = metric === 'accuracy';
  if (!timing && !plain && !accuracy) {
    return { error: `unknown figure "${name}" in the gate "${text}"; known: ttft, ttfa, e2e, thinking, itl, token_rate, qpm, rps, output_tokens_per_s, success_rate, accuracy` };
  }
  let stat: Stat | '' = '';
  if (timing) stat = (statRaw as Stat | undefined) ?? (metric === 'token_rate' ? 'p50' : 'p95');
  else if (statRaw) return { error: `"${name}" has no percentiles; write it without "${statRaw}"` };
  let amount = Number(amountRaw);
  const relative = unit === '%';
  if (unit === 's' || unit === 'ms') {
    if (!timing || timing.unit !== 'ms') return { error: `"${unit}" applies to timings only, in the gate "${text}"` };
    if (unit === 's') amount *= 1000;
  }
  return { text: text.trim(), metric, stat, sign: signRaw === '+' ? 1 : -1, amount, relative };
}

export function evaluateGate(gate: Gate, cmp: Comparison): GateResult {
  const row = cmp.rows.find((r) => r.metric === gate.metric && r.stat === gate.stat);
  const a = row?.a ?? null;
  const b = row?.b ?? null;
  const d = compareValues(a, b, 'lower');
  if (a === null || b === null) return { gate, a, b, change: null, crossed: true, reason: 'not measured in both runs' };
  // accuracy -2%: two percentage points (what "accuracy dropped 2%" means), not 2% of the value
  const change = gate.relative && gate.metric !== 'accuracy' ? d.rel : d.abs;
  if (change === null) return { gate, a, b, change, crossed: true, reason: 'no relative change from zero' };
  const limit = gate.relative ? gate.amount / 100 : gate.amount;
  const crossed = gate.sign > 0 ? change > limit : change < -limit;
  return { gate, a, b, change, crossed, reason: crossed ? 'crossed' : 'held' };
}
