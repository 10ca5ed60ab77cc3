/**
 * What every protocol adapter produces: typed packets with arrival timestamps, and one StreamResult
 * per request. Times are monotonic milliseconds (performance.now()) relative to the moment the
 * request was sent, taken when the bytes arrived, before any parsing.
 */

export type PacketKind = 'thinking' | 'answer' | 'tool_call' | 'stats' | 'heartbeat' | 'error' | 'done' | 'other';

export const PACKET_KINDS: readonly PacketKind[] = ['thinking', 'answer', 'tool_call', 'stats', 'heartbeat', 'error', 'done', 'other'];

export interface Packet {
  /** Arrival time of the read that completed this packet, ms since the request was sent. */
  t_ms: number;
  kind: PacketKind;
  /** Size of the raw event on the wire (UTF-8 bytes, framing included). */
  bytes: number;
  /** Decoded output text for thinking/answer packets; the raw event data otherwise (truncated to 2 KB). */
  text: string;
}

export type ErrorKind =
  | 'http_429'
  | 'http_4xx'
  | 'http_5xx'
  | 'connect'
  | 'timeout_ttft'
  | 'timeout_stall'
  | 'timeout_total'
  | 'disconnect'
  | 'bad_stream'
  | 'stream_error'
  | 'empty_answer'
  | 'truncated_thinking'
  | 'length'
  | 'cancelled'
  | 'redirect'
  | 'context_exceeded';

export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  reasoning_tokens?: number;
  cached_tokens?: number;
}

export interface StreamResult {
  /** HTTP status, or null when no response arrived. */
  http_status: number | null;
  /** The `id` the server gave the response, for matching server logs. */
  response_id?: string;
  /** Every packet, in arrival order. */
  packets: Packet[];
  /** ms since sent of the first response byte (headers), if any. */
  first_byte_ms?: number;
  /** ms since sent of the end of the stream (or of the failure). */
  end_ms: number;
  answer_text: string;
  thinking_text: string;
  /** Number of answer / thinking packets that carried text. */
  answer_chunks: number;
  thinking_chunks: number;
  finish_reason?: string;
  usage?: Usage;
  /** Durations the server reported about itself (Ollama's total/load/prompt_eval/eval), ms. */
  server_timing?: Record<string, number>;
  /** True when the stream's done marker ([DONE], message_stop, done:true ...) arrived. */
  complete: boolean;
  error?: { kind: ErrorKind; message: string; retry_after?: string };
  /** Sends repeated on a fresh connection because a reused one was found closed before any response byte; absent when 0. */
  retries?: number;
  /** Packets that arrived after the per-request cap (PACKET_LIMIT) and were counted but not kept; absent when 0. */
  packets_dropped?: number;
}
