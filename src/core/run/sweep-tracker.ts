/**
 * A sweep during its run: keeps what each finished request says about its step, decides after each
 * step (once its settle-long grace for late records has passed) whether the sweep goes on, and
 * builds the `sweep` section of summary.json at the end. The rules are in ../load/sweep-control.ts
 * and ../metrics/capacity.ts; this only feeds them.
 */
import type { RecordDigest } from '../metrics/record';
import { capacityOf, kneeOf, PER_STEP_METRICS, stepFigures, type StepSample, type SweepStepFigures, type SweepSummary } from '../metrics/capacity';
import { decideAfterStep, firstSaturated } from '../load/sweep-control';
import { sweepSteps, type SweepStep } from '../load/shapes/sweep';
import type { Expectation, SweepLoad } from '../scenario/plan';

export class SweepTracker {
  private readonly samples: StepSample[] = [];
  private readonly steps: SweepStep[];
  /** Steps judged so far (their decision was to go on), and the decision that ended the sweep. */
  private judged = 0;
  private stop: { by: 'saturated' | 'slo'; why: string; step: number } | undefined;

  constructor(
    private readonly load: SweepLoad,
    private readonly expectations: readonly Expectation[],
  ) {
    this.steps = sweepSteps(load);
  }

  add(r: RecordDigest): void {
    if (r.warmup || r.error?.kind === 'cancelled') return;
    this.samples.push({ offset_ms: r.offset_ms, e2e_ms: r.e2e_ms, ok: r.status === 'ok', ttft_ms: r.ttft_ms, ttfa_ms: r.ttfa_ms, token_rate: r.token_rate, output_tokens: r.output_tokens });
  }

  /**
   * Called now and then with the run's clock (ms from its start): judges each step whose end is at
   * least a settle window (the grace for records still in flight or on their way) in the past.
   * Returns the stop, once, when a step ends the sweep.
   */
  check(now_ms: number): { by: 'saturated' | 'slo'; why: string } | undefined {
    if (this.stop) return undefined;
    const grace = Math.max(200, this.load.settle_ms);
    // The last step needs no decision: the schedule ends there anyway.
    while (this.judged < this.steps.length - 1 && now_ms >= this.steps[this.judged]!.end_ms + grace) {
      const figures = this.steps.slice(0, this.judged + 1).map((s) => stepFigures(s, this.samples, this.expectations));
      const d = decideAfterStep(figures, this.load.over);
      if (d.stop) {
        this.stop = { by: d.by, why: d.why, step: this.judged };
        return d;
      }
      this.judged++;
    }
    return undefined;
  }

  /** The `sweep` section: every step that ran to its end, measured on every record. */
  summary(ended_by: string, duration_ms: number): SweepSummary {
    const last = this.stop ? this.stop.step : this.steps.length - 1;
    const ran = this.steps.filter((s, i) => i <= last && s.end_ms <= duration_ms + 1);
    const steps: SweepStepFigures[] = ran.map((s) => stepFigures(s, this.samples, this.expectations));
    const sat = firstSaturated(steps, this.load.over);
    const stopped_by = this.stop ? this.stop.by : ended_by === 'completed' ? 'completed' : ended_by;
    return {
      over: this.load.over,
      planned_steps: this.steps.length,
      steps,
      capacity: capacityOf(steps, sat?.step),
      knee: kneeOf(steps),
      saturated_at: sat ? { level: steps[sat.step]!.level, step: sat.step, why: sat.why } : null,
      stopped_by,
      ...(this.stop ? { stop_reason: this.stop.why } : {}),
      settle_s: Math.min(this.load.settle_ms, this.load.each_ms / 2) / 1000,
      slo_not_per_step: this.expectations.filter((e) => !PER_STEP_METRICS.has(e.metric) && e.metric !== 'capacity').map((e) => e.text),
    };
  }
}
