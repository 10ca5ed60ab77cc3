/**
 * A model of automatic prefix caching (as vLLM and SGLang do it): prompt text is split into blocks
 * of 16 estimated tokens (64 characters); a block is cached when the same block, with the same text
 * before it, was prefilled before. A request's cached tokens are its leading cached blocks (never
 * the whole prompt: at least one token is always computed). Prefill time counts only the rest.
 * Memory is bounded: the set of block hashes starts over when full.
 */
import { CHARS_PER_TOKEN } from './generation';

export const BLOCK_TOKENS = 16;
const BLOCK_CHARS = BLOCK_TOKENS * CHARS_PER_TOKEN;

export class PrefixCache {
  private readonly blocks = new Set<number>();

  constructor(private readonly capacity: number = 200_000) {}

  /** Cached tokens of this prompt, then remembers its blocks. */
  lookupAndInsert(promptText: string, promptTokens: number): number {
    const hashes = blockHashes(promptText);
    let hits = 0;
    while (hits < hashes.length && this.blocks.has(hashes[hits])) hits++;
    if (this.blocks.size + hashes.length > this.capacity) this.blocks.clear();
    for (const h of hashes) this.blocks.add(h);
    return Math.max(0, Math.min(hits * BLOCK_TOKENS, promptTokens - 1));
  }
}

/** The chained FNV-1a hash at the end of each full block: each hash covers all the text before it. */
export function blockHashes(text: string): number[] {
  const out: number[] = [];
  let h = 0x811c9dc5;
  const full = Math.floor(text.length / BLOCK_CHARS) * BLOCK_CHARS;
  for (let i = 0; i < full; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
    if ((i + 1) % BLOCK_CHARS === 0) out.push(h >>> 0);
  }
  return out;
}
