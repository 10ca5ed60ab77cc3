/**
 * The OpenAI chat decoder on a whole SSE stream, for the tests that compare its fast path (the
 * chunk scanner) with the full JSON.parse path: what a stream decodes to, as one comparable value.
 */
import { OpenAiChatDecoder, type OpenAiDecoderOptions } from '../../src/core/protocols/openai-chat';

/**
 * Decodes `events` (the `data:` payloads; `[DONE]` is added) pushed in reads that end at `splits`
 * (byte offsets; taken modulo the stream's length, in any order, repeats ignored), the n-th read at
 * time n.
 */
export function decodeChat(events: string[], opts: OpenAiDecoderOptions, splits: number[] = []): ReturnType<typeof chatSummary> {
  const d = new OpenAiChatDecoder({ contentType: 'text/event-stream' }, opts);
  const body = Buffer.from(events.map((e) => `data: ${e}\n\n`).join('') + 'data: [DONE]\n\n');
  const ends = [...new Set([...splits.map((o) => o % body.length), body.length])].filter((o) => o > 0).sort((a, b) => a - b);
  let from = 0;
  ends.forEach((end, i) => {
    d.push(body.subarray(from, end), i);
    from = end;
  });
  d.end(ends.length + 1);
  return chatSummary(d);
}

/**
 * Decodes several streams at once, as a thread's decoders see a server's tokens: one event per read,
 * the streams taking turns (a stream that has ended drops out).
 */
export function decodeChatInterleaved(streams: string[][], opts: OpenAiDecoderOptions): ReturnType<typeof chatSummary>[] {
  const ds = streams.map(() => new OpenAiChatDecoder({ contentType: 'text/event-stream' }, opts));
  const events = streams.map((es) => [...es, '[DONE]'].map((e) => Buffer.from(`data: ${e}\n\n`)));
  const longest = Math.max(0, ...events.map((es) => es.length));
  for (let j = 0; j < longest; j++) events.forEach((es, k) => es[j] && ds[k]!.push(es[j]!, j));
  return ds.map((d) => {
    d.end(longest + 1);
    return chatSummary(d);
  });
}

/** Everything a decoder records that the fast path could get wrong. */
export function chatSummary(d: OpenAiChatDecoder) {
  const r = d.record;
  return {
    packets: r.packets.map((p) => [p.kind, p.text, p.bytes, p.t_ms]),
    answer: r.answer_text,
    thinking: r.thinking_text,
    chunks: [r.answer_chunks, r.thinking_chunks],
    usage: r.usage,
    finish: r.finish_reason,
    complete: r.complete,
    error: r.error,
    id: r.response_id,
    first: r.first_output_ms,
  };
}
