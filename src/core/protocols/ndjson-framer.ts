/**
 * Incremental newline-delimited JSON framing over raw bytes: splits on LF (a CR before it is
 * dropped), decodes each complete line as UTF-8, and counts each line's wire bytes. Blank lines are
 * skipped; their bytes go to the next record. Never throws.
 */
import { PartialLine } from './partial-line';

export interface NdjsonSink {
  line(text: string, bytes: number): void;
  /** A line longer than the limit was dropped. */
  overflow(bytes: number): void;
  /** Bytes left at the end of the body without a line end. */
  trailing(text: string, bytes: number): void;
}

export const MAX_NDJSON_LINE_BYTES = 16 * 1024 * 1024;
const LF = 0x0a;
const utf8 = new TextDecoder('utf-8');

export class NdjsonFramer {
  private readonly partial = new PartialLine(MAX_NDJSON_LINE_BYTES);
  private carry = 0;
  private dropping = false;

  constructor(private readonly sink: NdjsonSink) {}

  push(chunk: Uint8Array): void {
    let start = 0;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, start)) {
      this.complete(chunk.subarray(start, i), i + 1 - start);
      start = i + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  end(): void {
    if (this.partial.bytes > 0 && !this.dropping) {
      const rest = this.partial.take(new Uint8Array(0));
      const text = utf8.decode(rest).replace(/\r$/, '');
      // A last record without its newline is still a record when it is whole JSON.
      if (text.trim().length > 0) this.sink.trailing(text, rest.length + this.carry);
    }
    this.partial.clear();
    this.carry = 0;
    this.dropping = false;
  }

  private keep(bytes: Uint8Array): void {
    if (this.dropping) return;
    if (!this.partial.keep(bytes)) {
      this.dropping = true;
      this.sink.overflow(MAX_NDJSON_LINE_BYTES);
    }
  }

  private complete(tail: Uint8Array, tailBytes: number): void {
    if (this.dropping) {
      this.dropping = false;
      return;
    }
    const content = this.partial.take(tail);
    const bytes = content.length + (tailBytes - tail.length) + this.carry;
    const text = utf8.decode(content).replace(/\r$/, '');
    if (text.trim().length === 0) {
      this.carry = bytes;
      return;
    }
    this.carry = 0;
    this.sink.line(text, bytes);
  }
}
