/**
 * Sends one streaming HTTP request through a shared connection pool and records the response as
 * timestamped packets. The pool is llmload's own HTTP/1.1 client (http1-pool.ts), or undici's Pool
 * with `LLMLOAD_HTTP_CLIENT=undici`; both call the same handler. The clock: `sent_at` is taken when
 * the pool hands the request to a socket; every read's `t_ms` is taken when the read arrives (by
 * llmload's pool, before it parses the read; first thing in the data callback with undici). Never
 * rejects: every failure becomes `result.error`, and the packets received so far are kept.
 *
 * A request that fails on a reused connection before any response byte arrived (the server had
 * closed it: it never reached the model) is sent once more on a fresh connection and counted in
 * `retries`; its `sent_at` is then the retry's send. 1xx interim responses are skipped, redirects
 * and error bodies are classified by http-errors.ts, `content-encoding` bodies are decoded.
 */
import type { Socket } from 'node:net';
import { Client, Pool, type Dispatcher } from 'undici';
import { Http1Pool, type Http1Handler, type Http1Request, type RequestDispatcher } from './http1-pool';
import type { PromptPlan, Timeouts } from '../scenario/plan';
import { AbortWith } from './abort-with';
import type { ProtocolAdapter, StreamDecoder } from './adapter';
import { BodyDecoder, decodeErrorBody, encodingOf } from './content-decoding';
import { emptyConnectionStats, expectSocket, requestSent, responseEnded, responseStarted, socketInfo, type ConnectionStats, type SocketInfo } from './connections';
import { classifyHttpFailure, streamErrorKind } from './http-errors';
import { sentRequestOf, type SentRequest } from './sent-request';
import { StreamRecord } from './stream-record';
import { classifyTransportError, describeError } from './transport-errors';
import type { ErrorKind } from './types';

export type { SentRequest } from './sent-request';

export interface ProtocolClient {
  /** Never rejects: every failure is a classified `result.error`. */
  send(prompt: PromptPlan, signal?: AbortSignal): Promise<SentRequest>;
  close(): Promise<void>;
  /** HTTP clients: connections opened, closed by the server after a response, retries. */
  connectionStats?(): ConnectionStats;
}

export interface HttpClientOptions {
  /** False: every request on a fresh connection, closed after its response (`keep_alive off`). Default true. */
  keep_alive?: boolean;
  /** Whose HTTP/1.1 client: llmload's own (http1-pool.ts, the default) or undici's Pool. */
  transport?: HttpTransport;
}

export type HttpTransport = 'llmload' | 'undici';

/** The transport `LLMLOAD_HTTP_CLIENT` names (`undici` or `llmload`), llmload's own by default. */
export function defaultTransport(env: NodeJS.ProcessEnv = process.env): HttpTransport {
  const v = env.LLMLOAD_HTTP_CLIENT?.trim().toLowerCase();
  if (v === undefined || v === '' || v === 'llmload') return 'llmload';
  if (v === 'undici') return 'undici';
  throw new Error(`LLMLOAD_HTTP_CLIENT=${env.LLMLOAD_HTTP_CLIENT}: write llmload (the default) or undici`);
}

/** How long the body may go on after its done marker before the connection is cut. */
export const DRAIN_MS = 2000;

/** Error bodies (HTTP >= 300) are read up to this many bytes into the error message. */
export const ERROR_BODY_LIMIT = 4096;

/**
 * A response header from the raw head ([name, value, …]: Buffers from undici, latin1 strings from
 * llmload's pool), as undici's own parseHeaders and a lookup would give it: the name matched
 * without case, the value read as latin1 (bytes as sent), repeated headers joined with ", ".
 * `name` is lower case. Names of another length are skipped without being decoded.
 */
