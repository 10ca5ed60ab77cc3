/**
 * A sweep's verdict follows its capacity, not the whole run. The SLO lines are what the sweep
 * searches with: each is judged per step (capacity.ts), and the step above the capacity breaking
 * it is the point of a sweep, not a failure. So in a sweep run's summary.json `expectations`:
 * - an SLO line (a per-step metric) holds when the sweep found a capacity; its actual value is the
 *   one at the capacity, with where it broke. With no capacity it fails: `no level met the SLOs: at
 *   1 user TTFT p95 was 2.50s > 2s`.
 * - a `capacity` line (`capacity >= 8 users`) is judged on the capacity found; none fails it.
 * - a line no step can judge (itl, accuracy, server metrics, goodput) keeps its whole-run value.
 * Every place that shows a verdict (CLI, panel, JUnit, Markdown, exit code) reads `expectations`,
 * so they all follow; `verdict_basis: "capacity"` says the run was judged this way.
 */
import type { Expectation } from '../scenario/plan';
import { PER_STEP_METRICS, type SweepStepFigures, type SweepSummary } from './capacity';
import { levelText, sloLabel } from './capacity-text';
import { compare, type ExpectationResult } from './expectations';

/** What summary.json's `verdict_basis` says of a sweep run. */
export const SWEEP_VERDICT_BASIS = 'capacity';

/** `TTFT p95 was 2.50s > 2s`: why a step broke one SLO. */
function brokeText(r: ExpectationResult): string {
  const m = /^(\S+)(.*?)\s(<=|>=|==|<|>)\s(.+)$/.exec(r.text.trim());
  if (!m || r.actual === null) return `${r.text} was ${r.actual_text}`;
  const opposite: Record<string, string> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=' };
  return `${sloLabel(m[1]!)}${m[2]} was ${r.actual_text} ${opposite[m[3]!]} ${m[4]}`;
}

/** Why no level is the capacity, in words: the lowest measured step's broken SLOs, or its saturation. */
export function noCapacityText(s: SweepSummary): string {
  const lv = (x: number): string => levelText(s.over, x);
  const first = s.steps.find((x) => x.requests > 0);
  if (!first) return 'no level was measured (no step finished a request)';
  const broken = first.slos.filter((x) => !x.pass);
  if (broken.length > 0) return `no level met the SLOs: at ${lv(first.level)} ${broken.map(brokeText).join(', ')}`;
  const sat = s.saturated_at;
  if (sat) return `no level met the SLOs below saturation: at ${lv(sat.level)} ${sat.why}`;
  return `no level met every SLO (lowest measured: ${lv(first.level)})`;
}

function sloAtCapacity(i: number, s: SweepSummary, cap: SweepStepFigures, e: Expectation): ExpectationResult {
  const at = cap.slos[i];
  const lv = (x: number): string => levelText(s.over, x);
  // The first level above the capacity where this SLO broke, if one was measured.
  const above = s.steps.filter((x) => x.level > cap.level && x.slos[i] && !x.slos[i]!.pass).sort((a, b) => a.level - b.level)[0];
  const where = `at the capacity, ${lv(cap.level)}${above ? `; broke at ${lv(above.level)} (${above.slos[i]!.actual_text})` : ''}`;
  return { text: e.text, pass: true, actual: at?.actual ?? null, actual_text: `${at?.actual_text ?? 'not measured'} ${where}` };
}

/**
 * The expectations of a sweep run, in the scenario's order: `runWide` is each line judged over the
 * whole run (summary.ts), kept for the lines no step can judge.
 */
export function sweepExpectations(list: readonly Expectation[], runWide: readonly ExpectationResult[], s: SweepSummary): ExpectationResult[] {
  const cap = s.capacity ? s.steps[s.capacity.step] : undefined;
  const perStep = list.filter((e) => PER_STEP_METRICS.has(e.metric));
  return list.map((e, k) => {
    if (e.metric === 'capacity') {
      const actual = cap ? cap.level : null;
      const pass = actual !== null && compare(actual, e.op, e.value);
      return { text: e.text, pass, actual, actual_text: cap ? levelText(s.over, cap.level) : `none (${noCapacityText(s)})` };
    }
    if (!PER_STEP_METRICS.has(e.metric)) return runWide[k] ?? { text: e.text, pass: false, actual: null, actual_text: 'not measured' };
    const i = perStep.indexOf(e);
    if (cap) return sloAtCapacity(i, s, cap, e);
    const first = s.steps.find((x) => x.requests > 0);
    const r = first?.slos[i];
    return { text: e.text, pass: false, actual: r?.actual ?? null, actual_text: noCapacityText(s) };
  });
}

/** Sets a sweep run's verdict (see above) on its summary: `expectations` and `verdict_basis`. */
export function applySweepVerdict(summary: { expectations: ExpectationResult[]; sweep?: SweepSummary; verdict_basis?: string }, list: readonly Expectation[]): void {
  if (!summary.sweep) return;
  summary.expectations = sweepExpectations(list, summary.expectations, summary.sweep);
  summary.verdict_basis = SWEEP_VERDICT_BASIS;
}
