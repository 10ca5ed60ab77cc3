/**
 * Grading during a run, on the run's main thread (never on a load thread, whose event loop times
 * packets): each finished request whose prompt has an expected answer gets `grade` {verdict,
 * expected, extracted}, and the verdicts are tallied for summary.json's `accuracy`. The answer text
 * travels from the load thread in the record's transient `graded_text`, which is removed here, before
 * the record is written. Thinking text is never graded. Failed requests are not graded.
 */
import type { RequestRecord } from '../metrics/record';
import type { LoadPlan, PromptPlan, RunPlan } from '../scenario/plan';
import { AccuracyTally, type AccuracySummary } from './accuracy';
import { gradeAnswer } from './index';
import { symbolicEqual } from './math-symbolic';

/** How long a time slice of `by_time` is: a load step for step loads, else about a tenth of the run. */
export function sliceMs(load: LoadPlan): number {
  if (load.kind === 'step') return load.every_ms;
  if (load.kind === 'sweep') return load.each_ms;
  const total = load.kind === 'users' || load.kind === 'rate' || load.kind === 'burst' ? load.duration_ms : load.kind === 'stages' ? load.stages.reduce((s, x) => s + ('over_ms' in x ? x.over_ms : x.for_ms), 0) : Infinity;
  if (!Number.isFinite(total) || total <= 0) return 10_000;
  const nice = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600].map((s) => s * 1000);
  return nice.find((n) => n >= total / 10) ?? 600_000;
}

export class RunGrading {
  private readonly expected = new Map<string, PromptPlan>();
  private readonly tally: AccuracyTally;

  constructor(plan: RunPlan) {
    for (const p of plan.prompts) if (p.answer !== undefined) this.expected.set(p.name, p);
    // The symbolic engine takes 0.1-0.7 s to set up: do it now, before the load starts, not mid-run.
    if ([...this.expected.values()].some((p) => p.grader === 'math')) symbolicEqual('x+1', '1+x');
    const load = plan.load;
    this.tally = new AccuracyTally({
      buckets: plan.buckets,
      slice_ms: sliceMs(load),
      usersAt: load.kind === 'step' ? (t) => Math.min(load.max, load.start + load.add * Math.floor(t / load.every_ms)) : undefined,
    });
  }

  /** True when some prompt of the run has an expected answer. */
  get active(): boolean {
    return this.expected.size > 0;
  }

  /** Grades the records that carry an answer (in place). */
  grade(records: readonly RequestRecord[]): void {
    for (const r of records) {
      const text = r.graded_text;
      delete r.graded_text;
      const p = this.expected.get(r.prompt);
      if (!p) continue;
      if (r.status !== 'ok') {
        if (!r.warmup && r.error?.kind !== 'cancelled') this.tally.failed();
        continue;
      }
      r.grade = gradeAnswer(p.grader ?? 'exact', text ?? '', p.answer!);
      if (!r.warmup) this.tally.add(r.grade.verdict, { prompt: r.prompt, offset_ms: r.offset_ms, input_tokens: r.input_tokens, subject: p.subject, level: p.level });
    }
  }

  /** summary.json's `accuracy`; undefined when no prompt has an expected answer. */
  summary(): AccuracySummary | undefined {
    return this.active ? this.tally.summary() : undefined;
  }
}
