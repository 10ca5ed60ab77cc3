/**
 * The primary's side of one proxied request, as the relay (./relay-connection.ts) sees it on the
 * proxy's event loop: when the request went onto the primary's socket, the answer's head, each
 * read's body data with its arrival time (taken first thing in the socket's data callback, by the
 * relay), and how the answer ended. Kept as a StreamLog (./stream-log.ts) for a timed API and
 * decoded later, off this loop, by the mirror's worker thread. The hooks hear of the request
 * (`after`) once its bytes were written to the primary's socket, and get the log (`done`) once the
 * answer ended, failed or was cut; `after` always runs before `done`.
 */
import { classifyTransportError, describeError } from '../protocols/transport-errors';
import type { ErrorKind } from '../protocols/types';
import { LOGGED_ERROR_BYTES, type StreamEnd, type StreamLog } from './stream-log';

/** What the hooks planned for one call (see CallPlan in ./proxy.ts). */
export interface ExchangePlan {
  log: boolean;
  after?(): void;
  done?(log: StreamLog): void;
}

/** Initial size of a log's byte buffer; it doubles as the answer grows. */
const LOG_BYTES_INITIAL = 4096;

export class ForwardedCall {
  private sentAt = performance.now();
  /** The request reached the primary's socket (its connection was made). */
  started = false;
  private told: boolean;
  finished = false;
  /** The request as written to the primary, kept to send it again on a new connection. */
  wire?: { head: string; body: Buffer | null };
  /** It went on a connection that had answered before; it was sent a second time. */
  reused = false;
  retried = false;
  /** The final (non-1xx) head was passed on to the client. */
  headSent = false;
  private status: number | null = null;
  private firstByte?: number;
  private contentType = '';
  private retryAfter?: string;
  private location?: string;
  private contentEncoding?: string;
  /** The answer's bytes (logging only): one growing buffer, each read's end offset and arrival time. */
  private bytes?: Uint8Array;
  private length = 0;
  private readonly ends: number[] = [];
  private readonly times: number[] = [];
  private lastRead = -1;
  private limit = Infinity;

  constructor(
    readonly method: string,
    private readonly plan: ExchangePlan,
    private readonly ended: () => void,
  ) {
    this.told = plan.after === undefined;
  }

  /** The request is going onto the connected primary socket now. */
  sending(now: number): void {
    this.sentAt = now;
    this.started = true;
  }

  /** Its bytes were written to the socket: the hooks may hear of it. */
  readonly written = (): void => {
    if (this.told) return;
    this.told = true;
    this.plan.after!();
  };

  /** The final head arrived in the read taken at `now`. */
  head(now: number, status: number, headers: string[]): void {
    this.headSent = true;
    this.firstByte = now - this.sentAt;
    this.status = status;
    if (!this.plan.log) return;
    this.bytes = new Uint8Array(LOG_BYTES_INITIAL);
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i]!.toLowerCase();
      const value = headers[i + 1]!;
      if (name === 'content-type') this.contentType = value.toLowerCase();
      else if (name === 'content-encoding') this.contentEncoding = this.contentEncoding === undefined ? value : `${this.contentEncoding}, ${value}`;
      else if (status >= 300 && name === 'retry-after') this.retryAfter = value;
      else if (status >= 300 && name === 'location') this.location = value;
    }
    if (status >= 300) this.limit = LOGGED_ERROR_BYTES;
  }

  /** Body data of the read number `read`, which arrived at `now`; several calls of one read make one entry. */
  data(chunk: Buffer, now: number, read: number): void {
    if (this.bytes === undefined || this.length >= this.limit) return;
    const n = Math.min(chunk.length, this.limit - this.length);
    if (this.length + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(n === chunk.length ? chunk : chunk.subarray(0, n), this.length);
    this.length += n;
    if (read === this.lastRead) this.ends[this.ends.length - 1] = this.length;
    else {
      this.lastRead = read;
      this.ends.push(this.length);
      this.times.push(now - this.sentAt);
    }
  }

  end(now: number): void {
    this.finish(now, { how: 'end' });
  }

  /** A transport failure (or bad framing), classified as llmload classifies its own. */
  fail(now: number, err: unknown): void {
    this.finish(now, { how: 'error', kind: classifyTransportError(err, this.started), message: describeError(err) });
  }

  /** Cut on purpose (the client left, the mirror stopped). */
  abort(now: number, kind: ErrorKind, message: string): void {
    this.finish(now, { how: 'abort', kind, message });
  }

  private finish(now: number, end: StreamEnd): void {
    if (this.finished) return;
    this.finished = true;
    this.written();
    this.ended();
    if (!this.plan.log) return;
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
    this.plan.done?.(log);
  }
}
