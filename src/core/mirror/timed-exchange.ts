/**
 * One proxied request, sent as is (method, path, headers, body bytes) through an undici
 * dispatcher and timed the way llmload times its own requests: `sent_at` when undici hands the
 * request to a socket, each read's arrival time taken first thing in the data callback, the bytes
 * fed to the API's protocol decoder (../protocols). A sink, when given, gets every byte as it
 * arrives (the primary's client); its backpressure pauses the upstream read. Never rejects: every
 * failure becomes `error` on the result, as in ../protocols/http-client.ts.
 */
import type { Dispatcher } from 'undici';
import { createAdapter } from '../protocols';
import type { SentRequest, StreamDecoder } from '../protocols';
import { StreamRecord } from '../protocols/stream-record';
import { classifyTransportError, describeError } from '../protocols/transport-errors';
import type { ErrorKind } from '../protocols/types';
import type { ApiKind } from '../scenario/plan';
import type { HeaderMap } from './secrets';

/** Error bodies are kept up to this many bytes for the record's message. */
const ERROR_BODY_LIMIT = 4096;

export interface ExchangeRequest {
  path: string;
  method: string;
  headers: HeaderMap;
  body: Buffer | null;
}

/** Where the response goes as it arrives (the client of the primary). */
export interface ExchangeSink {
  onHead(status: number, headers: HeaderMap): void;
  /** false: the sink is full; `onDrain` is then called with the function that resumes reading. */
  onData(chunk: Buffer): boolean;
  onDrain(resume: () => void): void;
  onEnd(): void;
  /** The upstream failed; `headSent` says whether onHead was called. */
  onError(err: Error, headSent: boolean): void;
}

export interface ExchangeOptions {
  /** The API whose decoder times the stream; undefined: bytes are passed on untimed. */
  api?: ApiKind;
  sink?: ExchangeSink;
  /** Shadow only: the whole request and the longest gap between two reads. */
  total_ms?: number;
  stall_ms?: number;
}

export interface RunningExchange {
  result: Promise<SentRequest>;
  /** Ends the request; the record says `kind` unless the stream was already complete. */
  abort(kind: ErrorKind, message: string): void;
}

class Abort extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

function httpErrorKind(status: number): ErrorKind {
  if (status === 429) return 'http_429';
  if (status >= 500) return 'http_5xx';
  return 'http_4xx';
}

export function startExchange(dispatcher: Dispatcher, req: ExchangeRequest, opts: ExchangeOptions): RunningExchange {
  let resolve!: (r: SentRequest) => void;
  const result = new Promise<SentRequest>((r) => (resolve = r));
  const ex = new TimedExchange(opts, resolve);
  ex.start(dispatcher, req);
  return { result, abort: (kind, message) => ex.abort(new Abort(kind, message)) };
}

class TimedExchange implements Dispatcher.DispatchHandler {
  private sentAt = performance.now();
  private started = false;
  private finished = false;
  private controller?: Dispatcher.DispatchController;
  private pending?: Abort;
  private status: number | null = null;
  private firstByte?: number;
  private retryAfter?: string;
  private decoder?: StreamDecoder;
  private readonly record0 = new StreamRecord();
  private errorBody?: { chunks: Buffer[]; bytes: number };
  private headSent = false;
  private totalTimer?: NodeJS.Timeout;
  private stallTimer?: NodeJS.Timeout;
  private lastReadAt = 0;
  /** performance.now() when the done marker arrived: the end of the stream, as llmload times it. */
  private doneAt?: number;

  constructor(
    private readonly opts: ExchangeOptions,
    private readonly resolve: (r: SentRequest) => void,
  ) {}

  private get record(): StreamRecord {
    return this.decoder?.record ?? this.record0;
  }

  start(dispatcher: Dispatcher, req: ExchangeRequest): void {
    if (this.opts.total_ms && this.opts.total_ms > 0) {
      this.totalTimer = setTimeout(() => this.abort(new Abort('timeout_total', `no end of stream within ${this.opts.total_ms} ms`)), this.opts.total_ms);
    }
    this.armStall();
    try {
      dispatcher.dispatch(
        { path: req.path, method: req.method as Dispatcher.HttpMethod, headers: req.headers as Record<string, string | string[]>, body: req.body, headersTimeout: 0, bodyTimeout: 0, blocking: false },
        this,
      );
    } catch (err) {
      this.record.fail(classifyTransportError(err, false), describeError(err));
      this.opts.sink?.onError(err as Error, false);
      this.finish(performance.now());
    }
  }

  private armStall(): void {
    const stall = this.opts.stall_ms;
    if (!stall || stall <= 0) return;
    this.lastReadAt = performance.now();
    if (this.stallTimer === undefined) this.stallTimer = setTimeout(this.checkStall, stall);
  }

  private readonly checkStall = (): void => {
    this.stallTimer = undefined;
    if (this.finished) return;
    const stall = this.opts.stall_ms!;
    const idle = performance.now() - this.lastReadAt;
    if (idle >= stall) this.abort(new Abort('timeout_stall', `no data for ${stall} ms`));
    else this.stallTimer = setTimeout(this.checkStall, stall - idle);
  };

