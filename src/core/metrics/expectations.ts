/** Evaluates the scenario's `expect` lines against a run's summary. */
import type { Expectation } from '../scenario/plan';
import type { Percentiles } from './histogram';

export interface ExpectationResult {
  text: string;
  pass: boolean;
  /** The measured value in the expectation's base unit, or null when it was not measured. */
  actual: number | null;
  /** The measured value as a person reads it, e.g. `1.23s` or `99.5%`. */
  actual_text: string;
}

export interface MeasuredFigures {
  ttft_ms: Percentiles;
  ttfa_ms: Percentiles;
  e2e_ms: Percentiles;
  token_rate: Percentiles;
  itl_ms?: Percentiles;
  qpm: number;
  rps: number;
  success_rate: number | null;
  accuracy?: number | null;
  /** Accuracy of one subject, or of `level N` (expect accuracy for ...); null when not measured. */
  accuracyOf?: (group: string) => number | null;
}

function measured(e: Expectation, f: MeasuredFigures): number | null {
  const pick = (p: Percentiles | undefined): number | null => {
    if (!p) return null;
    const key = (e.stat ?? 'p50') as keyof Percentiles;
    return key in p ? p[key] : null;
  };
  switch (e.metric) {
    case 'ttft':
      return pick(f.ttft_ms);
    case 'ttfa':
      return pick(f.ttfa_ms);
    case 'e2e':
      return pick(f.e2e_ms);
    case 'token_rate':
      return pick(f.token_rate);
    case 'itl':
      return pick(f.itl_ms);
    case 'qpm':
      return f.qpm;
    case 'rps':
      return f.rps;
    case 'success':
      return f.success_rate;
    case 'error_rate':
      return f.success_rate === null ? null : 1 - f.success_rate;
    case 'accuracy':
      if (e.group !== undefined) return f.accuracyOf?.(e.group) ?? null;
      return f.accuracy ?? null;
  }
}

function compare(a: number, op: Expectation['op'], b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
  }
}

export function formatValue(metric: Expectation['metric'], v: number | null): string {
  if (v === null) return 'not measured';
  switch (metric) {
    case 'ttft':
    case 'ttfa':
    case 'e2e':
    case 'itl':
      return v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(1)}ms`;
    case 'token_rate':
      return `${v.toFixed(1)}/s`;
    case 'qpm':
      return `${v.toFixed(1)} qpm`;
    case 'rps':
      return `${v.toFixed(2)} rps`;
    case 'success':
    case 'error_rate':
    case 'accuracy':
      return `${(v * 100).toFixed(2)}%`;
  }
}

export function evaluateExpectations(list: readonly Expectation[], f: MeasuredFigures): ExpectationResult[] {
  return list.map((e) => {
    const actual = measured(e, f);
    return { text: e.text, pass: actual !== null && compare(actual, e.op, e.value), actual, actual_text: formatValue(e.metric, actual) };
  });
}
