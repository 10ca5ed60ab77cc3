/**
 * What a protocol client resolves with: the stream's record (./stream-record.ts) as a result, with
 * the request's clock. One builder for every client that times a stream (the HTTP client, the
 * WebSocket client, the mirror's primary and shadow sides), so a field added to the result is
 * added once.
 */
import type { StreamRecord } from './stream-record';
import type { StreamResult } from './types';

export interface SentRequest extends StreamResult {
  /** performance.now() when the request was handed to the socket: the zero of every packet's t_ms. */
  sent_at: number;
  /** performance.timeOrigin + sent_at: epoch ms with sub-ms precision, for matching server logs. */
  start_ms: number;
}

/**
 * The result of a stream that ended (or failed) `end_ms` after `sentAt` (performance.now() of
 * the thread that timed it; `timeOrigin` is that thread's performance.timeOrigin).
 */
export function sentRequestOf(rec: StreamRecord, sentAt: number, status: number | null, end_ms: number, firstByte: number | undefined, timeOrigin = performance.timeOrigin): SentRequest {
  const result: SentRequest = {
    sent_at: sentAt,
    start_ms: timeOrigin + sentAt,
    http_status: status,
    packets: rec.packets,
    end_ms,
    answer_text: rec.answer_text,
    thinking_text: rec.thinking_text,
    answer_chunks: rec.answer_chunks,
    thinking_chunks: rec.thinking_chunks,
    complete: rec.complete,
  };
  if (rec.response_id !== undefined) result.response_id = rec.response_id;
  if (firstByte !== undefined) result.first_byte_ms = firstByte;
  if (rec.finish_reason !== undefined) result.finish_reason = rec.finish_reason;
  if (rec.usage !== undefined) result.usage = { ...rec.usage };
  if (rec.server_timing !== undefined) result.server_timing = { ...rec.server_timing };
  if (rec.error) result.error = { ...rec.error };
  return result;
}
