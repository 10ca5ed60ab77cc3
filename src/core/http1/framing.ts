/**
 * The parts of HTTP/1.1 message framing (RFC 9112) that llmload's HTTP/1.1 code (the mirror's
 * relay, the load client) needs on both directions: finding a message head in a byte stream that
 * may split it anywhere, reading its start line and header fields, and walking a chunked body
 * (chunk sizes, extensions, trailers) to find where the message ends and which bytes are its data.
 * Nothing here copies body bytes: the readers report offsets into the buffer they were fed. Bad
 * framing throws Http1FramingError.
 */

/** A head (start line and header fields) larger than this is refused. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** A chunk-size line (size and extensions) or a trailer line longer than this is refused. */
const MAX_LINE_BYTES = 8 * 1024;

export type FramingReason = 'head_too_large' | 'bad_head' | 'bad_length' | 'bad_chunk' | 'body_too_large' | 'incomplete';

/** Bad framing; `code` lets the transport-error classifier treat it as a lost connection. */
export class Http1FramingError extends Error {
  readonly code = 'ERR_HTTP1_FRAMING';
  constructor(
    readonly reason: FramingReason,
    message: string,
  ) {
    super(message);
    this.name = 'Http1FramingError';
  }
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Collects a head's bytes until its blank line. Fed one read at a time; returns the head (start
 * line through the blank line) and the offset in that read where the message goes on, or -1 while
 * the head is incomplete (its bytes are kept).
 */
export class HeadReader {
  private pending: Buffer | undefined;
  head: Buffer = Buffer.alloc(0);

  get started(): boolean {
    return this.pending !== undefined;
  }

  /** Bytes of `buf` from `start` on; returns the offset in `buf` after the head, or -1. */
  read(buf: Buffer, start: number): number {
    if (this.pending === undefined) {
      const at = buf.indexOf(CRLFCRLF, start);
      if (at >= 0) {
        this.head = buf.subarray(start, at + 4);
        return at + 4;
      }
      this.pending = Buffer.from(buf.subarray(start));
    } else {
      const before = this.pending.length;
      const joined = Buffer.concat([this.pending, buf.subarray(start)]);
      const at = joined.indexOf(CRLFCRLF, Math.max(0, before - 3));
      if (at >= 0) {
        this.pending = undefined;
        this.head = joined.subarray(0, at + 4);
        return start + (at + 4 - before);
      }
      this.pending = joined;
    }
    if (this.pending.length > MAX_HEAD_BYTES) throw new Http1FramingError('head_too_large', `message head above ${MAX_HEAD_BYTES} bytes`);
    return -1;
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface ParsedHead {
  /** The start line as sent (request line or status line). */
  startLine: string;
  /** [name, value, name, value, …] as sent (case, order, duplicates kept), values without surrounding whitespace. */
  headers: string[];
}

/** Splits a head (as HeadReader returned it) into its start line and header fields. */
export function parseHead(head: Buffer): ParsedHead {
  const text = head.toString('latin1', 0, head.length - 4);
  const lines = text.split('\r\n');
  const startLine = lines[0]!;
  const headers: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) throw new Http1FramingError('bad_head', `bad header line ${JSON.stringify(line.slice(0, 80))}`);
    headers.push(name, line.slice(colon + 1).trim());
  }
  return { startLine, headers };
}

/** The comma-separated tokens of every field named `name` (lower case), lower-cased. */
export function headerTokens(headers: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.length !== name.length || headers[i]!.toLowerCase() !== name) continue;
    for (const t of headers[i + 1]!.split(',')) {
      const v = t.trim().toLowerCase();
      if (v) out.push(v);
    }
  }
  return out;
}

/** How a message's body is delimited. */
export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

/**
 * The body framing that the header fields give (RFC 9112 6.3, steps 3 to 7): chunked when it is
 * the last transfer coding, read to the connection's close for another coding (responses only),
 * Content-Length (every value the same decimal number), else `otherwise`.
 */
export function bodyFraming(headers: string[], otherwise: 'none' | 'close'): BodyFraming {
  const codings = headerTokens(headers, 'transfer-encoding');
  if (codings.length > 0) {
    if (codings[codings.length - 1] === 'chunked') return { kind: 'chunked' };
    if (otherwise === 'none') throw new Http1FramingError('bad_length', `a request body in transfer coding ${codings.join(', ')} without chunked last`);
    return { kind: 'close' };
  }
  let length: number | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.length !== 14 || headers[i]!.toLowerCase() !== 'content-length') continue;
    for (const v of headers[i + 1]!.split(',')) {
      const s = v.trim();
      if (!/^\d{1,15}$/.test(s)) throw new Http1FramingError('bad_length', `bad Content-Length ${JSON.stringify(headers[i + 1])}`);
      const n = Number(s);
      if (length !== undefined && n !== length) throw new Http1FramingError('bad_length', `conflicting Content-Length values ${length} and ${n}`);
      length = n;
    }
  }
  if (length !== undefined) return length === 0 ? { kind: 'none' } : { kind: 'length', length };
  return { kind: otherwise };
}

