/**
 * What the CI outputs (the JUnit file, the Markdown job summary) show of a run: the verdict, each
 * expectation with its actual value and its limit, and the headline figures. Pure: a summary in,
 * plain values out; the JUnit and Markdown writers only format them.
 */
import { formatValue, runVerdict, type RunVerdict } from '../metrics/expectations';
import type { Percentiles } from '../metrics/histogram';
import type { Summary } from '../metrics/summary';
import { goodputText } from '../viewmodel/goodput-card';

/** The parts of summary.json the CI outputs read (a saved run folder of an older version may lack the optional ones). */
export type CiSummary = Pick<Summary, 'scenario' | 'target' | 'model' | 'started_at' | 'duration_s' | 'ended_by' | 'requests' | 'success_rate' | 'qpm' | 'expectations'> &
  Partial<Pick<Summary, 'file' | 'api' | 'ttft_ms' | 'ttfa_ms' | 'token_rate' | 'outage_totals' | 'goodput' | 'sweep'>>;

export interface CiExpectationRow {
  /** The expect line as written, e.g. `ttft p95 < 2s`. */
  text: string;
  state: 'pass' | 'fail' | 'not judged';
  /** The measured value as a person reads it (`1.23s`, `99.50%`), or `not measured`. */
  actual: string;
  /** The comparison and the value it is held to, as written (`< 2s`); null when the line has no comparison. */
  limit: string | null;
}

export interface CiRunData {
  verdict: RunVerdict;
  rows: CiExpectationRow[];
  figures: CiFigure[];
}

export interface CiFigure {
  /** What it is, e.g. `TTFT`. */
  name: string;
  /** p50 and p95 for a distribution; `value` alone for a single figure. */
  p50?: string;
  p95?: string;
  value?: string;
}

/**
 * The limit an expect line sets: its last comparison and what follows it (`ttft p95 < 2s` → `< 2s`,
 * `server kv_cache_usage p95 <= 90%` → `<= 90%`). The text is what summary.json keeps, so a saved
 * run folder gives the same answer as the run itself.
 */
export function expectationLimit(text: string): string | null {
  const m = /(<=|>=|==|<|>)\s*([^<>=]*?)\s*$/.exec(text);
  if (!m || m[2] === '') return null;
  return `${m[1]} ${m[2]}`;
}

const pct = (p: Percentiles | undefined, k: 'p50' | 'p95', metric: 'ttft' | 'token_rate'): string => (p && p[k] !== null ? formatValue(metric, p[k]) : '-');

function outagesText(s: CiSummary): string {
  const t = s.outage_totals;
  if (!t || t.outages === 0) return 'none';
  return `${t.outages} (down ${(t.down_ms / 1000).toFixed(1)}s, ${t.failed} failed with no answer)`;
}

/** The run's verdict (a stopped run or one that ended on an error is never PASS), its expectation rows and headline figures. */
export function ciRunData(s: CiSummary, opts: { error?: string } = {}): CiRunData {
  const verdict = runVerdict(s, { error: opts.error });
  const rows = verdict.expectations.map((e) => ({ text: e.text, state: e.state, actual: e.actual_text, limit: expectationLimit(e.text) }));
  const figures: CiFigure[] = [
    { name: 'TTFT', p50: pct(s.ttft_ms, 'p50', 'ttft'), p95: pct(s.ttft_ms, 'p95', 'ttft') },
    { name: 'TTFA', p50: pct(s.ttfa_ms, 'p50', 'ttft'), p95: pct(s.ttfa_ms, 'p95', 'ttft') },
    { name: 'token rate', p50: pct(s.token_rate, 'p50', 'token_rate'), p95: pct(s.token_rate, 'p95', 'token_rate') },
    { name: 'QPM', value: Number.isFinite(s.qpm) ? s.qpm.toFixed(1) : '-' },
    { name: 'success', value: formatValue('success', s.success_rate) === 'not measured' ? '-' : formatValue('success', s.success_rate) },
    { name: 'requests', value: `${s.requests.total} (ok ${s.requests.ok}, failed ${s.requests.failed}${s.requests.cancelled ? `, cancelled ${s.requests.cancelled}` : ''})` },
    { name: 'outages', value: outagesText(s) },
    ...(s.goodput ? [{ name: 'goodput', value: goodputText(s.goodput, { conditions: false })! }] : []),
  ];
  return { verdict, rows, figures };
}

/** The figures as plain lines (`TTFT p50 12.0ms, p95 30.1ms`), for a text block. */
export function figureLines(figures: readonly CiFigure[]): string[] {
  return figures.map((f) => (f.value !== undefined ? `${f.name}: ${f.value}` : `${f.name}: p50 ${f.p50}, p95 ${f.p95}`));
}
