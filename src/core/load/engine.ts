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
import { Backoff, DEFAULT_BACKOFF, isNoAnswerFailure, retryAfterMs, type BackoffPolicy } from './backoff';
import { externalSchedule, setExternalUsers } from './external-shape';
import { SteeredRate, steeredSchedule } from './steered-rate';
import { ARRIVALS } from './shapes';
import { markTurn, runSession, type TurnContext } from './session';

export interface EngineEvents {
  record(rec: RequestRecord, trace: TracedRequest | undefined): void;
  /** A stop condition fired that ends the whole run, not just this shard (e.g. the error rate). */
  stopping?(reason: string): void;
  /**
   * A request held back by backoff: a closed-loop user waits `wait_ms` before its next request, or
   * an open-loop arrival was skipped (`wait_ms` 0) while the target is down. `t_ms` on the run's clock.
   */
  heldBack?(t_ms: number, wait_ms: number): void;
}

export interface EngineOptions {
  /** The part of the load this engine drives; default all of it. */
  shard?: Shard;
  /** A replay plan's log entries. */
  replay?: readonly ReplayEntry[];
  /** performance.now() of the schedule's zero, common to every shard; default when run() starts. */
  t0?: number;
  /** The user count comes from outside (setUsers: a Locust master); the plan's load shape is ignored. */
  external?: boolean;
  /** The arrival rate comes from outside (setRate: a sweep search); the plan's load shape gives only the arrival process. */
  externalRate?: boolean;
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
  /** Backoff after no-answer failures; undefined with `backoff off`. */
  private readonly backoff: (BackoffPolicy & { skip: boolean }) | undefined;
  /** Jitter of the backoff waits: a stream of its own, so prompt choice is the same with or without failures. */
  private readonly jitterRng: () => number;
  /** Open loop with `skip`: the thread's backoff, and until when arrivals are skipped. */
  private openBackoff: Backoff | undefined;
  private downUntil = 0;
  /** When the open-loop backoff last grew: failures of requests sent before it were already in flight. */
  private downSince = -Infinity;
  /** External load: the users' loops, and a count set before the schedule's zero. */
  private readonly externalLoops: Promise<void>[] = [];
  private externalStarted = false;
  private pendingUsers: number | undefined;
  /** Multi-turn sessions: numbered like requests (unique over shards); with sessions, open-loop requests are too. */
  private readonly hasSessions: boolean;
  private nextSession = 0;
  /** External rate (a sweep search): the rate the runner sets, piece by piece. */
  private readonly steered: SteeredRate | undefined;

