/**
 * The load engine: follows a schedule with closed-loop virtual users or open-loop arrivals, sends
 * each request through a protocol client, and turns each result into a record. It runs in a worker
 * thread (see worker.ts); the caller gets records in batches and never times packets itself.
 */
import { setMaxListeners } from 'node:events';
import type { ProtocolClient, SentRequest } from '../protocols';
import type { TracedRequest } from '../messages';
import { buildRecord, type RequestRecord } from '../metrics/record';
import type { PromptPlan, RunPlan } from '../scenario/plan';
import { createRng } from '../sim/random';
import { arrivals, scheduleFor, usersAt, type ClosedLoopSchedule, type OpenLoopSchedule, type Schedule } from './shape';

export interface EngineEvents {
  record(rec: RequestRecord, trace: TracedRequest | undefined): void;
}

export interface EngineState {
  t_ms: number;
  active_users: number;
  target_users: number;
  in_flight: number;
  sent: number;
}

/** How many finished requests the error-rate stop condition waits for before it may fire. */
const ERROR_RATE_MIN_SAMPLE = 20;

export class LoadEngine {
  readonly schedule: Schedule;
  private readonly abort = new AbortController();
  private readonly rng: () => number;
  private readonly cumulativeWeights: number[];
  private t0 = 0;
  private nextId = 0;
  private activeUsers = 0;
  private inFlight = 0;
  private finished = 0;
  private failed = 0;
  private stopReason: string | undefined;
  private readonly sleepers = new Set<() => void>();
  private lastEnd = 0;

  constructor(
    private readonly plan: RunPlan,
    private readonly client: ProtocolClient,
    private readonly events: EngineEvents,
  ) {
    this.schedule = scheduleFor(plan.load);
    // One signal is shared by every request in flight, each of which listens to it.
    setMaxListeners(0, this.abort.signal);
    this.rng = createRng(plan.seed ?? (Date.now() >>> 0)).next;
    let sum = 0;
    this.cumulativeWeights = plan.prompts.map((p) => (sum += p.weight));
  }

  /** Monotonic ms since the engine started. */
  now(): number {
    return performance.now() - this.t0;
  }

  get startEpochMs(): number {
    return performance.timeOrigin + this.t0;
  }

  state(): EngineState {
    const target = this.schedule.kind === 'closed' ? usersAt(this.schedule, this.now()) : 0;
    return { t_ms: this.now(), active_users: this.activeUsers, target_users: target, in_flight: this.inFlight, sent: this.nextId };
  }

  /**
   * Stops the run. `abort` ends open streams at once (their records say `cancelled`); otherwise
   * no new request is sent and those in flight finish.
   */
  stop(reason: string, abort: boolean): void {
    if (this.stopReason === undefined) this.stopReason = reason;
    if (abort) this.abort.abort();
    for (const wake of this.sleepers) wake();
  }

  /** Runs the schedule to its end (or a stop); resolves when every request has finished. */
  async run(): Promise<{ ended_by: string; duration_ms: number }> {
    this.t0 = performance.now();
    if (this.plan.stop?.after_ms !== undefined) {
      const t = setTimeout(() => this.stop('duration', false), this.plan.stop.after_ms);
      t.unref();
    }
    if (this.schedule.kind === 'closed') await this.runClosed(this.schedule);
    else await this.runOpen(this.schedule);
    return { ended_by: this.stopReason ?? 'completed', duration_ms: Math.max(this.lastEnd, Math.min(this.now(), this.schedule.end_ms)) };
  }

  private get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  /** Sleeps until t_ms on the engine's clock, or until stop() is called. */
  private sleepUntil(t_ms: number): Promise<void> {
    const delay = t_ms - this.now();
    if (delay <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, delay);
      this.sleepers.add(done);
    });
  }

  private async runClosed(s: ClosedLoopSchedule): Promise<void> {
    const users: Promise<void>[] = [];
    for (const step of s.steps) {
      await this.sleepUntil(step.at_ms);
      if (this.stopped || step.at_ms >= s.end_ms) break;
      while (this.activeUsers < step.users) {
        users.push(this.user(this.activeUsers++, s));
      }
    }
    await this.sleepUntil(s.end_ms);
    await Promise.all(users);
  }

  private async user(index: number, s: ClosedLoopSchedule): Promise<void> {
    try {
      while (!this.stopped && this.now() < s.end_ms && index < usersAt(s, this.now())) {
        await this.send(this.pickPrompt(), index, undefined);
        if (this.plan.think_ms > 0 && !this.stopped) await this.sleepUntil(this.now() + this.plan.think_ms);
      }
    } finally {
      this.activeUsers--;
    }
  }

  private async runOpen(s: OpenLoopSchedule): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    for (const at of arrivals(s, this.rng)) {
      if (at >= s.end_ms) break;
      await this.sleepUntil(at);
      if (this.stopped) break;
      const p = this.send(this.pickPrompt(), -1, at).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await this.sleepUntil(s.end_ms);
    await Promise.all(inFlight);
  }

  private pickPrompt(): PromptPlan {
    const w = this.cumulativeWeights;
    const x = this.rng() * w[w.length - 1]!;
    let i = 0;
    while (i < w.length - 1 && x >= w[i]!) i++;
    return this.plan.prompts[i]!;
  }

  private isWarmup(id: number, offset_ms: number): boolean {
    const w = this.plan.warmup;
    if (!w) return false;
    return (w.requests !== undefined && id < w.requests) || (w.duration_ms !== undefined && offset_ms < w.duration_ms);
  }

  private traced(id: number, rec: RequestRecord): boolean {
    const t = this.plan.trace;
    if (rec.status === 'error') return true;
    if (t.mode === 'all') return true;
    if (t.mode === 'first') return id < t.n;
    return false;
  }

  private async send(prompt: PromptPlan, user: number, intended: number | undefined): Promise<void> {
    const id = this.nextId++;
    this.inFlight++;
    let r: SentRequest;
    try {
      r = await this.client.send(prompt, this.abort.signal);
    } finally {
      this.inFlight--;
    }
    const offset_ms = r.sent_at - this.t0;
    const rec = buildRecord(r, {
      id,
      prompt: prompt.name,
      user,
      start_ms: r.start_ms,
      offset_ms,
      intended_offset_ms: intended,
      warmup: this.isWarmup(id, offset_ms),
    });
    this.lastEnd = Math.max(this.lastEnd, offset_ms + r.end_ms);
    this.events.record(rec, this.traced(id, rec) ? { request: id, packets: r.packets } : undefined);
    this.checkStopConditions(rec);
  }

  private checkStopConditions(rec: RequestRecord): void {
    if (rec.warmup || rec.error?.kind === 'cancelled') return;
    this.finished++;
    if (rec.status === 'error') this.failed++;
    const stop = this.plan.stop;
    if (!stop) return;
    if (stop.after_requests !== undefined && this.finished >= stop.after_requests) this.stop('requests', false);
    if (stop.error_rate_above !== undefined && this.finished >= ERROR_RATE_MIN_SAMPLE && this.failed / this.finished > stop.error_rate_above) {
      this.stop('error_rate', false);
    }
  }
}