export function rawHeader(raw: readonly (Buffer | string)[], name: string): string | undefined {
  let value: string | undefined;
  let more: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length !== name.length || (typeof k === 'string' ? k : k.toString('latin1')).toLowerCase() !== name) continue;
    const r = raw[i + 1]!;
    const v = typeof r === 'string' ? r : r.toString('latin1');
    if (value !== undefined) (more ??= [value]).push(v);
    else value = v;
  }
  return more ? more.join(', ') : value;
}

/**
 * The abort function the pool gives a raw handler in onConnect (a no-op once the request was aborted
 * or completed). Kept as it is: wrapping it in a closure per request made the handler's objects
 * outlive the young generation (old-space collections every half second on short streams).
 */
type AbortDispatch = (err: Error) => void;

/** A request ready for the pool; its body buffer is only read, so requests of one prompt share it. */
interface BuiltRequest {
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  body: Buffer | null;
}

/** One target, one pool: keep-alive connections, no pipelining (each stream owns its socket). */
export class HttpProtocolClient implements ProtocolClient {
  readonly pool: RequestDispatcher;
  readonly transport: HttpTransport;
  private readonly origin: string;
  private readonly keepAlive: boolean;
  readonly stats: ConnectionStats;
  /** Requests already built, by prompt object. */
  private readonly built = new WeakMap<PromptPlan, BuiltRequest>();
  /** One-request clients of retries in flight (a retry needs a connection that is surely fresh). */
  private readonly fresh = new Set<RequestDispatcher>();
  private closed = false;

  constructor(
    private readonly adapter: ProtocolAdapter,
    private readonly timeouts: Timeouts,
    origin: string,
    connections: number,
    opts: HttpClientOptions = {},
  ) {
    this.origin = origin;
    this.keepAlive = opts.keep_alive !== false;
    this.stats = emptyConnectionStats(this.keepAlive);
    this.transport = opts.transport ?? defaultTransport();
    this.pool = this.transport === 'undici' ? (new Pool(origin, { connections, pipelining: 1 }) as unknown as RequestDispatcher) : new Http1Pool(origin, connections);
  }

  connectionStats(): ConnectionStats {
    return { ...this.stats };
  }

  /** A client with one new connection, for one retry; closed when that request is done. */
  freshClient(): RequestDispatcher {
    const c = this.transport === 'undici' ? (new Client(this.origin, { pipelining: 1 }) as unknown as RequestDispatcher) : new Http1Pool(this.origin, 1);
    this.fresh.add(c);
    return c;
  }

