/** Evaluates the scenario's `expect` lines against a run's summary. */
import type { Expectation } from '../scenario/plan';
import type { Percentiles } from './histogram';
import type { ServerMetricsSummary } from '../server-metrics/series';
import { formatServer, measureServer } from '../server-metrics/expect';
import type { GoodputSummary } from '../types/goodput';
import { formatGoodput, measureGoodput } from './goodput';

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
  server_metrics?: ServerMetricsSummary;
  /** Accuracy of one subject, or of `level N` (expect accuracy for ...); null when not measured. */
  accuracyOf?: (group: string) => number | null;
  /** The run's goodput (summary.json `goodput`), when the scenario defines it. */
  goodput?: GoodputSummary;
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
    case 'server':
      return e.server ? measureServer(e.server, f.server_metrics) : null;
    case 'goodput':
      return e.goodput ? measureGoodput(f.goodput, e.goodput) : null;
    case 'capacity':
      // Found by a sweep, not measured over a run: the sweep's verdict judges it (sweep-verdict.ts).
      return null;
  }
}

export function compare(a: number, op: Expectation['op'], b: number): boolean {
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
    case 'server':
    case 'goodput':
    case 'capacity':
      return String(v);
  }
}

export function evaluateExpectations(list: readonly Expectation[], f: MeasuredFigures): ExpectationResult[] {
  return list.map((e) => {
    const actual = measured(e, f);
    const text = e.server ? formatServer(e.server, actual) : e.goodput ? formatGoodput(e.goodput, actual) : formatValue(e.metric, actual);
    return { text: e.text, pass: actual !== null && compare(actual, e.op, e.value), actual, actual_text: text };
  });
}

// ---------- the run's verdict ----------

/**
 * What a run's result says about its expectations, for every place that shows it (the toast, the
 * panel header, the status bar, Test Explorer, the CLI summary). A run a person stopped (the Stop
 * button, Ctrl-C) or that ended on an error is never reported as passing: its figures cover only
 * part of the planned load, so its expectations are not judged. A stop condition the scenario
 * itself sets (`stop after 100 requests`, `stop error_rate > 5%`) is part of the plan: judged.
 */
export type VerdictKind = 'pass' | 'fail' | 'stopped' | 'error' | 'done';

export interface RunVerdict {
  kind: VerdictKind;
  /** PASS, FAIL, STOPPED, ERROR, or DONE (no expectations to judge). */
  label: 'PASS' | 'FAIL' | 'STOPPED' | 'ERROR' | 'DONE';
  /** One sentence, e.g. `2 of 3 expectations hold; 1 failed` or `stopped after 7s of 21s: expectations not judged`. */
  text: string;
  /** False when the expectations were not judged (stopped or error). */
  judged: boolean;
  total: number;
  failed: number;
  /** Each expectation with what is shown beside it: pass, fail, or not judged (with its actual value all the same). */
  expectations: { text: string; state: 'pass' | 'fail' | 'not judged'; actual_text: string }[];
}

/** `ended_by` values that mean a person or a failure ended the run before its plan did. */
const INTERRUPTED = new Set(['stopped', 'host disconnected', 'interrupted', 'error']);

export function isInterrupted(endedBy: string | undefined): boolean {
  return endedBy !== undefined && INTERRUPTED.has(endedBy);
}

const secs = (s: number): string => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(0) : s.toFixed(1).replace(/\.0$/, '')) + 's';

export function runVerdict(
  s: { ended_by?: string; duration_s?: number; expectations: readonly ExpectationResult[] },
  opts: { planned_s?: number; error?: string } = {},
): RunVerdict {
  const total = s.expectations.length;
  const interrupted = isInterrupted(s.ended_by) || opts.error !== undefined;
  if (interrupted) {
    const error = opts.error !== undefined || s.ended_by === 'error';
    const when =
      s.duration_s !== undefined
        ? ` after ${secs(s.duration_s)}` + (opts.planned_s !== undefined && Number.isFinite(opts.planned_s) && opts.planned_s > 0 ? ` of ${secs(opts.planned_s)}` : '')
        : '';
    const what = error ? `ended on an error${when}${opts.error ? ` (${opts.error})` : ''}` : `stopped${when}`;
    return {
      kind: error ? 'error' : 'stopped',
      label: error ? 'ERROR' : 'STOPPED',
      text: total ? `${what}: expectations not judged` : what,
      judged: false,
      total,
      failed: 0,
      expectations: s.expectations.map((e) => ({ text: e.text, state: 'not judged', actual_text: e.actual_text })),
    };
  }
  const failed = s.expectations.filter((e) => !e.pass).length;
  const expectations = s.expectations.map((e) => ({ text: e.text, state: e.pass ? ('pass' as const) : ('fail' as const), actual_text: e.actual_text }));
  if (total === 0) return { kind: 'done', label: 'DONE', text: 'no expectations to judge', judged: true, total, failed, expectations };
  if (failed > 0) return { kind: 'fail', label: 'FAIL', text: `${failed} of ${total} expectation(s) failed`, judged: true, total, failed, expectations };
  return { kind: 'pass', label: 'PASS', text: total === 1 ? 'the expectation holds' : `all ${total} expectations hold`, judged: true, total, failed, expectations };
}
