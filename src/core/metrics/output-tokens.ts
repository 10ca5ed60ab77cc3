/**
 * A request's output tokens from the server's usage. The decoders already read each server's
 * convention from its numbers (protocols/usage-convention.ts: `completion_tokens` comes out
 * counting the reasoning tokens). One case the numbers alone cannot settle: a server that gives a
 * reasoning count no larger than completion_tokens and no `total_tokens`. Then the client's own
 * count decides: if completion_tokens held the reasoning, the answer would have had
 * `completion - reasoning` tokens; fewer tokens than the answer packets that carried text (each
 * carries at least one) means completion_tokens was the answer alone, and the reasoning is added.
 */
import type { StreamResult } from '../protocols/types';

export interface ServerOutputTokens {
  /** Every generated token: answer, reasoning and tool calls. */
  output_tokens: number;
  /** The server's reasoning count, when it gave one. */
  reasoning_tokens: number | undefined;
}

/** The server's output counts; undefined when it reported no completion count. */
export function serverOutputTokens(s: Pick<StreamResult, 'usage' | 'answer_chunks'>): ServerOutputTokens | undefined {
  const completion = s.usage?.completion_tokens;
  if (completion === undefined) return undefined;
  const reasoning = s.usage?.reasoning_tokens;
  if (reasoning !== undefined && reasoning > 0 && completion - reasoning < s.answer_chunks) {
    return { output_tokens: completion + reasoning, reasoning_tokens: reasoning };
  }
  return { output_tokens: completion, reasoning_tokens: reasoning };
}
