/**
 * Incremental Server-Sent Events framing over raw bytes. Splits reads into lines on the byte level
 * (LF, CRLF or CR, a CRLF split across two reads included), so a multi-byte UTF-8 character cut by
 * a read boundary is decoded whole, and hands the lines to eventsource-parser, which implements the
 * field rules (data/event/id/retry, comments, multi-line data, BOM). Counts the wire bytes of each
 * event and comment. Never throws.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { isAscii } from 'node:buffer';
import { PartialLine } from './partial-line';

export interface SseEvent {
  event?: string;
  id?: string;
  data: string;
  /** Wire bytes of the event: its field lines, their line ends and the blank line ending it. */
  bytes: number;
}

export interface SseSink {
  event(e: SseEvent): void;
  /** A `:` comment line (keep-alive); `text` is the line as sent, colon included. */
  comment(text: string, bytes: number): void;
  /** A line that is no SSE field (e.g. raw JSON, an HTML error page). */
  invalid(line: string, bytes: number): void;
  /** Bytes left at the end of the body that no line end terminated. */
  trailing(text: string, bytes: number): void;
  /**
   * Optional: an event of one `data:` line whose ending blank line came in the same ASCII read,
   * given as its value's span `text[from, to)` of the read's text, without a string or an event
   * object made for it. True when the sink took it; false to get it as event() instead.
   */
  dataSpan?(text: string, from: number, to: number, bytes: number): boolean;
}

const LF = 0x0a;
const CR = 0x0d;
/** A line longer than this is dropped and reported as invalid, so a broken server cannot exhaust memory. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8');

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** The line `b[from, to)` begins with `data:`. */
function isDataLine(b: Uint8Array, from: number, to: number): boolean {
  return to - from >= 5 && b[from] === 0x64 && b[from + 1] === 0x61 && b[from + 2] === 0x74 && b[from + 3] === 0x61 && b[from + 4] === 0x3a;
}

/**
 * UTF-8 text of `b[from, to)`, which does not begin with a BOM. A Buffer (what sockets deliver)
 * decodes in place with utf8Slice, without a view object per line; it replaces invalid sequences
 * exactly as TextDecoder does (both end in V8's UTF-8 decoder; a test compares them on random bytes).
 */
function decodeValue(b: Uint8Array, from: number, to: number): string {
  if (Buffer.isBuffer(b)) return (b as Buffer & { utf8Slice(s: number, e: number): string }).utf8Slice(from, to);
  return utf8.decode(b.subarray(from, to));
}

/** The line `text[from, to)` begins with `data:`. */
function isDataText(t: string, from: number, to: number): boolean {
  return to - from >= 5 && t.charCodeAt(from) === 0x64 && t.charCodeAt(from + 1) === 0x61 && t.charCodeAt(from + 2) === 0x74 && t.charCodeAt(from + 3) === 0x61 && t.charCodeAt(from + 4) === 0x3a;
}

export class SseFramer {
  /** Created on the first line the fast path below does not take (most streams never need it). */
  private parserState: EventSourceParser | undefined = undefined;
  private readonly partial = new PartialLine(MAX_LINE_BYTES);
  private skipLF = false;
  private eventBytes = 0;
  private lineBytes = 0;
  private lineText = '';
  private overflow = false;
  /**
   * True while eventsource-parser holds no state of an event (no data, event type or id): at the
   * start and after it was fed a blank line. A `data:` line then is held here instead of being fed
   * to it, and when the blank line that ends the event follows, the event is dispatched directly:
   * the common single-line event skips the parser's re-scan and the line's string concatenation.
   * Anything else first feeds the held line to the parser, so the parser sees every line it would
   * have.
   */
  private clean: boolean;
  private held: string | undefined = undefined;
  /** A line went past the parser before it was created: it must not take a later line for the stream's first (BOM). */
  private linesBeforeParser = false;

  /**
   * `fastData: false` feeds every line to eventsource-parser; `asciiText: false` splits every read
   * on bytes (tests compare the paths).
   */
  constructor(
    private readonly sink: SseSink,
    private readonly fastData = true,
    private readonly asciiText = true,
  ) {
    this.clean = fastData;
  }

