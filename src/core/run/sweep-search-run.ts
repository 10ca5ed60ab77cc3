/**
 * A `load sweep ... search` during its run: the runner steers the load threads (users, or a rate)
 * probe by probe. Each probe holds its level for the step time; then the load drops to zero until
 * every request sent has ended (so the next probe starts on an idle server, as the steps of a linear
 * sweep start on a settled one), the probe is judged (its SLOs, and saturation next to the highest
 * passing level: ../load/sweep-control.ts), and ../load/sweep-search.ts picks the next level. The
 * `sweep` section of summary.json has the probes as steps in order of level, with the capacity and
 * the search's interval. The linear sweep is ./sweep-tracker.ts.
 */
import type { RecordDigest } from '../metrics/record';
import { kneeOf, PER_STEP_METRICS, stepFigures, type StepSample, type SweepStepFigures, type SweepSummary } from '../metrics/capacity';
import { saturation } from '../load/sweep-control';
import { maxProbes, nextProbe, searchInterval, type SearchPlan } from '../load/sweep-search';
import type { SweepStep } from '../load/shapes/sweep';
import type { Expectation, SweepLoad } from '../scenario/plan';

/** What the runner knows of its load threads when it asks: requests sent so far, and the instant of the oldest thread's last report. */
export interface SweepThreads {
  sent: number;
  reported_ms: number;
}

/** Set the load to `level` (users, or per second) from `at_ms` on the run's clock. */
export interface SweepLevel {
  level: number;
  at_ms: number;
}

export type SweepCommand = { by: string; why: string } | SweepLevel;

/** What the runner calls on a sweep, linear or search. */
export interface SweepRun {
  add(r: RecordDigest): void;
  check(now_ms: number, threads: SweepThreads): SweepCommand | undefined;
  summary(ended_by: string, duration_ms: number): SweepSummary;
}

/** How the load threads follow a sweep: a planned schedule (linear), or levels the runner sets (search). */
export function sweepSteering(load: SweepLoad): 'users' | 'rate' | undefined {
  return load.search ? load.over : undefined;
}

/** The lead given to a rate change, so every thread applies it at the same instant. */
const RATE_LEAD_MS = 20;
/** How long after a change a thread's report surely reflects it. */
const REPORT_AFTER_MS = 60;

interface Probe extends SweepStep {
  passed?: boolean;
  why?: string;
}

export class SweepSearchRun implements SweepRun {
  private readonly samples: StepSample[] = [];
  private readonly probes: Probe[] = [];
  private readonly plan: SearchPlan;
  private received = 0;
  /** The probe running, or the drain after it (load at zero since `idle_from`). */
  private phase: { kind: 'start' } | { kind: 'probe'; probe: Probe } | { kind: 'drain'; probe: Probe; idle_from: number } | { kind: 'done' } = { kind: 'start' };

  constructor(
    private readonly load: SweepLoad,
    private readonly expectations: readonly Expectation[],
  ) {
    this.plan = { over: load.over, from: load.from, to: load.to, step: load.step, search: load.search ?? { resolution: 1 } };
  }

  add(r: RecordDigest): void {
    this.received++;
    if (r.warmup || r.error?.kind === 'cancelled') return;
    this.samples.push({ offset_ms: r.offset_ms, e2e_ms: r.e2e_ms, ok: r.status === 'ok', ttft_ms: r.ttft_ms, ttfa_ms: r.ttfa_ms, token_rate: r.token_rate, output_tokens: r.output_tokens });
  }

  private settle(): number {
    return Math.min(this.load.settle_ms, this.load.each_ms / 2);
  }

  private start(level: number, now_ms: number): SweepLevel {
    const at = now_ms + (this.load.over === 'rate' ? RATE_LEAD_MS : 0);
    const probe: Probe = { index: this.probes.length, level, start_ms: at, end_ms: at + this.load.each_ms, measure_from_ms: at + this.settle() };
    this.probes.push(probe);
    this.phase = { kind: 'probe', probe };
    return { level, at_ms: at };
  }

