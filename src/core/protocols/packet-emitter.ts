/**
 * What every decoder shares to turn decoded text into packets on a StreamRecord: the emitter that
 * gives one event's bytes to its first packet, answer text routed through the `<think>` splitter,
 * and the end of the stream (held-back text flushed, `done`, record complete).
 */
import type { StreamRecord } from './stream-record';
import { ThinkTagSplitter, type ThinkTagOptions } from './think-tags';
import type { PacketKind } from './types';

/** Options every decoder takes. */
export interface DecoderOptions {
  /** `<think>` tag splitting of the answer text; `false` turns it off. Default: on, default tags. */
  think_tags?: ThinkTagOptions | false;
}

/** Emits packets for one event: the first packet carries the event's bytes, the rest 0. */
export class PacketEmitter {
  private bytes: number;
  emitted = 0;
  constructor(
    readonly record: StreamRecord,
    private t: number,
    bytes: number,
  ) {
    this.bytes = bytes;
  }
  /** Arrival time of the event being emitted. */
  get time(): number {
    return this.t;
  }
  /** Starts the next event with the same emitter (no allocation per event). */
  reset(t: number, bytes: number): this {
    this.t = t;
    this.bytes = bytes;
    this.emitted = 0;
    return this;
  }
  emit(kind: PacketKind, text: string): void {
    this.record.add(this.t, kind, this.bytes, text);
    this.bytes = 0;
    this.emitted++;
  }
}

/** Routes answer text through the `<think>` splitter when one is configured. */
export function emitContent(out: PacketEmitter, splitter: ThinkTagSplitter | undefined, text: string, raw: string): void {
  if (!emitPlainContent(out, splitter, text)) emitSplitContent(out, splitter!, text, raw);
}

/**
 * emitContent's common case: no splitter, or text the splitter passes through whole. False, with
 * nothing emitted, when the text must be split (emitSplitContent, which may need the event's data).
 */
export function emitPlainContent(out: PacketEmitter, splitter: ThinkTagSplitter | undefined, text: string): boolean {
  if (!splitter) {
    out.emit('answer', text);
    return true;
  }
  const kind = splitter.passThrough(text);
  if (kind === undefined) return false;
  out.emit(kind, text);
  return true;
}

/** The rest of emitContent: text the splitter did not pass through whole. */
export function emitSplitContent(out: PacketEmitter, splitter: ThinkTagSplitter, text: string, raw: string): void {
  const r = splitter.push(text);
  if (r.retro) out.record.answerWasThinking();
  for (const s of r.segments) out.emit(s.kind, s.text);
  if (r.segments.length > 0) return;
  // A delta that was only a tag (or the end of one) is a thinking token; text held back because it
  // may begin a tag is not classified yet.
  if (r.tag || splitter.inThinking) out.emit('thinking', '');
  else out.emit('other', raw);
}

export function flushContent(rec: StreamRecord, t: number, splitter: ThinkTagSplitter | undefined): void {
  if (!splitter) return;
  const out = new PacketEmitter(rec, t, 0);
  for (const s of splitter.flush().segments) out.emit(s.kind, s.text);
}

/**
 * The stream's last event: the text the `<think>` splitter still holds back (packets without
 * bytes), a `stats` packet when asked, then `done`; the record is complete. The event's bytes go to
 * the first of these packets `out` emits, unless an earlier packet of the event took them.
 */
export function emitStreamEnd(out: PacketEmitter, splitter: ThinkTagSplitter | undefined, raw: string, stats = false): void {
  flushContent(out.record, out.time, splitter);
  if (stats) out.emit('stats', raw);
  out.emit('done', raw);
  out.record.complete = true;
}

export function makeSplitter(opts: ThinkTagOptions | false | undefined): ThinkTagSplitter | undefined {
  return opts === false ? undefined : new ThinkTagSplitter(opts ?? {});
}
