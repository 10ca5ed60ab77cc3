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
import {
  arrivals,
  owns,
  scheduleFor,
  shareOf,
  usersAt,
  WHOLE,
  type ClosedLoopSchedule,
  type OpenLoopSchedule,
  type ReplayEntry,
  type ReplaySchedule,
  type Schedule,
  type Shard,
} from './shape';
import { ThreadHistograms } from './thread-histograms';

export interface EngineEvents {
  record(rec: RequestRecord, trace: TracedRequest | undefined): void;
  /** A stop condition fired that ends the whole run, not just this shard (e.g. the error rate). */
  stopping?(reason: string): void;
}

export interface EngineOptions {
  /** The part of the load this engine drives; default all of it. */
  shard?: Shard;
  /** A replay plan's log entries. */
  replay?: readonly ReplayEntry[];
  /** performance.now() of the schedule's zero, common to every shard; default when run() starts. */
  t0?: number;
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
  readonly histograms = new ThreadHistograms();
  private readonly abort = new AbortController();
  /** Arrival times: the same sequence on every shard (same seed), each taking its own part. */
  private readonly arrivalRng: () => number;
  /** Prompt choice: a stream of its own per shard. */
  private readonly rng: () => number;
  private readonly cumulativeWeights: number[];
  private readonly shard: Shard;
  private readonly requestQuota: number | undefined;
  private t0 = 0;
  private nextId = 0;
  private sentCount = 0;
  private readonly runningUsers = new Set<number>();
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
    private readonly opts: EngineOptions = {},
  ) {
    this.schedule = scheduleFor(plan.load, opts.replay);
    this.shard = opts.shard ?? WHOLE;
    // One signal is shared by every request in flight, each of which listens to it.
    setMaxListeners(0, this.abort.signal);
    const seed = plan.seed ?? (Date.now() >>> 0);
    this.arrivalRng = createRng(seed).next;
    this.rng = createRng((seed + 0x9e3779b9 * (this.shard.index + 1)) >>> 0).next;
    this.requestQuota = plan.stop?.after_requests !== undefined ? shareOf(this.shard, plan.stop.after_requests) : undefined;
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
    return { t_ms: this.now(), active_users: this.runningUsers.size, target_users: target, in_flight: this.inFlight, sent: this.sentCount };
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
    this.t0 = this.opts.t0 ?? performance.now();
    if (this.plan.stop?.after_ms !== undefined) {
      const t = setTimeout(() => this.stop('duration', false), Math.max(0, this.plan.stop.after_ms - this.now()));
      t.unref();
    }
    if (this.requestQuota === 0) this.stop('requests', false);
    // A common start in the future (several threads): wait for it.
    await this.sleepUntil(0);
    if (this.schedule.kind === 'closed') await this.runClosed(this.schedule);
    else if (this.schedule.kind === 'open') await this.runOpen(this.schedule);
    else await this.runReplay(this.schedule);
    return { ended_by: this.stopReason ?? 'completed', duration_ms: Math.max(this.lastEnd, Math.min(this.now(), this.schedule.end_ms)) };
  }

  private get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  /**
   * Sleeps until t_ms on the engine's clock, or until stop() is called. Never wakes early: Node's
   * timers may fire up to a millisecond before their time, so the timer aims 1.5 ms short and the
   * rest is waited out one event-loop turn at a time (I/O keeps flowing meanwhile).
   */
  private sleepUntil(t_ms: number): Promise<void> {
    if (t_ms - this.now() <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let turn: NodeJS.Immediate | undefined;
      const done = (): void => {
        clearTimeout(timer);
        if (turn) clearImmediate(turn);
        this.sleepers.delete(done);
        resolve();
      };
      const check = (): void => {
        const left = t_ms - this.now();
        if (left <= 0 || this.stopped) done();
        else if (left > 2) timer = setTimeout(check, left - 1.5);
        else turn = setImmediate(check);
      };
      this.sleepers.add(done);
      check();
    });
  }

  /** A pause that need not be exact (think time between a user's requests). */
  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async runClosed(s: ClosedLoopSchedule): Promise<void> {
    const users: Promise<void>[] = [];
    for (const step of s.steps) {
      await this.sleepUntil(step.at_ms);
      if (this.stopped || step.at_ms >= s.end_ms) break;
      // Users are numbered globally; this shard starts those it owns that are not running yet.
      for (let i = 0; i < step.users; i++) {
        if (owns(this.shard, i) && !this.runningUsers.has(i)) {
          this.runningUsers.add(i);
          users.push(this.user(i, s));
        }
      }
    }
    await this.sleepUntil(s.end_ms);
    await Promise.all(users);
  }

  private async user(index: number, s: ClosedLoopSchedule): Promise<void> {
    try {
      while (!this.stopped && this.now() < s.end_ms && index < usersAt(s, this.now())) {
        await this.send(this.pickPrompt(), index, this.nextId++ * this.shard.count + this.shard.index, undefined);
        if (this.plan.think_ms > 0 && !this.stopped) await this.pause(this.plan.think_ms);
      }
    } finally {
      this.runningUsers.delete(index);
    }
  }

  private async runOpen(s: OpenLoopSchedule): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let j = -1;
    for (const at of arrivals(s, this.arrivalRng)) {
      if (at >= s.end_ms) break;
      j++;
      if (!owns(this.shard, j)) continue;
      await this.sleepUntil(at);
      if (this.stopped) break;
      const p = this.send(this.pickPrompt(), -1, j, at).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await this.sleepUntil(s.end_ms);
    await Promise.all(inFlight);
  }

  private async runReplay(s: ReplaySchedule): Promise<void> {
    const entries = this.opts.replay!;
    const inFlight = new Set<Promise<void>>();
    for (let j = 0; j < s.sends.length; j++) {
      if (!owns(this.shard, j)) continue;
      const { at_ms, entry } = s.sends[j]!;
      await this.sleepUntil(at_ms);
      if (this.stopped) break;
      const p = this.send(entries[entry]!.prompt, -1, j, at_ms).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
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

  private async send(prompt: PromptPlan, user: number, id: number, intended: number | undefined): Promise<void> {
    this.sentCount++;
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
      length_fails: this.plan.length_fails,
    });
    // Graded on the main thread (src/core/grade/run-grading.ts), never here.
    if (prompt.answer !== undefined) rec.graded_text = r.answer_text;
    this.lastEnd = Math.max(this.lastEnd, offset_ms + r.end_ms);
    if (!rec.warmup) {
      // Lag of requests that reached a socket; one refused before sending says nothing of pacing.
      if (intended !== undefined && r.http_status !== null) this.histograms.h.schedule_lag.record(Math.max(0, offset_ms - intended));
      if (rec.status === 'ok') this.histograms.addItl(r.packets, r.usage?.completion_tokens);
    }
    this.events.record(rec, this.traced(id, rec) ? { request: id, packets: r.packets } : undefined);
    this.checkStopConditions(rec);
  }

  private checkStopConditions(rec: RequestRecord): void {
    if (rec.warmup || rec.error?.kind === 'cancelled') return;
    this.finished++;
    if (rec.status === 'error') this.failed++;
    const stop = this.plan.stop;
    if (!stop) return;
    if (this.requestQuota !== undefined && this.finished >= this.requestQuota) this.stop('requests', false);
    if (stop.error_rate_above !== undefined && this.finished >= ERROR_RATE_MIN_SAMPLE && this.failed / this.finished > stop.error_rate_above) {
      if (!this.stopped) this.events.stopping?.('error_rate');
      this.stop('error_rate', false);
    }
  }
}
