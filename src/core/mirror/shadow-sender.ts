/**
 * Sends sampled copies to the shadow, at once or after a set delay, and reads each answer to the
 * end with llmload's own HTTP client (../protocols/http-client.ts `sendBuilt`), so it is timed,
 * cut (stall, total time) and classified exactly like a request of a run. It runs in the mirror's
 * worker thread: the client of the primary never waits for any of this. Load caps keep a slow shadow from building a backlog: a copy that would
 * exceed `max_inflight` copies waiting or in flight, or the tokens-per-minute budget (prompt
 * characters / 4 + the request's output cap, over a sliding minute), is not sent and is counted
 * as skipped. A shadow that is down is not hammered: after DOWN_AFTER copies in a row that could
 * not connect, copies are skipped (`shadow_down`) for a pause that doubles from 1 s to 30 s while
 * the probe sent after each pause still cannot connect.
 */
import { createAdapter, type SentRequest } from '../protocols';
import { HttpProtocolClient } from '../protocols/http-client';
import type { ApiKind } from '../scenario/plan';
import { shadowRequest, type HeaderMap } from './secrets';

export interface ShadowOptions {
  /** The shadow's base URL; its path, when any, is put before request paths that lack it. */
  url: string;
  /** Key for the shadow (replaces the client's credentials); undefined: none sent. */
  key?: string;
  /** Copies waiting or in flight at most; default 64. */
  max_inflight?: number;
  /** Estimated tokens per sliding minute at most; default no cap. */
  tokens_per_minute?: number;
  /** Wait this long before sending each copy; default 0. */
  delay_ms?: number;
  /** Give up a copy after this long in all (default 10 min), or this long without a packet once packets came (default 60 s; twice this without any output). */
  total_ms?: number;
  stall_ms?: number;
}

export interface ShadowCopy {
  pair: number;
  api: ApiKind;
  method: string;
  /** The client's path (before the shadow's prefix). */
  path: string;
  headers: HeaderMap;
  body: Buffer;
  /** Estimated tokens (see the file comment). */
  tokens: number;
}

export type SkipReason = 'inflight' | 'tokens_per_minute' | 'shadow_down';

/** Copies in a row that could not connect before the shadow counts as down. */
export const DOWN_AFTER = 3;
const PAUSE_MIN_MS = 1000;
const PAUSE_MAX_MS = 30_000;

export class ShadowSender {
  private readonly origin: string;
  private readonly prefix: string;
  /** One HTTP client per API (each API has its own stream decoder), created on first use. */
  private readonly clients = new Map<ApiKind, HttpProtocolClient>();
  private readonly cancel = new AbortController();
  private readonly delayed = new Set<NodeJS.Timeout>();
  private readonly window: Array<{ at: number; tokens: number }> = [];
  private windowTokens = 0;
  private outstanding = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Copies sent but not yet on their socket, and who waits for none to be left. */
  private unsent = 0;
  private wireWaiters: Array<() => void> = [];
  private connectFails = 0;
  private pauseMs = PAUSE_MIN_MS;
  private downUntil = 0;
  readonly counts = { sent: 0, skipped: { inflight: 0, tokens_per_minute: 0, shadow_down: 0 } };

  constructor(
    private readonly opts: ShadowOptions,
    private readonly onResult: (copy: ShadowCopy, r: SentRequest) => void,
  ) {
    const u = new URL(opts.url);
    this.prefix = u.pathname.replace(/\/+$/, '');
    this.origin = u.origin;
  }

  private clientFor(api: ApiKind): HttpProtocolClient {
    let c = this.clients.get(api);
    if (!c) {
      // A copy is cut after stall_ms without a packet once packets came, or twice that without any output.
      const stall = this.opts.stall_ms ?? 60_000;
      const timeouts = { total_ms: this.opts.total_ms ?? 600_000, ttft_ms: 2 * stall, stall_ms: stall };
      c = new HttpProtocolClient(createAdapter({ api, model: '', headers: {}, timeouts }, `${this.origin}/`), timeouts, this.origin, 1024);
      this.clients.set(api, c);
    }
    return c;
  }