  constructor(
    private readonly plan: RunPlan,
    private readonly client: ProtocolClient,
    private readonly events: EngineEvents,
    private readonly opts: EngineOptions = {},
  ) {
    this.steered = opts.externalRate && !opts.external ? new SteeredRate() : undefined;
    this.schedule = opts.external ? externalSchedule() : this.steered ? steeredSchedule(plan.load) : scheduleFor(plan.load, opts.replay);
    this.shard = opts.shard ?? WHOLE;
    // One signal is shared by every request in flight, each of which listens to it.
    setMaxListeners(0, this.abort.signal);
    const seed = plan.seed ?? (Date.now() >>> 0);
    this.arrivalRng = createRng(seed).next;
    this.rng = createRng((seed + 0x9e3779b9 * (this.shard.index + 1)) >>> 0).next;
    this.jitterRng = createRng((seed ^ 0x85ebca6b) + 0x27d4eb2f * (this.shard.index + 1)).next;
    this.backoff = plan.backoff === false ? undefined : (plan.backoff ?? { ...DEFAULT_BACKOFF, skip: false });
    if (this.backoff?.skip) this.openBackoff = new Backoff(this.backoff, this.jitterRng);
    this.requestQuota = plan.stop?.after_requests !== undefined ? shareOf(this.shard, plan.stop.after_requests) : undefined;
    let sum = 0;
    this.cumulativeWeights = plan.prompts.map((p) => (sum += p.weight));
    this.hasSessions = plan.prompts.some((p) => p.session);
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
    if (this.opts.external && this.schedule.kind === 'closed') await this.runExternal();
    else if (this.steered && this.schedule.kind === 'open') await this.runSteered(this.schedule, this.steered);
    else if (this.schedule.kind === 'closed') await this.runClosed(this.schedule);
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

  /**
   * External load: `users` users from now on. New users start at once; users above the count end
   * after their current request. A count set before the schedule's zero applies at the zero.
   */
  setUsers(users: number): void {
    const s = this.schedule;
    if (!this.opts.external || s.kind !== 'closed' || this.stopped) return;
    if (!this.externalStarted) {
      this.pendingUsers = users;
      return;
    }
    setExternalUsers(s, this.now(), users);
    for (let i = 0; i < users; i++) {
      if (owns(this.shard, i) && !this.runningUsers.has(i)) {
        this.runningUsers.add(i);
        this.externalLoops.push(this.user(i, s));
      }
    }
  }

  /** External load: runs until stop(), then waits for every user's last request. */
  private async runExternal(): Promise<void> {
    this.externalStarted = true;
    if (this.pendingUsers !== undefined) this.setUsers(this.pendingUsers);
    await new Promise<void>((resolve) => {
      if (this.stopped) return resolve();
      const done = (): void => {
        this.sleepers.delete(done);
        resolve();
      };
      this.sleepers.add(done);
    });
    await Promise.all(this.externalLoops);
  }

  private async user(index: number, s: ClosedLoopSchedule): Promise<void> {
    const backoff = this.backoff ? new Backoff(this.backoff, this.jitterRng) : undefined;
    try {
      while (!this.stopped && this.now() < s.end_ms && index < usersAt(s, this.now())) {
        const prompt = this.pickPrompt();
        const rec = prompt.session ? await this.session(prompt, index, undefined, s.end_ms) : await this.send(prompt, index, this.nextId++ * this.shard.count + this.shard.index, undefined);
        let wait = this.plan.think_ms;
        if (backoff && rec.error?.kind !== 'cancelled') {
          if (isNoAnswerFailure(rec)) {
            // The user's next request waits out the backoff (or the think time, if longer), never past the schedule's end.
            const w = Math.min(backoff.fail(retryAfterMs(rec.error?.retry_after, Date.now())), Math.max(0, s.end_ms - this.now()));
            this.events.heldBack?.(this.now(), w);
            wait = Math.max(wait, w);
          } else backoff.succeed();
        }
        // A wait that reaches the schedule's end ends the user (a timer may fire a hair early).
        if (wait > 0 && this.now() + wait >= s.end_ms) break;
        if (wait > 0 && !this.stopped) await this.pause(wait);
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
      if (this.skipWhileDown(at)) continue;
      const prompt = this.pickPrompt();
      const p = (prompt.session ? this.session(prompt, -1, at, s.end_ms).then(() => undefined) : this.sendOpen(prompt, this.hasSessions ? this.nextId++ * this.shard.count + this.shard.index : j, at)).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await this.sleepUntil(s.end_ms);
    await Promise.all(inFlight);
  }

  /** External rate: `per_s` arrivals per second over all threads from `at_ms` on (the run's clock). */
  setRate(per_s: number, at_ms: number): void {
    if (!this.stopped) this.steered?.set(at_ms, per_s);
  }

  /** External rate: arrivals under the rate set from outside (./steered-rate.ts) until stop(), then waits for those in flight. */
  private async runSteered(s: OpenLoopSchedule, rate: SteeredRate): Promise<void> {
    const process = ARRIVALS[s.arrival];
    const inFlight = new Set<Promise<void>>();
    let target = process.first(this.arrivalRng, s);
    let j = -1;
    while (!this.stopped) {
      const version = rate.version;
      const at = rate.instantOf(target);
      const change = rate.changed();
      // Until the arrival's instant, a change of rate (the instant moves), or stop().
      const wait = Number.isFinite(at)
        ? this.sleepUntil(at)
        : new Promise<void>((resolve) => {
            const done = (): void => {
              this.sleepers.delete(done);
              resolve();
            };
            this.sleepers.add(done);
            void change.then(done);
          });
      await Promise.race([wait, change]);
      if (this.stopped) break;
      if (rate.version !== version) continue;
      j++;
      target += process.next(this.arrivalRng, s);
      if (!owns(this.shard, j) || this.skipWhileDown(at)) continue;
      const prompt = this.pickPrompt();
      const p = (prompt.session ? this.session(prompt, -1, at, s.end_ms).then(() => undefined) : this.sendOpen(prompt, this.hasSessions ? this.nextId++ * this.shard.count + this.shard.index : j, at)).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  }

  private async runReplay(s: ReplaySchedule): Promise<void> {
    const entries = this.opts.replay!;
    const inFlight = new Set<Promise<void>>();
    // The last send of each conversation: the next turn waits for it to end.
    const lastOfGroup = new Map<number, Promise<void>>();
    for (let j = 0; j < s.sends.length; j++) {
      const { at_ms, entry, group } = s.sends[j]!;
      if (!owns(this.shard, group ?? j)) continue;
      await this.sleepUntil(at_ms);
      if (this.stopped) break;
      if (this.skipWhileDown(at_ms)) continue;
      const prev = group === undefined ? undefined : lastOfGroup.get(group);
      const go = (): Promise<void> => (this.stopped ? Promise.resolve() : this.sendOpen(entries[entry]!.prompt, j, at_ms));
      const p: Promise<void> = (prev ? prev.then(go, go) : go()).finally(() => {
        inFlight.delete(p);
        if (group !== undefined && lastOfGroup.get(group) === p) lastOfGroup.delete(group);
      });
      inFlight.add(p);
      if (group !== undefined) lastOfGroup.set(group, p);
    }
    await Promise.all(inFlight);
  }

  /** `backoff ... skip`: true (and counted) when an arrival falls while the target is down. */
  private skipWhileDown(at: number): boolean {
    if (!this.openBackoff || this.now() >= this.downUntil) return false;
    this.events.heldBack?.(at, 0);
    return true;
  }

  /**
   * An open-loop send. With `skip`, its outcome moves the thread's backoff: a no-answer failure of
   * a request sent after the last one (a probe, not one already in flight) makes arrivals skip until
   * the next wait is over; an answer ends the skipping.
   */
  private async sendOpen(prompt: PromptPlan, id: number, at: number | undefined, turn?: TurnContext): Promise<void> {
    const sentAt = this.now();
    const rec = await this.send(prompt, -1, id, at, turn);
    const b = this.openBackoff;
    if (!b || rec.error?.kind === 'cancelled') return;
    if (isNoAnswerFailure(rec)) {
      if (sentAt < this.downSince) return;
      this.downSince = this.now();
      this.downUntil = this.now() + b.fail(retryAfterMs(rec.error?.retry_after, Date.now()));
    } else {
      b.succeed();
      this.downUntil = 0;
      this.downSince = -Infinity;
    }
  }

  /**
   * A whole session (src/core/load/session.ts) by a closed-loop user, or from an open-loop arrival
   * at `at` (its first turn is the arrival; later turns follow the earlier ones' ends). No turn
   * starts after a stop or past the schedule's end.
   */
  private session(prompt: PromptPlan, user: number, at: number | undefined, end_ms: number): Promise<RequestRecord> {
    const session = this.nextSession++ * this.shard.count + this.shard.index;
    return runSession(prompt, session, prompt.session!.think_ms ?? this.plan.think_ms, {
      send: (p, ctx) => {
        const id = this.nextId++ * this.shard.count + this.shard.index;
        // Open loop: every turn's outcome moves the thread's backoff (`skip`), as an arrival's does.
        return user < 0 ? this.sendOpen(p, id, ctx.turn === 1 ? at : undefined, ctx).then(() => ctx.record!) : this.send(p, user, id, undefined, ctx);
      },
      pause: (ms) => this.pause(ms),
      over: (t) => this.stopped || t >= end_ms,
      now: () => this.now(),
    });
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

  private async send(prompt: PromptPlan, user: number, id: number, intended: number | undefined, turn?: TurnContext): Promise<RequestRecord> {
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
    markTurn(rec, r.answer_text, turn);
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
    return rec;
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
