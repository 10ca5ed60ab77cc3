/**
 * A Locust worker: joins a Locust master over ZeroMQ (see ./protocol for the messages) and runs
 * llmload tests at the user counts the master sends. One test is one llmload run: it starts with
 * the first `spawn` after `ready`, follows every later spawn's user count, and ends on `stop`,
 * `quit`, a lost master, or the scenario's own stop condition (after which the worker leaves the
 * master with `quit`, as a Python worker whose test ended does).
 *
 * The worker owns no load logic: `startTest` (the CLI binds it to a scenario run) starts a test and
 * feeds its finished requests to `stats`, which are reported to the master as deltas every 3 s.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Dealer } from 'zeromq';
import type { RequestRecord } from '../metrics/record';
import {
  CONNECT_RETRIES,
  CONNECT_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  MASTER_HEARTBEAT_TIMEOUT_MS,
  STATS_INTERVAL_MS,
  decodeMessage,
  encodeMessage,
  type LocustMessage,
  type SpawnData,
  type WorkerState,
} from './protocol';
import { LocustStats } from './stats';

/** One running test, as the worker drives it. */
export interface LocustTest {
  /** Run this many users from now on. */
  setUsers(users: number): void;
  /**
   * Ends the test: with `graceMs` > 0 no new request starts and those in flight get that long to
   * finish; then open streams are aborted. Resolves once every record was passed to `onRecords`.
   */
  stop(graceMs: number): Promise<void>;
  /** Resolves when the test ended by itself (a stop condition of the scenario), with the reason. */
  readonly ended: Promise<string>;
}

export interface LocustWorkerOptions {
  host: string;
  port: number;
  /** Default `<hostname>_<32 hex>`, as Python workers name themselves. */
  clientId?: string;
  /** What client_ready carries; -1 is accepted by every master without a version warning. */
  version?: string | -1;
  startTest(onRecords: (records: readonly RequestRecord[]) => void): Promise<LocustTest>;
  log?(line: string): void;
  heartbeatMs?: number;
  statsMs?: number;
  /** Quit when the master's heartbeats stop (newer masters) or its connection is gone this long. Default 60 s. */
  masterTimeoutMs?: number;
  connectTimeoutMs?: number;
  connectRetries?: number;
}

/** How long a `reconnect` waits between closing the old socket and opening the new one. */
const RECONNECT_PAUSE_MS = 1000;

export type WorkerEnd = 'quit' | 'ended' | 'master-timeout' | 'no-master' | 'interrupted';

export class LocustWorker {
  readonly clientId: string;
  readonly stats = new LocustStats();
  state: WorkerState = 'ready';
  /** The index the master gave this worker in its ack (-1 before). */
  index = -1;
  /** Tests run so far. */
  tests = 0;
  private sock!: Dealer;
  private sendChain: Promise<void> = Promise.resolve();
  private test: LocustTest | undefined;
  private users = 0;
  private userClasses: Record<string, number> = {};
  private lastSpawn = 0;
  private acked = false;
  private lastMasterHeartbeat = 0;
  private disconnectedSince: number | undefined;
  private timers: NodeJS.Timeout[] = [];
  private cpuAt = process.cpuUsage();
  private wallAt = performance.now();
  private closing = false;
  private timedOut = false;
  private queue: Promise<void> = Promise.resolve();
  private resolveEnd!: (e: WorkerEnd) => void;
  /** Resolves when the worker has left the master (its last test's results are complete). */
  readonly finished: Promise<WorkerEnd> = new Promise((r) => (this.resolveEnd = r));