  private get parser(): EventSourceParser {
    if (this.parserState) return this.parserState;
    const parser = createParser({
      onEvent: (e) => {
        const bytes = this.eventBytes;
        this.eventBytes = 0;
        const ev: SseEvent = { data: e.data, bytes };
        if (e.event !== undefined) ev.event = e.event;
        if (e.id !== undefined) ev.id = e.id;
        this.sink.event(ev);
      },
      onComment: () => {
        this.eventBytes -= this.lineBytes;
        this.sink.comment(this.lineText, this.lineBytes);
      },
      onError: (err) => {
        // Unknown fields and bad `retry` values: the line is not part of any event.
        if (err.type === 'invalid-retry') return;
        this.eventBytes -= this.lineBytes;
        this.sink.invalid(this.lineText, this.lineBytes);
      },
    });
    // The parser strips a BOM from the first text it is fed; that was the stream's start only if no line went by it.
    if (this.linesBeforeParser) parser.feed('');
    this.parserState = parser;
    return parser;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    const n = chunk.length;
    if (this.skipLF && n > 0) {
      this.skipLF = false;
      if (chunk[0] === LF) {
        this.eventBytes += 1;
        start = 1;
      }
    }
    // A read of ASCII bytes (what most streams send: JSON escapes non-ASCII text unless the server
    // writes it raw) is split as one string: one native call for the read instead of one search and
    // one UTF-8 decode per line. Only with no line begun in an earlier read.
    if (this.asciiText && this.partial.bytes === 0 && !this.overflow && Buffer.isBuffer(chunk) && isAscii(chunk)) {
      this.pushAscii(chunk, (chunk as Latin1Buffer).latin1Slice(0, n), start);
      return;
    }
    // Line ends found with indexOf (a native scan); the next LF and CR positions are cached, so a
    // stream that uses only one of them is scanned for the other once per read.
    let nextLF = chunk.indexOf(LF, start);
    let nextCR = chunk.indexOf(CR, start);
    while (start < n) {
      if (nextLF !== -1 && nextLF < start) nextLF = chunk.indexOf(LF, start);
      if (nextCR !== -1 && nextCR < start) nextCR = chunk.indexOf(CR, start);
      if (nextLF === -1 && nextCR === -1) break;
      const i = nextCR === -1 || (nextLF !== -1 && nextLF < nextCR) ? nextLF : nextCR;
      let end = i + 1;
      if (chunk[i] === CR) {
        if (i + 1 < n) {
          if (chunk[i + 1] === LF) end = i + 2;
        } else {
          this.skipLF = true;
        }
      }
      this.line(chunk, start, i, end - start);
      start = end;
    }
    if (start < n) this.keepPartial(chunk.subarray(start));
  }

  /** push() for a read of ASCII bytes as text: a character is a byte, so offsets and counts are the same. */
  private pushAscii(chunk: Uint8Array, text: string, from: number): void {
    let start = from;
    const n = text.length;
    const spans = this.fastData ? this.sink.dataSpan : undefined;
    let nextLF = text.indexOf('\n', start);
    let nextCR = text.indexOf('\r', start);
    while (start < n) {
      if (nextLF !== -1 && nextLF < start) nextLF = text.indexOf('\n', start);
      if (nextCR !== -1 && nextCR < start) nextCR = text.indexOf('\r', start);
      if (nextLF === -1 && nextCR === -1) break;
      const i = nextCR === -1 || (nextLF !== -1 && nextLF < nextCR) ? nextLF : nextCR;
      let end = i + 1;
      if (text.charCodeAt(i) === CR) {
        if (i + 1 < n) {
          if (text.charCodeAt(i + 1) === LF) end = i + 2;
        } else {
          this.skipLF = true;
        }
      }
      if (spans !== undefined && this.held === undefined && this.clean && isDataText(text, start, i)) {
        // a `data:` line with the blank line that ends its event right after it, in this read
        const c = text.charCodeAt(end);
        const blank = c === LF ? 1 : c === CR && end + 1 < n ? (text.charCodeAt(end + 1) === LF ? 2 : 1) : 0;
        if (blank > 0) {
          const bytes = this.eventBytes + (end - start) + blank;
          this.linesBeforeParser = true;
          if (spans.call(this.sink, text, start + (text.charCodeAt(start + 5) === 0x20 ? 6 : 5), i, bytes)) {
            this.eventBytes = 0;
            start = end + blank;
            continue;
          }
        }
      }
      this.asciiLine(text, start, i, end - start);
      start = end;
    }
    if (start < n) this.keepPartial(chunk.subarray(start));
  }