const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailer,
  Done,
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Walks a chunked body (RFC 9112 7.1) one read at a time: chunk-size lines with optional
 * extensions, the data, its CRLF, then trailer fields up to a blank line. Data ranges are
 * reported as offsets into the buffer fed; a split anywhere gives the same ranges' bytes.
 */
export class ChunkedReader {
  private state = Chunk.Size;
  /** Size line: digits seen, value so far, whether the extension part (or whitespace) began. */
  private digits = 0;
  private size = 0;
  private inExtension = false;
  private lineBytes = 0;
  private remaining = 0;
  /** DataEnd: bytes of the CRLF seen. Trailer: bytes of the current line (0: at a line's start). */
  private seen = 0;
  private sawCr = false;

  get done(): boolean {
    return this.state === Chunk.Done;
  }

  /**
   * Reads buf[start, end); data ranges go to `data(from, to)`. Returns the offset after the
   * body's last byte when the body ended in this buffer, else -1 (everything was consumed).
   */
  read(buf: Buffer, start: number, end: number, data: (from: number, to: number) => void): number {
    let i = start;
    try {
      return this.walk(buf, i, end, data);
    } catch (e) {
      i = this.at;
      throw e;
    } finally {
      this.failedAt = i;
    }
  }

  /** Where the last read stopped on bad framing: the bytes before it were good. */
  failedAt = 0;
  private at = 0;

  private walk(buf: Buffer, start: number, end: number, data: (from: number, to: number) => void): number {
    let i = start;
    this.at = start;
    while (i < end) {
      this.at = i;
      switch (this.state) {
        case Chunk.Size: {
          const c = buf[i++]!;
          if (++this.lineBytes > MAX_LINE_BYTES) throw new Http1FramingError('bad_chunk', 'chunk-size line too long');
          if (this.sawCr) {
            if (c !== 10) throw new Http1FramingError('bad_chunk', 'chunk-size line: CR without LF');
            if (this.digits === 0) throw new Http1FramingError('bad_chunk', 'chunk-size line without a size');
            this.sawCr = false;
            this.lineBytes = 0;
            this.digits = 0;
            this.inExtension = false;
            if (this.size === 0) {
              this.state = Chunk.Trailer;
              this.seen = 0;
            } else {
              this.remaining = this.size;
              this.state = Chunk.Data;
            }
            this.size = 0;
            break;
          }
          if (c === 13) {
            this.sawCr = true;
            break;
          }
          if (this.inExtension) break;
          const h = hexValue(c);
          if (h >= 0) {
            if (++this.digits > 13) throw new Http1FramingError('bad_chunk', 'chunk size too large');
            this.size = this.size * 16 + h;
          } else if (c === 59 /* ; */ || c === 32 || c === 9) {
            if (this.digits === 0) throw new Http1FramingError('bad_chunk', 'chunk-size line without a size');
            this.inExtension = true;
          } else throw new Http1FramingError('bad_chunk', `bad character ${JSON.stringify(String.fromCharCode(c))} in a chunk size`);
          break;
        }
        case Chunk.Data: {
          const n = Math.min(this.remaining, end - i);
          data(i, i + n);
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = Chunk.DataEnd;
            this.seen = 0;
          }
          break;
        }
        case Chunk.DataEnd: {
          const c = buf[i++]!;
          if (c !== (this.seen === 0 ? 13 : 10)) throw new Http1FramingError('bad_chunk', 'chunk data not followed by CRLF');
          if (++this.seen === 2) this.state = Chunk.Size;
          break;
        }
        case Chunk.Trailer: {
          const c = buf[i++]!;
          if (this.sawCr) {
            if (c !== 10) throw new Http1FramingError('bad_chunk', 'trailer line: CR without LF');
            this.sawCr = false;
            if (this.seen === 0) {
              this.state = Chunk.Done;
              return i;
            }
            this.seen = 0;
            break;
          }
          if (c === 13) this.sawCr = true;
          else if (++this.seen > MAX_LINE_BYTES) throw new Http1FramingError('bad_chunk', 'trailer line too long');
          break;
        }
        case Chunk.Done:
          return i;
      }
    }
    return this.state === Chunk.Done ? i : -1;
  }
}