  abort(reason: Abort): void {
    if (this.finished) return;
    const now = performance.now();
    if (!this.record.complete) this.record.fail(reason.kind, reason.message);
    if (this.controller) {
      try {
        this.controller.abort(reason);
      } catch {
        // already gone
      }
    } else this.pending = reason;
    this.finish(now);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.finished) {
      controller.abort(this.pending ?? new Abort('cancelled', 'finished before it was sent'));
      return;
    }
    this.sentAt = performance.now();
    this.started = true;
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: HeaderMap): void {
    const t = performance.now() - this.sentAt;
    this.controller = controller;
    if (this.finished) return;
    this.firstByte = t;
    this.status = statusCode;
    this.headSent = true;
    this.opts.sink?.onHead(statusCode, headers);
    if (statusCode >= 300 || statusCode < 200) {
      const ra = headers['retry-after'];
      this.retryAfter = Array.isArray(ra) ? ra.join(', ') : ra;
      this.errorBody = { chunks: [], bytes: 0 };
      return;
    }
    if (!this.opts.api) return;
    const ct = headers['content-type'];
    const contentType = (Array.isArray(ct) ? ct.join(', ') : (ct ?? '')).toLowerCase();
    try {
      this.decoder = createAdapter({ api: this.opts.api, model: '', headers: {}, timeouts: { total_ms: 0 } }, 'http://127.0.0.1/').createDecoder({ contentType });
    } catch (err) {
      this.record0.fail('bad_stream', `cannot create decoder: ${describeError(err)}`);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const t = performance.now() - this.sentAt;
    if (this.finished) return;
    // The client first: its bytes go out before any parsing.
    const sink = this.opts.sink;
    if (sink && !sink.onData(chunk)) {
      controller.pause();
      sink.onDrain(() => controller.resume());
    }
    this.armStall();
    if (this.errorBody) {
      const room = ERROR_BODY_LIMIT - this.errorBody.bytes;
      if (room > 0) {
        const part = chunk.subarray(0, room);
        this.errorBody.chunks.push(Buffer.from(part));
        this.errorBody.bytes += part.length;
      }
      return;
    }
    if (!this.decoder) return;
    try {
      this.decoder.push(chunk, t);
    } catch (err) {
      this.record.fail('bad_stream', `decoder failed: ${describeError(err)}`);
    }
    if (this.doneAt === undefined && this.decoder.record.complete) this.doneAt = t + this.sentAt;
  }

  onResponseEnd(): void {
    const t = performance.now() - this.sentAt;
    if (this.finished) return;
    this.opts.sink?.onEnd();
    if (this.errorBody) {
      this.failHttp();
    } else if (this.decoder) {
      try {
        this.decoder.end(t);
      } catch (err) {
        this.record.fail('bad_stream', `decoder failed: ${describeError(err)}`);
      }
      if (!this.record.complete) this.record.fail('disconnect', 'stream ended before its done marker');
    } else if (this.opts.api) {
      this.record.fail('bad_stream', 'no response body decoder');
    }
    this.finish(t + this.sentAt);
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, err: Error): void {
    const now = performance.now();
    if (this.finished) return;
    if (err instanceof Abort) this.record.fail(err.kind, err.message);
    else if (this.errorBody) this.failHttp();
    else {
      if (this.decoder && !this.record.complete) {
        try {
          this.decoder.end(now - this.sentAt);
        } catch {
          // the transport error is the failure
        }
      }
      if (!this.record.complete) this.record.fail(classifyTransportError(err, this.started), describeError(err));
    }
    this.opts.sink?.onError(err, this.headSent);
    this.finish(now);
  }

  private failHttp(): void {
    if (!this.errorBody) return;
    const text = Buffer.concat(this.errorBody.chunks).toString('utf8').trim();
    const status = this.status ?? 0;
    this.record.fail(httpErrorKind(status), `HTTP ${status}${text ? `: ${text}` : ''}`, this.retryAfter);
  }

  private finish(now: number): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.totalTimer);
    clearTimeout(this.stallTimer);
    const rec = this.record;
    const r: SentRequest = {
      sent_at: this.sentAt,
      start_ms: performance.timeOrigin + this.sentAt,
      http_status: this.status,
      packets: rec.packets,
      end_ms: (this.doneAt ?? now) - this.sentAt,
      answer_text: rec.answer_text,
      thinking_text: rec.thinking_text,
      answer_chunks: rec.answer_chunks,
      thinking_chunks: rec.thinking_chunks,
      complete: rec.complete,
    };
    if (rec.response_id !== undefined) r.response_id = rec.response_id;
    if (this.firstByte !== undefined) r.first_byte_ms = this.firstByte;
    if (rec.finish_reason !== undefined) r.finish_reason = rec.finish_reason;
    if (rec.usage !== undefined) r.usage = { ...rec.usage };
    if (rec.server_timing !== undefined) r.server_timing = { ...rec.server_timing };
    if (rec.error) r.error = { ...rec.error };
    this.resolve(r);
  }
}
