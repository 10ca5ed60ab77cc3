/**
 * Incremental Server-Sent Events framing over raw bytes. Splits reads into lines on the byte level
 * (LF, CRLF or CR, a CRLF split across two reads included), so a multi-byte UTF-8 character cut by
 * a read boundary is decoded whole, and hands the lines to eventsource-parser, which implements the
 * field rules (data/event/id/retry, comments, multi-line data, BOM). Counts the wire bytes of each
 * event and comment. Never throws.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';

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
}

const LF = 0x0a;
const CR = 0x0d;
/** A line longer than this is dropped and reported as invalid, so a broken server cannot exhaust memory. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8');

/** The line begins with `data:`. */
function isDataLine(b: Uint8Array): boolean {
  return b.length >= 5 && b[0] === 0x64 && b[1] === 0x61 && b[2] === 0x74 && b[3] === 0x61 && b[4] === 0x3a;
}

export class SseFramer {
  private readonly parser: EventSourceParser;
  private partial: Uint8Array[] = [];
  private partialBytes = 0;
  private skipLF = false;
  private eventBytes = 0;
  private lineBytes = 0;
  private lineText = '';
  private overflow = false;
  /**
   * True while eventsource-parser holds no state of an event (no data, event type or id): after
   * it was fed a blank line. A `data:` line then is held here instead of being fed to it, and when
   * the blank line that ends the event follows, the event is dispatched directly: the common
   * single-line event skips the parser's re-scan and the line's string concatenation. Anything
   * else first feeds the held line to the parser, so the parser sees every line it would have.
   */
  private clean = false;
  private held: string | undefined = undefined;

  /** `fastData: false` feeds every line to eventsource-parser (tests compare the two paths). */
  constructor(
    private readonly sink: SseSink,
    private readonly fastData = true,
  ) {
    this.parser = createParser({
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
      this.line(chunk.subarray(start, i), end - start);
      start = end;
    }
    if (start < n) this.keepPartial(chunk.subarray(start));
  }

  /** The body ended: dispatches an event whose lines all arrived, then reports any unterminated bytes. */
  end(): void {
    if (this.held !== undefined) this.dispatchHeld();
    else this.feed('\n', 0, '');
    if (this.partialBytes > 0) {
      const rest = this.takePartial(new Uint8Array(0));
      this.sink.trailing(utf8.decode(rest), rest.length);
    }
    this.skipLF = false;
  }

  private keepPartial(bytes: Uint8Array): void {
    if (this.overflow) return;
    if (this.partialBytes + bytes.length > MAX_LINE_BYTES) {
      this.overflow = true;
      this.partial = [];
      this.partialBytes = 0;
      this.sink.invalid(`line longer than ${MAX_LINE_BYTES} bytes`, 0);
      return;
    }
    this.partial.push(bytes.slice());
    this.partialBytes += bytes.length;
  }

  private takePartial(tail: Uint8Array): Uint8Array {
    if (this.partialBytes === 0) return tail;
    const all = new Uint8Array(this.partialBytes + tail.length);
    let o = 0;
    for (const p of this.partial) {
      all.set(p, o);
      o += p.length;
    }
    all.set(tail, o);
    this.partial = [];
    this.partialBytes = 0;
    return all;
  }

  private line(tail: Uint8Array, endBytes: number): void {
    if (this.overflow) {
      // The rest of an over-long line: drop it.
      this.overflow = false;
      this.partial = [];
      this.partialBytes = 0;
      return;
    }
    const content = this.takePartial(tail);
    const bytes = content.length + (endBytes - tail.length);
    if (this.held !== undefined) {
      if (content.length === 0) {
        this.eventBytes += bytes;
        this.dispatchHeld();
        return;
      }
      this.unhold();
    } else if (this.clean && this.fastData && isDataLine(content)) {
      // a single `data:` line so far: its value, decoded on its own (the prefix is ASCII)
      const v = content[5] === 0x20 ? 6 : 5;
      if (!(content[v] === 0xef && content[v + 1] === 0xbb && content[v + 2] === 0xbf)) {
        // (a value that begins with a BOM would lose it to TextDecoder: the parser path keeps it)
        this.held = utf8.decode(content.subarray(v));
        this.eventBytes += bytes;
        return;
      }
    }
    const text = utf8.decode(content);
    this.feed(text + '\n', bytes, text);
    this.clean = content.length === 0;
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
