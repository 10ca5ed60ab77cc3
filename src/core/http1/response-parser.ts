/**
 * An incremental HTTP/1.1 response parser for the mirror's relay (../mirror/relay-connection.ts)
 * and the load client (../protocols/http1-pool.ts): fed the server's reads as they come, it finds
 * each response's head (status line and header fields; 1xx interim answers included), then walks
 * its body (Content-Length, chunked with extensions and trailers, or read to the connection's
 * close; none after HEAD, 1xx, 204 and 304) to find where it ends. It tells its sink, for each read
 * and in this order: the head, the body's bytes as they came (framing included, to pass on
 * unchanged), the body's data without chunk framing (to keep), and the response's end. Bad framing
 * throws Http1FramingError.
 */
import { bodyFraming, ChunkedReader, HeadReader, Http1FramingError, headerTokens, parseHead } from './framing';

export interface ResponseHead {
  status: number;
  /** The status line as sent. */
  statusLine: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  /** [name, value, …] as sent (latin1), case, order and duplicates kept. */
  headers: string[];
  /** A 1xx answer: the real one follows. */
  interim: boolean;
  /** The primary will close the connection after this response (Connection: close, HTTP/1.0 without keep-alive, a body read to the close). */
  close: boolean;
}

export interface ResponseParserSink {
  /** Whether the request this response answers was a HEAD (its response has no body). */
  isHeadRequest(): boolean;
  onHead(head: ResponseHead): void;
  /** The body's bytes as they came (chunk framing included), one call per read and response. */
  onRaw(bytes: Buffer): void;
  /** The body's data, chunk framing removed; after the onRaw holding it. */
  onData(data: Buffer): void;
  onEnd(): void;
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;

export class ResponseParser {
  private readonly head = new HeadReader();
  private inBody = false;
  private chunked: ChunkedReader | undefined;
  /** Content-Length bytes left; -1 reads to the close. */
  private remaining = 0;
  /** Data ranges found in the current read, as [from, to, from, to, …]. */
  private readonly ranges: number[] = [];
  private readonly keepRange = (from: number, to: number): void => {
    if (to > from) this.ranges.push(from, to);
  };
  private failed = false;

  constructor(private readonly sink: ResponseParserSink) {}

  /** True between responses (no byte of the next one read). */
  get idle(): boolean {
    return !this.inBody && !this.head.started;
  }

  feed(buf: Buffer): void {
    if (this.failed) return;
    try {
      let i = 0;
      while (i < buf.length) {
        if (!this.inBody) {
          const next = this.head.read(buf, i);
          if (next < 0) return;
          i = next;
          if (!this.startResponse()) continue;
        }
        const from = i;
        let ended: boolean;
        if (this.chunked) {
          this.ranges.length = 0;
          let end: number;
          try {
            end = this.chunked.read(buf, i, buf.length, this.keepRange);
          } catch (e) {
            // What came before the bad byte was good: it goes on before the error is told.
            this.pass(buf, from, this.chunked.failedAt);
            throw e;
          }
          ended = end >= 0;
          i = ended ? end : buf.length;
        } else if (this.remaining < 0) {
          this.ranges.length = 0;
          this.ranges.push(i, buf.length);
          i = buf.length;
          ended = false;
        } else {
          const n = Math.min(this.remaining, buf.length - i);
          this.ranges.length = 0;
          this.ranges.push(i, i + n);
          i += n;
          this.remaining -= n;
          ended = this.remaining === 0;
        }
        this.pass(buf, from, i);
        if (ended) this.endResponse();
      }
    } catch (e) {
      this.failed = true;
      throw e;
    }
  }

  /** Hands on buf[from, to) as it came, then the data ranges found in it. */
  private pass(buf: Buffer, from: number, to: number): void {
    const sink = this.sink;
    if (to > from) sink.onRaw(from === 0 && to === buf.length ? buf : buf.subarray(from, to));
    const r = this.ranges;
    for (let k = 0; k < r.length; k += 2) if (r[k + 1]! > r[k]! && r[k + 1]! <= to) sink.onData(r[k] === from && r[k + 1] === to ? buf.subarray(from, to) : buf.subarray(r[k]!, r[k + 1]!));
  }

  /**
   * The connection closed. A body read to the close ends there; between responses nothing is
   * lost; anywhere else the response was cut (throws, reason `incomplete`).
   */
  finish(): void {
    if (this.failed) return;
    if (this.inBody && !this.chunked && this.remaining < 0) {
      this.endResponse();
      return;
    }
    if (this.idle) return;
    this.failed = true;
    throw new Http1FramingError('incomplete', this.inBody ? 'the connection closed before the response ended' : 'the connection closed inside a response head');
  }

  /** Parses the head just read; true when a body follows. */
  private startResponse(): boolean {
    const { startLine, headers } = parseHead(this.head.head);
    const m = STATUS_LINE.exec(startLine);
    if (!m) throw new Http1FramingError('bad_head', `bad status line ${JSON.stringify(startLine.slice(0, 80))}`);
    const status = Number(m[2]);
    const minor = Number(m[1]);
    const interim = status < 200 && status !== 101;
    const conn = headerTokens(headers, 'connection');
    let framing = interim || status === 204 || status === 304 || (!interim && this.sink.isHeadRequest()) ? ({ kind: 'none' } as const) : bodyFraming(headers, 'close');
    // 101 Switching Protocols: the connection is no longer HTTP; its bytes pass until it closes.
    if (status === 101) framing = { kind: 'close' };
    const close = conn.includes('close') || (minor === 0 && !conn.includes('keep-alive')) || framing.kind === 'close';
    this.sink.onHead({ status, statusLine: startLine, minor, headers, interim, close });
    if (interim) return false;
    this.chunked = framing.kind === 'chunked' ? new ChunkedReader() : undefined;
    this.remaining = framing.kind === 'length' ? framing.length : framing.kind === 'close' ? -1 : 0;
    if (framing.kind === 'none') {
      this.sink.onEnd();
      return false;
    }
    this.inBody = true;
    return true;
  }

  private endResponse(): void {
    this.inBody = false;
    this.chunked = undefined;
    this.sink.onEnd();
  }
}

export { Http1FramingError };