  /** Judges a probe against the highest passing probe below it. */
  private judge(p: Probe): void {
    const f = this.figures(p);
    if (f.requests === 0) {
      p.passed = false;
      p.why = 'no request finished in the probe';
      return;
    }
    if (!f.slo_met) {
      p.passed = false;
      p.why = f.slos.filter((s) => !s.pass).map((s) => `${s.text} broke (${s.actual_text})`).join(', ');
      return;
    }
    const below = this.probes.filter((q) => q.passed && q.level < p.level).sort((a, b) => b.level - a.level)[0];
    const why = below ? saturation(this.figures(below), f, this.load.over) : this.load.over === 'rate' ? saturation(f, f, 'rate') : undefined;
    p.passed = why === undefined;
    if (why) p.why = `saturated: ${why}`;
  }

  private figures(p: Probe): SweepStepFigures {
    return stepFigures(p, this.samples, this.expectations);
  }

  check(now_ms: number, threads: SweepThreads): SweepCommand | undefined {
    const ph = this.phase;
    if (ph.kind === 'done') return undefined;
    if (ph.kind === 'start') return this.start(nextProbe(this.plan, [])!, now_ms);
    if (ph.kind === 'probe') {
      if (now_ms < ph.probe.end_ms) return undefined;
      const at = now_ms + (this.load.over === 'rate' ? RATE_LEAD_MS : 0);
      this.phase = { kind: 'drain', probe: ph.probe, idle_from: at };
      return { level: 0, at_ms: at };
    }
    // Drained: every thread reported after the load went to zero, and every request it sent has come back.
    const reported = threads.reported_ms >= ph.idle_from + REPORT_AFTER_MS;
    const drained = reported && this.received >= threads.sent;
    if (!drained && now_ms < ph.idle_from + Math.max(this.load.each_ms, 5000)) return undefined;
    this.judge(ph.probe);
    const next = nextProbe(this.plan, this.outcomes());
    if (next !== undefined) return this.start(next, now_ms);
    this.phase = { kind: 'done' };
    const { passed, failed } = searchInterval(this.outcomes());
    if (passed === null) {
      const p = this.probes[0]!;
      return { by: p.why?.startsWith('saturated') ? 'saturated' : 'slo', why: `at ${p.level}: ${p.why ?? 'failed'}` };
    }
    return { by: 'completed', why: failed === null ? `the highest level, ${passed}, passed` : `capacity between ${passed} (passed) and ${failed} (failed)` };
  }

  private outcomes(): Array<{ level: number; passed: boolean }> {
    return this.probes.filter((p) => p.passed !== undefined).map((p) => ({ level: p.level, passed: p.passed! }));
  }

  summary(ended_by: string, duration_ms: number): SweepSummary {
    // A probe cut short by the run's end is left out; one that ran to its end but was not judged yet is judged now.
    const ran = this.probes.filter((p) => p.end_ms <= duration_ms + 1);
    for (const p of ran) if (p.passed === undefined) this.judge(p);
    const order = [...ran].sort((a, b) => a.level - b.level);
    const steps: SweepStepFigures[] = order.map((p) => ({ ...this.figures(p), probe: { order: p.index + 1, passed: p.passed!, ...(p.why ? { why: p.why } : {}) } }));
    const { passed, failed } = searchInterval(ran.map((p) => ({ level: p.level, passed: p.passed! })));
    const capStep = passed === null ? -1 : order.findIndex((p) => p.level === passed);
    const sat = order.findIndex((p) => p.passed === false && p.why?.startsWith('saturated'));
    const first = this.probes[0];
    const lowestFailed = passed === null && first?.passed === false;
    return {
      over: this.load.over,
      planned_steps: maxProbes(this.plan),
      steps,
      capacity: capStep >= 0 ? { level: passed!, step: capStep } : null,
      knee: kneeOf(steps),
      saturated_at: sat >= 0 ? { level: order[sat]!.level, step: sat, why: order[sat]!.why!.replace(/^saturated: /, '') } : null,
      stopped_by: lowestFailed ? (first.why?.startsWith('saturated') ? 'saturated' : 'slo') : ended_by,
      ...(lowestFailed ? { stop_reason: `at ${first.level}: ${first.why}` } : {}),
      settle_s: this.settle() / 1000,
      slo_not_per_step: this.expectations.filter((e) => !PER_STEP_METRICS.has(e.metric) && e.metric !== 'capacity').map((e) => e.text),
      search: { resolution: this.plan.search.resolution, probes: ran.length, passed, failed },
    };
  }
}
