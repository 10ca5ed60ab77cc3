/**
 * An incremental HTTP/1.1 request parser for the mirror's relay (../mirror/relay-connection.ts):
 * fed the client's reads as they come, it finds each request's head and its body's end
 * (Content-Length or chunked; a request without either has no body), and hands over each whole
 * request with its body de-chunked. Pipelined requests come out one by one, in order. A request's
 * body above `maxBody` bytes, or bad framing, throws Http1FramingError (the relay answers 413 or
 * 400 and closes).
 */
import { bodyFraming, ChunkedReader, HeadReader, Http1FramingError, headerTokens, parseHead } from './framing';

export interface ParsedRequest {
  method: string;
  /** The request target as sent (origin form: path and query). */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  /** [name, value, …] as sent. */
  headers: string[];
  body: Buffer;
  /** The client asked to close the connection after this request (Connection: close, or HTTP/1.0 without keep-alive). */
  close: boolean;
}

export interface RequestParserSink {
  /** A head with `Expect: 100-continue` is in; its body has not come yet. */
  onContinue?(): void;
  onRequest(req: ParsedRequest): void;
}

const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/1\.([01])$/;

export class RequestParser {
  private readonly head = new HeadReader();
  private req: ParsedRequest | undefined;
  private chunked: ChunkedReader | undefined;
  private remaining = 0;
  private parts: Buffer[] = [];
  private size = 0;
  private failed = false;

  constructor(
    private readonly sink: RequestParserSink,
    private readonly maxBody: number,
  ) {}

  /** True between requests (no byte of the next one read). */
  get idle(): boolean {
    return this.req === undefined && !this.head.started;
  }

  feed(buf: Buffer): void {
    if (this.failed) return;
    try {
      let i = 0;
      while (i < buf.length) {
        if (this.req === undefined) {
          // Empty lines before a request line are skipped (RFC 9112 2.2).
          if (!this.head.started) while (i < buf.length && (buf[i] === 13 || buf[i] === 10)) i++;
          if (i === buf.length) break;
          const next = this.head.read(buf, i);
          if (next < 0) return;
          i = next;
          this.startRequest();
          if (this.req === undefined) continue;
        }
        if (this.chunked) {
          const end = this.chunked.read(buf, i, buf.length, (from, to) => this.keep(buf.subarray(from, to)));
          if (end < 0) return;
          i = end;
        } else {
          const n = Math.min(this.remaining, buf.length - i);
          this.keep(buf.subarray(i, i + n));
          i += n;
          this.remaining -= n;
          if (this.remaining > 0) return;
        }
        this.finishRequest();
      }
    } catch (e) {
      this.failed = true;
      throw e;
    }
  }

  private startRequest(): void {
    const { startLine, headers } = parseHead(this.head.head);
    const m = REQUEST_LINE.exec(startLine);
    if (!m) throw new Http1FramingError('bad_head', `bad request line ${JSON.stringify(startLine.slice(0, 80))}`);
    const minor = Number(m[3]);
    const conn = headerTokens(headers, 'connection');
    const close = conn.includes('close') || (minor === 0 && !conn.includes('keep-alive'));
    this.req = { method: m[1]!, target: m[2]!, minor, headers, body: EMPTY, close };
    const framing = bodyFraming(headers, 'none');
    this.parts = [];
    this.size = 0;
    this.chunked = undefined;
    if (framing.kind === 'chunked') this.chunked = new ChunkedReader();
    else if (framing.kind === 'length') {
      if (framing.length > this.maxBody) throw new Http1FramingError('body_too_large', `request body above ${this.maxBody} bytes`);
      this.remaining = framing.length;
    } else return this.finishRequest();
    if (headerTokens(headers, 'expect').includes('100-continue')) this.sink.onContinue?.();
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.size += part.length;
    if (this.size > this.maxBody) throw new Http1FramingError('body_too_large', `request body above ${this.maxBody} bytes`);
    this.parts.push(part);
  }

  private finishRequest(): void {
    const req = this.req!;
    req.body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.req = undefined;
    this.chunked = undefined;
    this.parts = [];
    this.size = 0;
    this.sink.onRequest(req);
  }
}

const EMPTY = Buffer.alloc(0);
