/**
 * Shared body handling for the JSON-over-SSE APIs: decides from the content-type (or, when it says
 * neither, from the first byte) whether the body is an SSE stream or one whole JSON document (a
 * server that ignored `stream: true`), frames SSE events, and turns comments into heartbeats and
 * unparseable lines into `bad_stream`; keeps the `<think>` splitter and ends a whole-JSON body.
 * Subclasses classify the events.
 */
import type { DecoderContext, StreamDecoder } from './adapter';
import { errorMessage, firstSignificantByte, isObject, parseJson } from './adapter';
import { readUsage } from './openai-common';
import { flushContent, makeSplitter, PacketEmitter, type DecoderOptions } from './packet-emitter';
import { SseFramer, type SseEvent } from './sse-framer';
import { StreamRecord } from './stream-record';
import type { ThinkTagSplitter } from './think-tags';

/** A whole-JSON body larger than this is not buffered further. */
export const MAX_JSON_BODY_BYTES = 32 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8');

export abstract class SseJsonDecoder implements StreamDecoder {
  readonly record = new StreamRecord();
  private mode: 'unknown' | 'sse' | 'json';
  private readonly framer: SseFramer;
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  /** Arrival time of the read being decoded. */
  protected t = 0;
  /** Splits `<think>` tags out of the answer text; undefined when turned off. */
  protected readonly splitter: ThinkTagSplitter | undefined;

  constructor(ctx: DecoderContext, opts: DecoderOptions = {}) {
    this.splitter = makeSplitter(opts.think_tags);
    const ct = ctx.contentType;
    this.mode = ct.includes('text/event-stream') ? 'sse' : /\bjson\b/.test(ct) && !ct.includes('ndjson') ? 'json' : 'unknown';
    // try/catch in each callback rather than guard(() => …): no closure per event.
    this.framer = new SseFramer({
      event: (e) => {
        try {
          this.onEvent(e);
        } catch (err) {
          this.decoderFailed(err);
        }
      },
      comment: (text, bytes) => {
        try {
          this.onComment(text, bytes);
        } catch (err) {
          this.decoderFailed(err);
        }
      },
      invalid: (line, bytes) => {
        try {
          this.onInvalid(line, bytes);
        } catch (err) {
          this.decoderFailed(err);
        }
      },
      trailing: (text, bytes) => {
        try {
          this.onTrailing(text, bytes);
        } catch (err) {
          this.decoderFailed(err);
        }
      },
      dataSpan: (text, from, to, bytes) => {
        try {
          this.onDataSpan(text, from, to, bytes);
        } catch (err) {
          this.decoderFailed(err);
        }
        return true;
      },
    });
  }

  push(chunk: Uint8Array, t_ms: number): void {
    this.t = t_ms;
    if (this.mode === 'unknown') {
      const b = firstSignificantByte(chunk);
      if (b === -1) {
        this.hold(chunk);
        return;
      }
      this.mode = b === 0x7b || b === 0x5b ? 'json' : 'sse';
      if (this.mode === 'sse' && this.heldBytes > 0) {
        for (const h of this.held) this.framer.push(h);
        this.held = [];
        this.heldBytes = 0;
      }
    }
    if (this.mode === 'sse') this.framer.push(chunk);
    else this.hold(chunk);
  }

  end(t_ms: number): void {
    this.t = t_ms;
    if (this.mode === 'sse') {
      this.framer.end();
      return;
    }
    if (this.heldBytes === 0) return;
    const all = new Uint8Array(this.heldBytes);
    let o = 0;
    for (const h of this.held) {
      all.set(h, o);
      o += h.length;
    }
    this.held = [];
    const text = utf8.decode(all);
    if (this.mode === 'unknown') return; // whitespace only
    const value = parseJson(text);
    if (value === undefined) {
      this.record.add(t_ms, 'other', all.length, text);
      this.record.fail('bad_stream', `response body is neither SSE nor valid JSON: ${text.slice(0, 200)}`);
      return;
    }
    this.guard(() => this.onJsonBody(value, all.length, text));
  }

