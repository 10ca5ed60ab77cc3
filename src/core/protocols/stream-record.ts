/**
 * The mutable record one decoder fills while a response streams in: packets in arrival order, the
 * answer and thinking text, usage, finish reason and the first failure. Decoders only append to it;
 * the HTTP client reads it to arm its timers and turns it into a StreamResult at the end.
 */
import type { ErrorKind, Packet, PacketKind, Usage } from './types';

/** Raw event data kept on non-output packets is cut to this many characters. */
export const RAW_TEXT_LIMIT = 2048;

/**
 * Most packets one request keeps. Beyond it (an endless or runaway stream) the newest packet and
 * the newest output packet keep the last two slots, and the others are counted in `packets_dropped`.
 */
export const PACKET_LIMIT = 100_000;

/** Most characters of answer text, and of thinking text, one request keeps; later text is not kept (its chunks are still counted). */
export const TEXT_LIMIT = 1_000_000;

export interface StreamError {
  kind: ErrorKind;
  message: string;
  retry_after?: string;
}

export function truncateRaw(text: string): string {
  return text.length <= RAW_TEXT_LIMIT ? text : text.slice(0, RAW_TEXT_LIMIT);
}

/** Packet kinds that carry model output: the first of these is TTFT. */
export function isOutputKind(kind: PacketKind): boolean {
  return kind === 'thinking' || kind === 'answer' || kind === 'tool_call';
}

export class StreamRecord {
  readonly packets: Packet[] = [];
  answer_text = '';
  thinking_text = '';
  answer_chunks = 0;
  thinking_chunks = 0;
  finish_reason?: string;
  usage?: Usage;
  response_id?: string;
  /** True once the stream's done marker arrived. */
  complete = false;
  error?: StreamError;
  /** Durations the server reported about itself (Ollama), in ms. */
  server_timing?: Record<string, number>;
  /** t_ms of the first thinking / answer / tool_call packet. */
  first_output_ms?: number;
  /** Every packet added, kept or not. */
  packet_count = 0;
  /** Packets not kept because of PACKET_LIMIT. */
  packets_dropped = 0;

  /**
   * Appends one packet. For thinking/answer packets `text` is the decoded output and is added to
   * the running text; for every other kind it is the raw event data (cut to 2 KB).
   */
  add(t_ms: number, kind: PacketKind, bytes: number, text: string): Packet {
    let kept = text;
    if (kind === 'thinking') {
      if (this.thinking_text.length < TEXT_LIMIT) this.thinking_text += text;
      if (text.length > 0) this.thinking_chunks++;
    } else if (kind === 'answer') {
      if (this.answer_text.length < TEXT_LIMIT) this.answer_text += text;
      if (text.length > 0) this.answer_chunks++;
    } else {
      kept = truncateRaw(text);
    }
    if (this.first_output_ms === undefined && isOutputKind(kind)) this.first_output_ms = t_ms;
    const packet: Packet = { t_ms, kind, bytes, text: kept };
    this.packet_count++;
    if (this.packets.length < PACKET_LIMIT) this.packets.push(packet);
    else this.keepPastLimit(packet);
    return packet;
  }

  /**
   * Past the cap the last slot holds the newest packet and the one before it the newest output
   * packet, in time order, so the last output's time (token rate) and the end stay right.
   */
  private keepPastLimit(packet: Packet): void {
    this.packets_dropped++;
    const last = PACKET_LIMIT - 1;
    const tail = this.packets[last]!;
    if (!isOutputKind(packet.kind) && isOutputKind(tail.kind)) this.packets[last - 1] = tail;
    this.packets[last] = packet;
  }

  /**
   * The answer so far was thinking after all: a `</think>` arrived without an opening tag. Relabels
   * the answer packets and moves their text. Safe because results are read only when complete.
   */
  answerWasThinking(): void {
    for (const p of this.packets) if (p.kind === 'answer') p.kind = 'thinking';
    this.thinking_text += this.answer_text;
    this.answer_text = '';
    this.thinking_chunks += this.answer_chunks;
    this.answer_chunks = 0;
  }

  /** Records a failure; the first one wins (a timeout after a stream error stays a stream error). */
  fail(kind: ErrorKind, message: string, retry_after?: string): void {
    if (this.error) return;
    this.error = retry_after === undefined ? { kind, message } : { kind, message, retry_after };
  }

  setId(id: unknown): void {
    if (this.response_id === undefined && typeof id === 'string' && id.length > 0) this.response_id = id;
  }

  setFinish(reason: unknown): void {
    if (typeof reason === 'string' && reason.length > 0) this.finish_reason = reason;
  }

  /** Merges counts the server reported; later reports override earlier ones field by field. */
  mergeUsage(u: Usage): void {
    const merged: Usage = { ...this.usage };
    for (const key of ['prompt_tokens', 'completion_tokens', 'reasoning_tokens', 'cached_tokens'] as const) {
      const v = u[key];
      if (typeof v === 'number' && Number.isFinite(v)) merged[key] = v;
    }
    if (Object.keys(merged).length > 0) this.usage = merged;
  }
}

/**
 * Finish reasons in OpenAI's words, so the record builder sees one vocabulary: a length limit is
 * always `length` (Anthropic `max_tokens`, Responses `max_output_tokens`), a natural end `stop`
 * (`end_turn`, `eos_token`, `stop_sequence`), tool use `tool_calls`. Unknown reasons pass through.
 */
export function normalizeFinishReason(reason: string): string {
  switch (reason) {
    case 'max_tokens':
    case 'max_output_tokens':
    case 'max_new_tokens':
    case 'model_length':
      return 'length';
    case 'end_turn':
    case 'eos_token':
    case 'stop_sequence':
    case 'eos':
      return 'stop';
    case 'tool_use':
      return 'tool_calls';
    default:
      return reason;
  }
}