  /** Copies waiting for their delay or in flight. */
  get inflight(): number {
    return this.outstanding;
  }

  /** Takes a copy, or says why it was skipped. */
  offer(copy: ShadowCopy): SkipReason | undefined {
    if (this.closed) return 'inflight';
    if (this.downUntil > 0 && performance.now() < this.downUntil) {
      this.counts.skipped.shadow_down++;
      return 'shadow_down';
    }
    if (this.outstanding >= (this.opts.max_inflight ?? 64)) {
      this.counts.skipped.inflight++;
      return 'inflight';
    }
    const tpm = this.opts.tokens_per_minute;
    if (tpm !== undefined) {
      const now = performance.now();
      while (this.window.length > 0 && now - this.window[0]!.at >= 60_000) this.windowTokens -= this.window.shift()!.tokens;
      if (this.windowTokens + copy.tokens > tpm) {
        this.counts.skipped.tokens_per_minute++;
        return 'tokens_per_minute';
      }
      this.window.push({ at: now, tokens: copy.tokens });
      this.windowTokens += copy.tokens;
    }
    this.outstanding++;
    this.counts.sent++;
    const delay = this.opts.delay_ms ?? 0;
    if (delay > 0) {
      const t = setTimeout(() => {
        this.delayed.delete(t);
        this.send(copy);
      }, delay);
      this.delayed.add(t);
    } else {
      // The mirror's worker (or, on one thread, a turn after the primary's dispatch): nothing to wait for.
      this.send(copy);
    }
    return undefined;
  }

  private send(copy: ShadowCopy): void {
    if (this.closed) {
      this.settle();
      return;
    }
    const { headers, path } = shadowRequest(copy.headers, copy.path, this.opts.key);
    if (headers['accept-encoding'] !== undefined) headers['accept-encoding'] = 'identity';
    const full = this.prefix && !path.startsWith(`${this.prefix}/`) ? this.prefix + path : path;
    let unsent = true;
    this.unsent++;
    const onWire = (): void => {
      if (!unsent) return;
      unsent = false;
      if (--this.unsent === 0) for (const w of this.wireWaiters.splice(0)) w();
    };
    const sent = this.clientFor(copy.api).sendBuilt({ path: full, method: copy.method, headers: headers as Record<string, string | string[]>, body: copy.body }, this.cancel.signal, onWire);
    void sent.then((r) => {
      onWire();
      this.noteReachable(r);
      try {
        this.onResult(copy, r);
      } finally {
        this.settle();
      }
    });
  }

  /** Counts copies in a row that could not connect; DOWN_AFTER of them pause the copies. */
  private noteReachable(r: SentRequest): void {
    if (r.error?.kind !== 'connect') {
      this.connectFails = 0;
      this.pauseMs = PAUSE_MIN_MS;
      this.downUntil = 0;
      return;
    }
    if (++this.connectFails < DOWN_AFTER) return;
    this.downUntil = performance.now() + this.pauseMs;
    this.pauseMs = Math.min(PAUSE_MAX_MS, this.pauseMs * 2);
  }

  private settle(): void {
    this.outstanding--;
    if (this.outstanding === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Resolves when every copy sent is on its socket (or ended), or after `ms`: a stop right after a
   * request still lets its copy reach the shadow, even when the worker has been slow to send it.
   */
  onWire(ms: number): Promise<void> {
    if (this.unsent === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wireWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Resolves when no copy is waiting or in flight. */
  idle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops: copies waiting for their delay are dropped, those in flight are cancelled; returns how many were unfinished. */
  async close(): Promise<number> {
    const unfinished = this.outstanding;
    this.closed = true;
    for (const t of this.delayed) {
      clearTimeout(t);
      this.settle();
    }
    this.delayed.clear();
    this.cancel.abort();
    await this.idle();
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    return unfinished;
  }
}
