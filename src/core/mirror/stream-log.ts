/**
 * The primary's answer as the proxy saw it (./forwarding-exchange.ts): its bytes, where each read
 * ended and when it arrived, and how the stream ended. The proxy's loop only keeps it; the
 * mirror's worker thread decodes it here with the API's protocol decoder (../protocols), feeding
 * each read with the arrival time taken on the proxy's loop, so the record is the one the live
 * decoder would have made, and HTTP failures are classified as llmload classifies its own.
 */
import { createAdapter } from '../protocols';
import type { SentRequest, StreamDecoder } from '../protocols';
import { decodeErrorBody } from '../protocols/content-decoding';
import { classifyHttpFailure, streamErrorKind } from '../protocols/http-errors';
import { sentRequestOf } from '../protocols/sent-request';
import { StreamRecord } from '../protocols/stream-record';
import { describeError } from '../protocols/transport-errors';
import type { ErrorKind } from '../protocols/types';
import type { ApiKind } from '../scenario/plan';

/** Error bodies (HTTP >= 300) are kept up to this many bytes for the record's message. */
export const LOGGED_ERROR_BYTES = 4096;

export interface StreamLog {
  /** performance.now() on the proxy's thread when the request went onto the primary's connected socket. */
  sent_at: number;
  /** Epoch ms of sent_at (the proxy thread's timeOrigin + sent_at). */
  start_ms: number;
  /** null: no response came. */
  status: number | null;
  first_byte_ms?: number;
  /** Lower case; '' when absent. */
  content_type: string;
  content_encoding?: string;
  retry_after?: string;
  location?: string;
  /** The body's first `length` bytes are the answer (an error body: its first LOGGED_ERROR_BYTES). */
  bytes: Uint8Array;
  length: number;
  /** Read i is bytes[ends[i-1] .. ends[i]), arrived times[i] ms after sent_at. */
  ends: number[];
  times: number[];
  /** How the answer ended; `t`: ms after sent_at. */
  end: StreamEnd & { t: number };
}

/** The stream's end: read to the end, a transport failure, or cut (the client left, the mirror stopped). */
export type StreamEnd = { how: 'end' } | { how: 'error' | 'abort'; kind: ErrorKind; message: string };

/** The timed result of a logged answer, as the live HTTP client would have recorded it. */
export function decodeStreamLog(log: StreamLog, api: ApiKind): SentRequest {
  const rec0 = new StreamRecord();
  let decoder: StreamDecoder | undefined;
  const record = (): StreamRecord => decoder?.record ?? rec0;
  const end = log.end;
  let endMs = end.t;
  const bytes = Buffer.from(log.bytes.buffer, log.bytes.byteOffset, log.length);
  if (log.status !== null && log.status >= 300) {
    const text = (log.content_encoding === undefined ? bytes : decodeErrorBody(log.content_encoding, bytes)).toString('utf8');
    if (end.how === 'abort') rec0.fail(end.kind, end.message);
    else {
      const f = classifyHttpFailure(log.status, text, log.location);
      rec0.fail(f.kind, f.message, log.retry_after);
    }
  } else if (log.status !== null) {
    try {
      decoder = createAdapter({ api, model: '', headers: {}, timeouts: { total_ms: 0 } }, 'http://127.0.0.1/').createDecoder({ contentType: log.content_type });
    } catch (err) {
      rec0.fail('bad_stream', `cannot create decoder: ${describeError(err)}`);
    }
    let doneAt: number | undefined;
    if (decoder) {
      let from = 0;
      for (let i = 0; i < log.ends.length && doneAt === undefined; i++) {
        const to = log.ends[i]!;
        try {
          decoder.push(bytes.subarray(from, to), log.times[i]!);
        } catch (err) {
          decoder.record.fail('bad_stream', `decoder failed: ${describeError(err)}`);
        }
        from = to;
        // The done marker ends the stream as llmload times it; what follows is not read.
        if (decoder.record.complete) doneAt = log.times[i]!;
      }
    }
    const rec = record();
    if (doneAt !== undefined) endMs = doneAt;
    else if (end.how === 'end') {
      if (decoder) {
        try {
          decoder.end(end.t);
        } catch (err) {
          rec.fail('bad_stream', `decoder failed: ${describeError(err)}`);
        }
      }
      if (!rec.complete && !rec.error) rec.fail('disconnect', 'stream ended before its done marker');
    } else {
      if (end.how === 'error' && decoder && !rec.complete) {
        try {
          decoder.end(end.t);
        } catch {
          // the transport error is the failure
        }
      }
      if (!rec.complete) rec.fail(end.kind, end.message);
    }
  } else if (end.how !== 'end') rec0.fail(end.kind, end.message);
  else rec0.fail('disconnect', 'no response');
  const r = sentRequestOf(record(), log.sent_at, log.status, endMs, log.first_byte_ms, log.start_ms - log.sent_at);
  if (r.error?.kind === 'stream_error') r.error.kind = streamErrorKind(r.error.message);
  return r;
}
