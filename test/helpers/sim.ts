/** Simulator profiles for tests, which check structure and order, not speed. */
import { defineProfile, type SimProfile } from '../../src/core/sim/index';

/** A reasoning profile with instant prefill, no keep-alives, and fast decode of the given lengths. */
export function fastProfile(thinking: [number, number], answer: [number, number], overrides: Partial<SimProfile> = {}): SimProfile {
  return defineProfile('reasoning', {
    name: 'fast',
    decode_tokens_per_s: 5000,
    prefill_tokens_per_s: 1_000_000,
    overhead_ms: 0,
    keepalive_interval_ms: 0,
    thinking_tokens: thinking,
    answer_tokens: answer,
    ...overrides,
  });
}
