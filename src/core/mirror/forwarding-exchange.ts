/**
 * The primary's side of one proxied request, on the proxy's event loop: sent as is (method, path,
 * headers, body bytes) through an undici dispatcher, every byte handed to the client (the sink)
 * the moment it arrives, its backpressure pausing the upstream read. Timing here is only what
 * must be taken where bytes arrive: `sent_at` when undici hands the request to a socket, each
 * read's arrival time, taken first thing in the data callback. The bytes and times are kept in a
 * StreamLog (./stream-log.ts) and decoded later, off this loop, by the mirror's worker thread, so
 * the loop that forwards the client's bytes parses nothing. Never rejects.
 */
import type { Dispatcher } from 'undici';
import { AbortWith } from '../protocols/abort-with';
import { classifyTransportError, describeError } from '../protocols/transport-errors';
import type { ErrorKind } from '../protocols/types';
import type { HeaderMap } from './secrets';
import { LOGGED_ERROR_BYTES, type StreamEnd, type StreamLog } from './stream-log';

export interface ExchangeRequest {
  path: string;
  method: string;
  headers: HeaderMap;
  body: Buffer | null;
}

/**
 * The primary's answer head as undici read it: [name, value, name, value, …] in the order and
 * case they came, latin1 strings (bytes as sent), duplicates kept.
 */
export type RawHeaders = string[];

/** Where the response goes as it arrives (the client of the primary). */
export interface ExchangeSink {
  onHead(status: number, headers: RawHeaders): void;
  /** false: the sink is full; `onDrain` is then called with the function that resumes reading. */
  onData(chunk: Buffer): boolean;
  onDrain(resume: () => void): void;
  onEnd(): void;
  /** The upstream failed; `headSent` says whether onHead was called. */
  onError(err: Error, headSent: boolean): void;
}

export interface ForwardOptions {
  sink: ExchangeSink;
  /** Keep a StreamLog of the answer (a timed API); false: bytes are passed on, nothing kept. */
  log: boolean;
  /**
   * Called once the request has been written to its socket (a microtask after undici handed it
   * over; undici writes in the same turn), so work done here never delays the primary's request.
   */
  onSent?(): void;
}

export interface ForwardingExchange {
  /** Resolves when the answer ended, failed or was cut; with its log when one was kept. */
  result: Promise<StreamLog | undefined>;
  /** Ends the request; the log says `kind` (the decoder keeps a stream that was already complete). */
  abort(kind: ErrorKind, message: string): void;
}

export function forwardExchange(dispatcher: Dispatcher, req: ExchangeRequest, opts: ForwardOptions): ForwardingExchange {
  let resolve!: (r: StreamLog | undefined) => void;
  const result = new Promise<StreamLog | undefined>((r) => (resolve = r));
  const ex = new Forwarding(opts, resolve);
  ex.start(dispatcher, req);
  return { result, abort: (kind, message) => ex.abort(new AbortWith(kind, message)) };
}

/** Initial size of a log's byte buffer; it doubles as the answer grows. */
const LOG_BYTES_INITIAL = 4096;

/**
 * undici's own handler interface (onConnect, onHeaders, onData, onComplete, onError), which its
 * HTTP/1.1 client calls directly: the controller-style interface (onRequestStart …) is wrapped by
 * undici in an adapter per request that also turns the raw head and trailers into objects, work
 * the proxy does not need on its hot path (the raw head is what it forwards).
 */
interface RawDispatchHandler {
  onConnect(abort: (err?: Error) => void): void;
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: Buffer[] | null): void;
  onError(err: Error): void;
}

class Forwarding implements RawDispatchHandler {
  private sentAt = performance.now();
  private started = false;
  private finished = false;
  private abortRequest?: (err?: Error) => void;
  private resumeRead?: () => void;
  private pending?: AbortWith;
  private status: number | null = null;
  private firstByte?: number;
  private headSent = false;
  private contentType = '';
  private retryAfter?: string;
  private location?: string;
  private contentEncoding?: string;
  /** The answer's bytes (logging only): one growing buffer, each read's end offset and arrival time. */
  private bytes?: Uint8Array;
  private length = 0;
  private readonly ends: number[] = [];
  private readonly times: number[] = [];
  private limit = Infinity;
  private readonly resume = (): void => this.resumeRead?.();

  constructor(
    private readonly opts: ForwardOptions,
    private readonly resolve: (r: StreamLog | undefined) => void,
  ) {}