  constructor(private readonly opts: LocustWorkerOptions) {
    this.clientId = opts.clientId ?? `${os.hostname()}_${randomBytes(16).toString('hex')}`;
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  /** Connects, announces itself until the master acks (rejects when it never does), then serves. */
  async start(): Promise<void> {
    this.openSocket();
    const hb = setInterval(() => this.heartbeat(), this.opts.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
    const st = setInterval(() => this.sendStats(), this.opts.statsMs ?? STATS_INTERVAL_MS);
    const watch = setInterval(() => this.watchMaster(), 1000);
    this.timers.push(hb, st, watch);
    const retries = this.opts.connectRetries ?? CONNECT_RETRIES;
    for (let attempt = 1; !this.acked && !this.closing; attempt++) {
      this.send('client_ready', this.opts.version ?? -1);
      if (await this.waitForAck(this.opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS)) break;
      if (attempt >= retries) {
        await this.close('no-master', false);
        throw new Error(`no answer from the Locust master at ${this.opts.host}:${this.opts.port} after ${attempt} tries`);
      }
      this.log(`no answer from the master at ${this.opts.host}:${this.opts.port} yet (try ${attempt}/${retries})`);
    }
  }

  /** Leaves the master: ends a running test (results kept), sends a last report and `quit`. */
  async quit(reason: WorkerEnd = 'interrupted'): Promise<void> {
    // After the message being handled (a test still starting is then stopped, not left running).
    this.queue = this.queue.then(() => this.close(reason, true));
    await this.queue;
  }

  private openSocket(): void {
    const sock = new Dealer({ routingId: this.clientId, linger: 2000 });
    sock.events.on('disconnect', () => {
      this.disconnectedSince ??= Date.now();
    });
    sock.events.on('connect', () => {
      this.disconnectedSince = undefined;
    });
    sock.connect(`tcp://${this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host}:${this.opts.port}`);
    this.sock = sock;
    void this.receive(sock);
  }

  private async receive(sock: Dealer): Promise<void> {
    try {
      for await (const [frame] of sock) {
        let msg: LocustMessage;
        try {
          msg = decodeMessage(frame!);
        } catch (e) {
          this.log(`ignored a malformed message from the master: ${(e as Error).message}`);
          continue;
        }
        // One message at a time, in order: a stop waits for the spawn before it.
        this.queue = this.queue.then(() => this.handle(msg)).catch((e: unknown) => this.log(`error handling ${msg.type}: ${(e as Error).stack ?? e}`));
      }
    } catch (e) {
      if (!sock.closed) this.log(`receive error: ${(e as Error).message}`);
    }
  }

  private send(type: string, data: unknown): void {
    const frame = encodeMessage(type, data, this.clientId);
    const sock = this.sock;
    this.sendChain = this.sendChain.then(
      () => (sock.closed ? undefined : sock.send(frame)),
    ).catch((e: unknown) => this.log(`cannot send ${type}: ${(e as Error).message}`));
  }

  private acks: Array<() => void> = [];
  private waitForAck(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.acks.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  private async handle(msg: LocustMessage): Promise<void> {
    if (this.closing) return;
    switch (msg.type) {
      case 'ack': {
        const d = msg.data as { index?: number } | null;
        if (d && typeof d.index === 'number') this.index = d.index;
        if (!this.acked) this.log(`joined the master at ${this.opts.host}:${this.opts.port} as ${this.clientId}${this.index >= 0 ? ` (worker index ${this.index})` : ''}`);
        this.acked = true;
        for (const a of this.acks.splice(0)) a();
        return;
      }
      case 'spawn':
        return this.spawn(msg.data as SpawnData);
      case 'stop':
        return this.stopTest();
      case 'quit':
        this.log('the master says quit');
        return this.close('quit', true);
      case 'reconnect':
        this.log('the master asks to reconnect');
        this.sock.close();
        // The master's ROUTER refuses a second connection with the same id while it still holds the
        // first one (messages on it are dropped): give it a moment to let go of the old one.
        await new Promise((r) => setTimeout(r, RECONNECT_PAUSE_MS));
        if (!this.closing) this.openSocket();
        return;
      case 'heartbeat':
        this.lastMasterHeartbeat = Date.now();
        return;
      default:
        this.log(`ignored an unknown message from the master: ${msg.type}`);
    }
  }

  private async spawn(job: SpawnData): Promise<void> {
    this.send('spawning', null);
    if (typeof job?.timestamp !== 'number' || job.timestamp <= this.lastSpawn) {
      this.log('ignored a spawn message not newer than the last one');
      return;
    }
    this.lastSpawn = job.timestamp;
    this.stopTimeoutS = typeof job.stop_timeout === 'number' ? job.stop_timeout : 0;
    const classes = job.user_classes_count ?? {};
    const users = Object.values(classes).reduce((a, b) => a + (Number(b) || 0), 0);
    if (!this.test) {
      this.state = 'spawning';
      await this.begin();
      if (!this.test) return;
    }
    this.users = users;
    this.userClasses = { ...classes };
    this.test.setUsers(users);
    this.log(`users: ${users}`);
    this.send('spawning_complete', { user_classes_count: this.userClasses, user_count: users });
    this.state = 'running';
  }

  private stopTimeoutS = 0;

  private async begin(): Promise<void> {
    this.stats.report(); // a new test starts from zero, as the master's does
    try {
      const test = await this.opts.startTest((records) => {
        for (const r of records) this.stats.add(r);
        // Ending: the last requests go out as soon as they reach this thread, not after the run's
        // files are written (a quitting master listens only half a second more).
        if (this.state === 'stopping' && records.length > 0) this.sendStats();
      });
      this.test = test;
      this.tests++;
      void test.ended.then((reason) => {
        if (this.test !== test || this.closing) return;
        this.log(`the test ended by itself (${reason}); leaving the master`);
        this.queue = this.queue.then(() => this.close('ended', true));
      });
    } catch (e) {
      this.log(`cannot start the test: ${(e as Error).message}`);
      this.state = 'ready';
      this.send('exception', { msg: `llmload cannot start the test: ${(e as Error).message}`, traceback: '' });
    }
  }

  /** Ends the running test and sends its last requests. */
  private async endTest(graceMs: number): Promise<void> {
    const test = this.test;
    if (!test) return;
    this.test = undefined;
    this.state = 'stopping';
    // What is measured goes out now: a quitting master listens only half a second more.
    this.sendStats();
    await test.stop(graceMs);
    this.users = 0;
    this.sendStats();
  }

  private async stopTest(): Promise<void> {
    this.log('the master says stop');
    await this.endTest(this.stopTimeoutS * 1000);
    this.send('client_stopped', null);
    this.state = 'ready';
    this.send('client_ready', this.opts.version ?? -1);
  }

  private async close(end: WorkerEnd, tellMaster: boolean): Promise<void> {
    if (this.closing) return;
    await this.endTest(0);
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    if (tellMaster && this.acked) this.send('quit', null);
    await this.sendChain;
    this.sock.close(); // linger: queued messages still go out
    this.resolveEnd(end);
  }

  private heartbeat(): void {
    const cpu = process.cpuUsage(this.cpuAt);
    const now = performance.now();
    const wall = now - this.wallAt;
    this.cpuAt = process.cpuUsage();
    this.wallAt = now;
    const cpuPercent = wall > 0 ? ((cpu.user + cpu.system) / 1000 / wall) * 100 : 0;
    this.send('heartbeat', { state: this.state, current_cpu_usage: Math.round(cpuPercent * 10) / 10, current_memory_usage: process.memoryUsage().rss });
  }

  private sendStats(): void {
    const classes = Object.fromEntries(Object.keys(this.userClasses).map((k) => [k, this.test ? this.userClasses[k]! : 0]));
    const report = this.stats.report();
    this.send('stats', { ...report, user_classes_count: classes, user_count: this.test ? this.users : 0 });
  }

  private watchMaster(): void {
    const limit = this.opts.masterTimeoutMs ?? MASTER_HEARTBEAT_TIMEOUT_MS;
    const now = Date.now();
    const silent = this.lastMasterHeartbeat > 0 && now - this.lastMasterHeartbeat > limit;
    const gone = this.disconnectedSince !== undefined && now - this.disconnectedSince > limit;
    if (!silent && !gone) return;
    if (this.closing || this.timedOut) return;
    this.timedOut = true;
    this.log(silent ? `no heartbeat from the master in over ${limit / 1000}s: quitting` : `lost the connection to the master over ${limit / 1000}s ago: quitting`);
    this.queue = this.queue.then(() => this.close('master-timeout', true));
  }
}
