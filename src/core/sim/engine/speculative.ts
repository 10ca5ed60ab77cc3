/**
 * Speculative decoding (a draft model, EAGLE or MTP heads): each step a decoding sequence proposes
 * `k` draft tokens and the target model verifies them in the same forward pass. Draft token i is
 * accepted with probability `a` if every draft before it was; the step then emits the accepted
 * drafts plus one token of its own, so 1 to k+1 tokens, and a stream chunk carries all of them.
 * Expected tokens per step: (1 - a^(k+1)) / (1 - a).
 */
import type { Rng } from '../random';

/** Accepted draft tokens of one step of one sequence: 0..k, leading acceptances only. */
export function acceptedDrafts(rng: Rng, k: number, acceptance: number): number {
  let n = 0;
  while (n < k && rng.next() < acceptance) n++;
  return n;
}

/** Mean tokens a decoding sequence emits per step. */
export function expectedTokensPerStep(k: number, acceptance: number): number {
  if (k <= 0) return 1;
  if (acceptance >= 1) return k + 1;
  return (1 - acceptance ** (k + 1)) / (1 - acceptance);
}