  /** line() for `text[from, to)`, a whole line of an ASCII read (no partial bytes before it, no BOM possible). */
  private asciiLine(text: string, from: number, to: number, bytes: number): void {
    if (this.held !== undefined) {
      if (this.afterHeld(to === from, bytes)) return;
    } else if (this.clean && this.fastData && isDataText(text, from, to)) {
      this.held = text.slice(from + (text.charCodeAt(from + 5) === 0x20 ? 6 : 5), to);
      this.eventBytes += bytes;
      this.linesBeforeParser = true;
      return;
    }
    const line = text.slice(from, to);
    this.feed(line + '\n', bytes, line);
    this.clean = to === from;
  }

  /** The body ended: dispatches an event whose lines all arrived, then reports any unterminated bytes. */
  end(): void {
    if (this.held !== undefined) this.dispatchHeld();
    else if (this.parserState) this.feed('\n', 0, '');
    if (this.partial.bytes > 0) {
      const rest = this.partial.take(new Uint8Array(0));
      this.sink.trailing(utf8.decode(rest), rest.length);
    }
    this.skipLF = false;
  }

  private keepPartial(bytes: Uint8Array): void {
    if (this.overflow) return;
    if (!this.partial.keep(bytes)) {
      this.overflow = true;
      this.sink.invalid(`line longer than ${MAX_LINE_BYTES} bytes`, 0);
    }
  }

  /** One line: `chunk[from, to)` (after any partial bytes held from earlier reads), `endBytes` consumed with its line end. */
  private line(chunk: Uint8Array, from: number, to: number, endBytes: number): void {
    if (this.overflow) {
      // The rest of an over-long line: drop it.
      this.overflow = false;
      this.partial.clear();
      return;
    }
    let buf = chunk;
    let a = from;
    let b = to;
    if (this.partial.bytes > 0) {
      buf = this.partial.take(chunk.subarray(from, to));
      a = 0;
      b = buf.length;
    }
    const bytes = b - a + (endBytes - (to - from));
    if (this.held !== undefined) {
      if (this.afterHeld(b === a, bytes)) return;
    } else if (this.clean && this.fastData && isDataLine(buf, a, b)) {
      // a single `data:` line so far: its value, decoded on its own (the prefix is ASCII)
      const v = a + (buf[a + 5] === 0x20 ? 6 : 5);
      if (!(v < b && buf[v] === 0xef && buf[v + 1] === 0xbb && buf[v + 2] === 0xbf)) {
        // (a value that begins with a BOM would lose it to TextDecoder: the parser path keeps it)
        this.held = decodeValue(buf, v, b);
        this.eventBytes += bytes;
        this.linesBeforeParser = true;
        return;
      }
    }
    const text = utf8.decode(a === 0 && b === buf.length ? buf : buf.subarray(a, b));
    this.feed(text + '\n', bytes, text);
    this.clean = b === a;
  }

  /**
   * The line after a held `data:` line: a blank one ends the event, which is dispatched (true);
   * any other gives the held line to the parser first (false: the line goes on to it).
   */
  private afterHeld(blank: boolean, bytes: number): boolean {
    if (!blank) {
      this.unhold();
      return false;
    }
    this.eventBytes += bytes;
    this.dispatchHeld();
    return true;
  }

  private dispatchHeld(): void {
    const data = this.held!;
    this.held = undefined;
    const ev: SseEvent = { data, bytes: this.eventBytes };
    this.eventBytes = 0;
    this.sink.event(ev);
  }

  /** The event goes on past its first line: the parser gets the held `data:` line after all. */
  private unhold(): void {
    const data = this.held!;
    this.held = undefined;
    this.clean = false;
    const text = 'data: ' + data; // the parser strips the one space again
    try {
      this.parser.feed(text + '\n');
    } catch (err) {
      this.parser.reset();
      this.sink.invalid(`SSE parser failed: ${(err as Error).message}`, 0);
    }
  }

  private feed(chunk: string, bytes: number, text: string): void {
    this.lineBytes = bytes;
    this.lineText = text;
    this.eventBytes += bytes;
    try {
      this.parser.feed(chunk);
    } catch (err) {
      this.parser.reset();
      this.sink.invalid(`SSE parser failed: ${(err as Error).message}`, bytes);
    }
  }
}