  releaseFresh(c: RequestDispatcher): void {
    if (!this.fresh.delete(c)) return;
    c.close().catch(() => undefined);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(prompt: PromptPlan, signal?: AbortSignal): Promise<SentRequest> {
    const callAt = performance.now();
    let req = this.built.get(prompt);
    if (req === undefined) {
      try {
        req = this.build(prompt);
      } catch (err) {
        return Promise.resolve(failedBeforeSend(callAt, 'connect', `cannot build request: ${describeError(err)}`));
      }
      // A scenario's prompts are sent again and again; per-request prompts (nonces, later session turns) are new objects each time.
      if (prompt.nonce === undefined && prompt.session === undefined) this.built.set(prompt, req);
    }
    if (this.closed) return Promise.resolve(failedBeforeSend(callAt, 'cancelled', 'client is closed'));
    if (signal?.aborted) return Promise.resolve(failedBeforeSend(callAt, 'cancelled', 'aborted before sending'));
    return this.dispatchTimed(req.path, req.method, req.headers, req.body, callAt, signal);
  }

  /** The request of a prompt, as the pool takes it: built once per prompt object (prompts are not changed once planned). */
  private build(prompt: PromptPlan): BuiltRequest {
    let spec = this.adapter.buildRequest(prompt);
    // Builtin targets only (the runner sets sim_answer for them): the answer the simulator is to give (src/core/sim/answers.ts).
    if (prompt.sim_answer !== undefined) spec = { ...spec, headers: { ...spec.headers, 'x-llmload-sim-answer': prompt.sim_answer } };
    const url = new URL(spec.url);
    if (url.origin !== this.origin) throw new Error(`request URL ${spec.url} is not on the client's origin ${this.origin}`);
    return { path: url.pathname + url.search, method: spec.method, headers: spec.headers, body: spec.method === 'GET' ? null : Buffer.from(spec.body, 'utf8') };
  }

  /**
   * A request built elsewhere, sent as it is (the mirror's shadow copies: the client's method,
   * path, headers and body bytes) and timed exactly as send() times its own.
   */
  sendBuilt(req: { method: string; path: string; headers: Record<string, string | string[]>; body: Buffer | null }, signal?: AbortSignal, onSent?: () => void): Promise<SentRequest> {
    const callAt = performance.now();
    if (this.closed) return Promise.resolve(failedBeforeSend(callAt, 'cancelled', 'client is closed'));
    if (signal?.aborted) return Promise.resolve(failedBeforeSend(callAt, 'cancelled', 'aborted before sending'));
    return this.dispatchTimed(req.path, req.method, req.headers, req.body, callAt, signal, onSent);
  }

  private dispatchTimed(path: string, method: string, headers: Record<string, string | string[]>, body: Buffer | null, callAt: number, signal?: AbortSignal, onSent?: () => void): Promise<SentRequest> {
    const opts: Http1Request & Dispatcher.DispatchOptions = { path, method: method as Dispatcher.HttpMethod, headers, body, headersTimeout: 0, bodyTimeout: 0, blocking: true };
    if (!this.keepAlive) opts.reset = true;
    return new Promise<SentRequest>((resolve) => {
      new Exchange(this, this.adapter, this.timeouts, resolve, signal, onSent).start(opts, callAt);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const fresh = [...this.fresh];
    this.fresh.clear();
    await Promise.all([this.pool.destroy(), ...fresh.map((c) => c.destroy())]);
  }
}

function failedBeforeSend(at: number, kind: ErrorKind, message: string): SentRequest {
  return {
    sent_at: at,
    start_ms: performance.timeOrigin + at,
    http_status: null,
    packets: [],
    end_ms: performance.now() - at,
    answer_text: '',
    thinking_text: '',
    answer_chunks: 0,
    thinking_chunks: 0,
    complete: false,
    error: { kind, message },
  };
}

/**
 * Who to cancel when a signal aborts. A run passes one signal to thousands of requests in flight;
 * an EventTarget listener each would make every add and remove walk the signal's whole listener
 * list (quadratic with 5,000 streams). One listener per signal and a Set per signal instead; the
 * callbacks run in the order the requests started, as listeners would.
 */
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

function watchSignal(signal: AbortSignal, cb: () => void): void {
  let set = watchers.get(signal);
  if (!set) {
    const s = new Set<() => void>();
    set = s;
    watchers.set(signal, s);
    signal.addEventListener(
      'abort',
      () => {
        const all = [...s];
        s.clear();
        for (const f of all) f();
      },
      { once: true },
    );
  }
  set.add(cb);
}

function unwatchSignal(signal: AbortSignal, cb: () => void): void {
  watchers.get(signal)?.delete(cb);
}

/**
 * Exchanges whose done marker arrived before their body ended. Servers end the body in the same read
 * as the done marker nearly always, so the drain timer is armed only for those still open a loop turn
 * later: one setImmediate per turn, not a timer set and cleared per request.
 */
let draining: Exchange[] = [];
let drainTurn: NodeJS.Immediate | undefined;

function scheduleDrain(x: Exchange): void {
  draining.push(x);
  if (drainTurn === undefined) {
    drainTurn = setImmediate(armDrains);
    drainTurn.unref();
  }
}

function armDrains(): void {
  const all = draining;
  draining = [];
  drainTurn = undefined;
  for (const x of all) x.armDrain();
}

/** Timer callbacks that take their exchange as the argument: no closure per request. */
function totalTimerFired(x: Exchange): void {
  x.totalTimerFired();
}

function ttftTimerFired(x: Exchange): void {
  x.ttftTimerFired();
}

/** The state of one request in flight. */
class Exchange implements Http1Handler {
  private sentAt = 0;
  private started = false;
  private finished = false;
  /** Aborts the dispatch once the pool started it (onConnect); undefined before. */
  private abortDispatch?: AbortDispatch;
  private pendingAbort?: AbortWith;
  private status: number | null = null;
  private firstByte?: number;
  private retryAfter?: string;
  private location?: string;
  private errorEncoding?: string;
  private decoder?: StreamDecoder;
  /** Set when the body has a content-encoding: bytes go through it before the decoder. */
  private bodyDecoder?: BodyDecoder;
  private readonly record0 = new StreamRecord();
  private errorBody?: { chunks: Buffer[]; bytes: number };
  private totalTimer?: NodeJS.Timeout;
  private ttftTimer?: NodeJS.Timeout;
  private stallTimer?: NodeJS.Timeout;
  /** performance.now() of the last read that brought packets (the stall clock's zero). */
  private lastPacketAt = 0;
  private packetsSeen = 0;
  private drainTimer?: NodeJS.Timeout;
  /** Set from the done marker until the body ends: the request to cut if the server keeps it open. */
  private drainAbort?: AbortDispatch;
  private readonly onAbort = (): void => this.abort(new AbortWith('cancelled', 'cancelled by the caller'));
  private opts?: Http1Request;
  /** The socket this attempt went out on, its connection info, and what it had read before. */
  private socket?: Socket;
  private sock?: SocketInfo;
  private reused = false;
  private bytesReadAtSend = 0;
  /** A 1xx interim response arrived (the server has seen the request). */
  private interim = false;
  private closing = false;
  private retries = 0;
  private retryClient?: RequestDispatcher;

  constructor(
    private readonly client: HttpProtocolClient,
    private readonly adapter: ProtocolAdapter,
    private readonly timeouts: Timeouts,
    private readonly resolve: (r: SentRequest) => void,
    private readonly signal: AbortSignal | undefined,
    /** Called when the request is handed to its socket (again on a retry). */
    private readonly onSent?: () => void,
  ) {}

  get path(): string {
    return this.opts?.path ?? '';
  }

  private get record(): StreamRecord {
    return this.decoder?.record ?? this.record0;
  }

  start(opts: Http1Request, callAt: number): void {
    this.sentAt = callAt;
    this.opts = opts;
    if (this.signal) watchSignal(this.signal, this.onAbort);
    this.armClock();
    try {
      this.client.pool.dispatch(opts, this);
    } catch (err) {
      this.record.fail(classifyTransportError(err, false), describeError(err));
      this.finish(performance.now());
    }
  }

  /** Called with the socket this request is written to: by the pool, or for undici's by connections.ts. */
  onSocket(socket: Socket): void {
    this.socket = socket;
    const info = socketInfo(socket, this.client.stats, this.client.transport === 'undici');
    this.sock = info;
    this.reused = info.requests > 0;
    info.requests++;
    requestSent(info);
    this.bytesReadAtSend = socket.bytesRead;
  }

  /**
   * Arms the total and TTFT timers. They count from `sentAt`, which moves forward when the request
   * reaches its socket (and again on a retry): a timer that fires before its time from the current
   * `sentAt` re-arms itself for the rest, so a request needs one timer each, not one per move.
   */
  private armClock(): void {
    const { total_ms, ttft_ms } = this.timeouts;
    if (total_ms > 0 && this.totalTimer === undefined) this.totalTimer = setTimeout(totalTimerFired, total_ms, this);
    if (ttft_ms !== undefined && ttft_ms > 0 && this.ttftTimer === undefined) this.ttftTimer = setTimeout(ttftTimerFired, ttft_ms, this);
  }

  /** The total timer fired: the request is aborted when `total_ms` passed since its (latest) send. */
  totalTimerFired(): void {
    this.totalTimer = undefined;
    if (this.finished) return;
    const total = this.timeouts.total_ms;
    const left = total - (performance.now() - this.sentAt);
    if (left > 0) this.totalTimer = setTimeout(totalTimerFired, left, this);
    else this.abort(new AbortWith('timeout_total', `no end of stream within ${total} ms`));
  }

  /** The TTFT timer fired: aborted when no output came `ttft_ms` after the (latest) send. */
  ttftTimerFired(): void {
    this.ttftTimer = undefined;
    if (this.finished || this.record.first_output_ms !== undefined) return;
    const ttft = this.timeouts.ttft_ms!;
    const left = ttft - (performance.now() - this.sentAt);
    if (left > 0) this.ttftTimer = setTimeout(ttftTimerFired, left, this);
    else this.abort(new AbortWith('timeout_ttft', `no output within ${ttft} ms`));
  }

  /**
   * A packet arrived: the stall clock restarts. One timer per request, not one per packet: it
   * notes the time, and the timer, when it fires, re-arms itself for the rest of the stall window
   * if a packet came meanwhile.
   */
  private armStall(): void {
    const stall = this.timeouts.stall_ms;
    if (stall === undefined || stall <= 0) return;
    this.lastPacketAt = performance.now();
    if (this.stallTimer === undefined) this.stallTimer = setTimeout(this.checkStall, stall);
  }

  private readonly checkStall = (): void => {
    this.stallTimer = undefined;
    if (this.finished) return;
    const stall = this.timeouts.stall_ms!;
    const idle = performance.now() - this.lastPacketAt;
    if (idle >= stall) this.abort(new AbortWith('timeout_stall', `no packet for ${stall} ms`));
    else this.stallTimer = setTimeout(this.checkStall, stall - idle);
  };

  private abort(reason: AbortWith): void {
    if (this.finished) return;
    const now = performance.now();
    // A stream whose done marker arrived is complete, whatever happens to the connection after.
    if (!this.record.complete) this.record.fail(reason.kind, reason.message);
    if (!this.abortStarted(reason)) this.pendingAbort = reason;
    this.finish(now);
  }

  /** Aborts the started dispatch with `reason` (once); false when the pool has not started it yet. */
  private abortStarted(reason: Error): boolean {
    const abort = this.abortDispatch;
    if (abort === undefined) return false;
    try {
      abort(reason);
    } catch {
      // already gone
    }
    return true;
  }

  // undici's own handler interface (onConnect, onHeaders, onData, onComplete, onError), which its
  // HTTP/1.1 client calls directly, and llmload's pool calls the same way: with the
  // controller-style one (onRequestStart …) undici wraps every request in an adapter that also
  // parses the head and trailers into objects, 0.5 µs a request the client does not need (it reads
  // four headers from the raw head).

  onConnect(abort: AbortDispatch): void {
    this.abortDispatch = abort;
    if (this.finished) {
      this.abortDispatch(this.pendingAbort ?? new AbortWith('cancelled', 'request finished before it was sent'));
      return;
    }
    this.sentAt = performance.now();
    this.started = true;
    if (this.client.transport === 'undici') expectSocket(this);
    this.armClock();
    this.onSent?.();
  }

  onHeaders(statusCode: number, headers: (Buffer | string)[], _resume?: unknown, _text?: string, at?: number): boolean {
    const t = (at ?? performance.now()) - this.sentAt;
    if (statusCode < 200) {
      // An interim response (103 Early Hints, 102 Processing): the real one follows.
      this.interim = true;
      return true;
    }
    if (this.sock) responseStarted(this.sock);
    this.closing = rawHeader(headers, 'connection')?.toLowerCase() === 'close';
    if (this.finished) return true;
    this.firstByte = t;
    this.status = statusCode;
    if (statusCode >= 300) {
      this.retryAfter = rawHeader(headers, 'retry-after');
      this.location = rawHeader(headers, 'location');
      this.errorEncoding = rawHeader(headers, 'content-encoding');
      this.errorBody = { chunks: [], bytes: 0 };
      return true;
    }
    this.openDecoder((rawHeader(headers, 'content-type') ?? '').toLowerCase(), rawHeader(headers, 'content-encoding'));
    return true;
  }

  private openDecoder(contentType: string, encodingHeader: string | undefined): void {
    try {
      this.decoder = this.adapter.createDecoder({ contentType });
    } catch (err) {
      this.record0.fail('bad_stream', `cannot create decoder: ${describeError(err)}`);
      return;
    }
    if (encodingHeader !== undefined) this.openBodyDecoder(encodingHeader);
  }

  /** The body is compressed: decoded bytes reach the stream decoder with their reads' arrival times. */
  private openBodyDecoder(encodingHeader: string): void {
    const encoding = encodingOf(encodingHeader);
    if (encoding === '') return;
    if (encoding === undefined) {
      this.record.fail('bad_stream', `unsupported content-encoding "${encodingHeader}" (gzip, deflate and br are decoded)`);
      return;
    }
    this.bodyDecoder = new BodyDecoder(encoding, {
      data: (chunk, t) => {
        if (this.finished) return;
        this.feed(chunk, t);
      },
      end: () => this.bodyEnded(performance.now() - this.sentAt),
      error: (err) => {
        if (this.finished) return;
        this.record.fail('bad_stream', `cannot decode the ${encoding} body: ${describeError(err)}`);
        this.finish(performance.now());
      },
    });
  }

  onData(chunk: Buffer, at?: number): boolean {
    const t = (at ?? performance.now()) - this.sentAt;
    if (this.finished) return true;
    if (this.errorBody) {
      const room = ERROR_BODY_LIMIT - this.errorBody.bytes;
      if (room > 0) {
        const part = chunk.subarray(0, room);
        this.errorBody.chunks.push(Buffer.from(part));
        this.errorBody.bytes += part.length;
      }
      if (this.errorBody.bytes >= ERROR_BODY_LIMIT) {
        this.failHttp(t);
        this.abortStarted(new AbortWith(this.record.error?.kind ?? 'http_5xx', 'error body limit reached'));
      }
      return true;
    }
    if (this.bodyDecoder) this.bodyDecoder.write(Buffer.from(chunk), t); // zlib reads it later: a copy
    else this.feed(chunk, t);
    return true;
  }

  /** Body bytes (decoded when they were compressed) into the stream decoder. */
  private feed(chunk: Buffer, t: number): void {
    if (!this.decoder) return;
    try {
      this.decoder.push(chunk, t);
    } catch (err) {
      this.record.fail('bad_stream', `decoder failed: ${describeError(err)}`);
    }
    this.afterPackets();
    if (this.record.complete && this.abortDispatch) this.finishAtDone(this.abortDispatch);
  }

  /**
   * The done marker arrived: the result is final now, whatever the connection does next. The rest
   * of the body is drained in the background so the connection can be reused; a server that keeps
   * the response open is cut after DRAIN_MS.
   */
  private finishAtDone(abort: AbortDispatch): void {
    this.finish(performance.now());
    this.drainAbort = abort;
    scheduleDrain(this);
  }

  /**
   * Called a loop turn after the done marker (see scheduleDrain): the body has not ended yet, so
   * the server gets DRAIN_MS to end it before the connection is cut.
   */
  armDrain(): void {
    const abort = this.drainAbort;
    if (abort === undefined) return;
    this.drainTimer = setTimeout(() => {
      try {
        abort(new AbortWith('cancelled', 'response kept open after its done marker'));
      } catch {
        // already gone
      }
    }, DRAIN_MS);
    this.drainTimer.unref();
  }

  /** The body ended (or failed): nothing is left to drain. */
  private drained(): void {
    this.drainAbort = undefined;
    clearTimeout(this.drainTimer);
  }

  private afterPackets(): void {
    const rec = this.record;
    if (rec.packet_count !== this.packetsSeen) {
      this.packetsSeen = rec.packet_count;
      this.armStall();
      if (rec.first_output_ms !== undefined && this.ttftTimer) {
        clearTimeout(this.ttftTimer);
        this.ttftTimer = undefined;
      }
    }
  }

  onComplete(): void {
    const t = performance.now() - this.sentAt;
    this.drained();
    if (this.sock) responseEnded(this.sock, this.closing);
    if (this.finished) return;
    if (this.errorBody) {
      this.failHttp(t);
      return;
    }
    if (this.bodyDecoder) this.bodyDecoder.end();
    else this.bodyEnded(t);
  }

  /** The whole body was read (and decoded). */
  private bodyEnded(t: number): void {
    if (this.finished) return;
    if (this.decoder) {
      try {
        this.decoder.end(t);
      } catch (err) {
        this.record.fail('bad_stream', `decoder failed: ${describeError(err)}`);
      }
    }
    const rec = this.record;
    if (!rec.complete && !rec.error) rec.fail('disconnect', 'stream ended before its done marker');
    this.finish(t + this.sentAt);
  }

  onError(err: Error): void {
    const now = performance.now();
    this.drained();
    if (this.finished) return;
    if (err instanceof AbortWith) this.record.fail(err.kind, err.message);
    else if (this.errorBody) this.failHttp(now - this.sentAt);
    else if (this.staleConnection()) {
      this.retry();
      return;
    } else {
      const rec = this.record;
      if (this.decoder && !rec.complete) {
        try {
          this.decoder.end(now - this.sentAt);
        } catch {
          // the transport error below is the failure
        }
      }
      if (!rec.complete && this.client.isClosed) rec.fail('cancelled', 'client closed while the request was in flight');
      else if (!rec.complete) {
        const kind = classifyTransportError(err, this.started);
        rec.fail(kind, describeError(err));
      }
    }
    this.finish(now);
  }

  /**
   * The request went out on a connection that had carried a response before, and failed before
   * any byte of its own response: the server had closed that connection, so the request never
   * reached the model. Retried once.
   */
  private staleConnection(): boolean {
    if (this.retries > 0 || !this.started || !this.reused || this.interim || this.status !== null || this.client.isClosed) return false;
    return this.socket !== undefined && this.socket.bytesRead === this.bytesReadAtSend;
  }

  /** Sends the request again on a new connection of its own; the clocks restart at its send. */
  private retry(): void {
    this.retries++;
    this.client.stats.retries++;
    this.abortDispatch = undefined;
    this.started = false;
    this.socket = undefined;
    this.sock = undefined;
    this.reused = false;
    const c = this.client.freshClient();
    this.retryClient = c;
    try {
      c.dispatch({ ...this.opts!, reset: true }, this);
    } catch (err) {
      this.record.fail(classifyTransportError(err, false), describeError(err));
      this.finish(performance.now());
    }
  }

  private failHttp(t: number): void {
    if (this.finished || !this.errorBody) return;
    const raw = Buffer.concat(this.errorBody.chunks);
    const text = (this.errorEncoding === undefined ? raw : decodeErrorBody(this.errorEncoding, raw)).toString('utf8');
    const f = classifyHttpFailure(this.status ?? 0, text, this.location);
    this.record.fail(f.kind, f.message, this.retryAfter);
    this.finish(t + this.sentAt);
  }

  private finish(now: number): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.totalTimer);
    clearTimeout(this.ttftTimer);
    clearTimeout(this.stallTimer);
    if (this.signal) unwatchSignal(this.signal, this.onAbort);
    this.bodyDecoder?.destroy();
    if (this.retryClient) this.client.releaseFresh(this.retryClient);
    const rec = this.record;
    const result = sentRequestOf(rec, this.sentAt, this.status, now - this.sentAt, this.firstByte);
    if (result.error?.kind === 'stream_error') result.error.kind = streamErrorKind(result.error.message);
    if (this.retries > 0) result.retries = this.retries;
    if (rec.packets_dropped > 0) result.packets_dropped = rec.packets_dropped;
    this.resolve(result);
  }
}