  private hold(chunk: Uint8Array): void {
    if (this.heldBytes + chunk.length > MAX_JSON_BODY_BYTES) {
      if (!this.record.error) this.record.fail('bad_stream', `JSON response body larger than ${MAX_JSON_BODY_BYTES} bytes`);
      return;
    }
    this.held.push(new Uint8Array(chunk)); // a copy: `chunk` may be a view of a reused read buffer
    this.heldBytes += chunk.length;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.decoderFailed(err);
    }
  }

  private decoderFailed(err: unknown): void {
    this.record.fail('bad_stream', `decoder failed: ${(err as Error).message}`);
  }

  /** One complete SSE event. */
  protected abstract onEvent(e: SseEvent): void;

  /**
   * An event of one `data:` line, as the span `text[from, to)` of a read (see SseSink.dataSpan).
   * This default makes the event onEvent() gets; a decoder overrides it to read common events
   * from the span without that.
   */
  protected onDataSpan(text: string, from: number, to: number, bytes: number): void {
    this.onEvent({ data: text.slice(from, to), bytes });
  }
  /** The whole body was one JSON document. */
  protected abstract onJsonBody(value: unknown, bytes: number, raw: string): void;

  /**
   * A whole-body JSON document as an object, or undefined once it is recorded as a failure: not an
   * object is bad_stream, an error object (by `isError`, default: it has an `error`) is stream_error.
   */
  protected bodyObject(
    value: unknown,
    bytes: number,
    raw: string,
    isError: (o: Record<string, unknown>) => boolean = (o) => o.error !== undefined && o.error !== null,
  ): Record<string, unknown> | undefined {
    if (!isObject(value)) {
      this.record.add(this.t, 'other', bytes, raw);
      this.record.fail('bad_stream', 'response body is JSON but not an object');
      return undefined;
    }
    if (isError(value)) {
      this.record.add(this.t, 'error', bytes, raw);
      this.record.fail('stream_error', errorMessage(value.error ?? value));
      return undefined;
    }
    return value;
  }

  /**
   * A whole-body response object (see bodyObject) with its id recorded, and the emitter for its
   * packets (the first carries the body's bytes); undefined once the body is recorded as a failure.
   */
  protected openJsonBody(
    value: unknown,
    bytes: number,
    raw: string,
    isError?: (o: Record<string, unknown>) => boolean,
  ): { body: Record<string, unknown>; out: PacketEmitter } | undefined {
    const body = this.bodyObject(value, bytes, raw, isError);
    if (!body) return undefined;
    this.record.setId(body.id);
    return { body, out: new PacketEmitter(this.record, this.t, bytes) };
  }

  /**
   * The end of a response that came as one JSON body (the server ignored `stream`): the text the
   * `<think>` splitter still holds, its usage as a stats packet, an `other` packet when nothing
   * else was in it, and the record complete.
   */
  protected finishJsonBody(out: PacketEmitter, usage: unknown, raw: string): void {
    flushContent(this.record, this.t, this.splitter);
    if (isObject(usage)) {
      out.record.mergeUsage(readUsage(usage, out.record.answer_chunks));
      out.emit('stats', JSON.stringify(usage));
    }
    if (out.emitted === 0) out.emit('other', raw);
    out.record.complete = true;
  }

  protected onComment(text: string, bytes: number): void {
    this.record.add(this.t, 'heartbeat', bytes, text);
  }

  protected onInvalid(line: string, bytes: number): void {
    this.record.add(this.t, 'other', bytes, line);
    this.record.fail('bad_stream', `not an SSE line: ${line.slice(0, 200)}`);
  }

  /** Bytes after the last line end. An event cut off by a disconnect is kept as `other`. */
  protected onTrailing(text: string, bytes: number): void {
    this.record.add(this.t, 'other', bytes, text);
  }

  /** Event data that is not JSON: `bad_stream`. */
  protected badData(e: SseEvent): void {
    this.record.add(this.t, 'other', e.bytes, e.data);
    this.record.fail('bad_stream', `event data is not JSON: ${e.data.slice(0, 200)}`);
  }
}