  start(dispatcher: Dispatcher, req: ExchangeRequest): void {
    try {
      dispatcher.dispatch(
        { path: req.path, method: req.method as Dispatcher.HttpMethod, headers: req.headers as Record<string, string | string[]>, body: req.body, headersTimeout: 0, bodyTimeout: 0, blocking: false },
        this as unknown as Dispatcher.DispatchHandler,
      );
    } catch (err) {
      this.opts.sink.onError(err as Error, false);
      this.finish(performance.now(), { how: 'error', kind: classifyTransportError(err, false), message: describeError(err) });
    }
  }

  abort(reason: AbortWith): void {
    if (this.finished) return;
    const now = performance.now();
    if (this.abortRequest) {
      try {
        this.abortRequest(reason);
      } catch {
        // already gone
      }
    } else this.pending = reason;
    this.finish(now, { how: 'abort', kind: reason.kind, message: reason.message });
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortRequest = abort;
    if (this.finished) {
      abort(this.pending ?? new AbortWith('cancelled', 'finished before it was sent'));
      return;
    }
    this.sentAt = performance.now();
    this.started = true;
    if (this.opts.onSent) queueMicrotask(this.opts.onSent);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    const t = performance.now() - this.sentAt;
    this.resumeRead = resume;
    // An interim response (103 Early Hints, 102 Processing): the real one follows.
    if (statusCode < 200 || this.finished) return true;
    this.firstByte = t;
    this.status = statusCode;
    this.headSent = true;
    const headers: RawHeaders = new Array<string>(rawHeaders.length);
    for (let i = 0; i < rawHeaders.length; i++) headers[i] = rawHeaders[i]!.toString('latin1');
    this.opts.sink.onHead(statusCode, headers);
    if (!this.opts.log) return true;
    this.bytes = new Uint8Array(LOG_BYTES_INITIAL);
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i]!.toLowerCase();
      const value = headers[i + 1]!;
      if (name === 'content-type') this.contentType = value.toLowerCase();
      else if (name === 'content-encoding') this.contentEncoding = this.contentEncoding === undefined ? value : `${this.contentEncoding}, ${value}`;
      else if (statusCode >= 300 && name === 'retry-after') this.retryAfter = value;
      else if (statusCode >= 300 && name === 'location') this.location = value;
    }
    if (statusCode >= 300) this.limit = LOGGED_ERROR_BYTES;
    return true;
  }

  onData(chunk: Buffer): boolean {
    const t = performance.now() - this.sentAt;
    if (this.finished) return true;
    // The client first: its bytes go out before anything is kept.
    const sink = this.opts.sink;
    const more = sink.onData(chunk);
    if (!more) sink.onDrain(this.resume);
    if (this.bytes === undefined || this.length >= this.limit) return more;
    const n = Math.min(chunk.length, this.limit - this.length);
    if (this.length + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(n === chunk.length ? chunk : chunk.subarray(0, n), this.length);
    this.length += n;
    this.ends.push(this.length);
    this.times.push(t);
    return more;
  }

  onComplete(): void {
    const t = performance.now() - this.sentAt;
    if (this.finished) return;
    this.opts.sink.onEnd();
    this.finish(t + this.sentAt, { how: 'end' });
  }

  onError(err: Error): void {
    const now = performance.now();
    if (this.finished) return;
    this.opts.sink.onError(err, this.headSent);
    if (err instanceof AbortWith) this.finish(now, { how: 'abort', kind: err.kind, message: err.message });
    else this.finish(now, { how: 'error', kind: classifyTransportError(err, this.started), message: describeError(err) });
  }

  private finish(now: number, end: StreamEnd): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.opts.log) return this.resolve(undefined);
    const log: StreamLog = {
      sent_at: this.sentAt,
      start_ms: performance.timeOrigin + this.sentAt,
      status: this.status,
      content_type: this.contentType,
      bytes: this.bytes ?? new Uint8Array(0),
      length: this.length,
      ends: this.ends,
      times: this.times,
      end: { ...end, t: now - this.sentAt },
    };
    if (this.firstByte !== undefined) log.first_byte_ms = this.firstByte;
    if (this.retryAfter !== undefined) log.retry_after = this.retryAfter;
    if (this.location !== undefined) log.location = this.location;
    if (this.contentEncoding !== undefined) log.content_encoding = this.contentEncoding;
    this.resolve(log);
  }
}
