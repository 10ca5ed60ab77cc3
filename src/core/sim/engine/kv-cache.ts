/**
 * The KV cache of one engine: a fixed number of blocks of 16 tokens, reference-counted, with
 * automatic prefix caching as vLLM does it. A full prompt block is keyed by the hash of its content
 * and everything before it (so equal hashes mean equal prefixes); when a request finishes or is
 * preempted its blocks are freed but keep their key, so a later request with the same prefix takes
 * them back instead of computing them again. Free blocks are handed out plain ones first, then
 * cached ones least-recently-freed first (LRU eviction), and an evicted block loses its key.
 */

export const KV_BLOCK_TOKENS = 16;

export interface KvStats {
  /** Cached blocks evicted to make room. */
  evictions: number;
}

export class KvCache {
  readonly totalBlocks: number;
  private readonly refs: Int32Array;
  /** Key of each block (NaN = none). */
  private readonly keyOf: Float64Array;
  /** Key -> the block that holds it. */
  private readonly byKey = new Map<number, number>();
  /** Free blocks with no key (a stack). */
  private readonly plain: number[] = [];
  /** Free blocks that keep a key, in LRU order (first = evicted first). */
  private readonly cachedFree = new Map<number, true>();
  readonly stats: KvStats = { evictions: 0 };

  constructor(
    totalBlocks: number,
    readonly prefixCaching: boolean,
  ) {
    this.totalBlocks = Math.max(1, Math.floor(totalBlocks));
    this.refs = new Int32Array(this.totalBlocks);
    this.keyOf = new Float64Array(this.totalBlocks).fill(NaN);
    for (let b = this.totalBlocks - 1; b >= 0; b--) this.plain.push(b);
  }

  /** Blocks that can be allocated now (plain plus evictable cached ones). */
  get freeBlocks(): number {
    return this.plain.length + this.cachedFree.size;
  }

  /** Fraction of blocks in use by requests (1 = full), as vLLM's kv_cache_usage_perc. */
  usage(): number {
    return 1 - this.freeBlocks / this.totalBlocks;
  }

  /** How many leading keys are cached, without taking them. */
  peekHits(keys: readonly number[]): number {
    if (!this.prefixCaching) return 0;
    let n = 0;
    while (n < keys.length && this.byKey.has(keys[n])) n++;
    return n;
  }

  /** Takes the cached blocks of the leading keys (at most `maxBlocks`): each gets one more reference. */
  acquireHits(keys: readonly number[], maxBlocks: number): number[] {
    const out: number[] = [];
    if (!this.prefixCaching) return out;
    for (let i = 0; i < keys.length && i < maxBlocks; i++) {
      const b = this.byKey.get(keys[i]);
      if (b === undefined) break;
      if (this.refs[b] === 0) this.cachedFree.delete(b);
      this.refs[b]++;
      out.push(b);
    }
    return out;
  }

  /** `n` fresh blocks, or undefined (nothing taken) when fewer are free. */
  allocate(n: number): number[] | undefined {
    if (n <= 0) return [];
    if (n > this.freeBlocks) return undefined;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      let b = this.plain.pop();
      if (b === undefined) {
        // Evict the least recently freed cached block.
        b = this.cachedFree.keys().next().value as number;
        this.cachedFree.delete(b);
        this.byKey.delete(this.keyOf[b]);
        this.keyOf[b] = NaN;
        this.stats.evictions++;
      }
      this.refs[b] = 1;
      out.push(b);
    }
    return out;
  }

  /** Keys a block whose 16 tokens are now computed, so later requests can reuse it. */
  register(block: number, key: number): void {
    if (!this.prefixCaching || !Number.isNaN(this.keyOf[block]) || this.byKey.has(key)) return;
    this.keyOf[block] = key;
    this.byKey.set(key, block);
  }

  /** Drops one reference of each block, last block first, so a prefix's tail is evicted before its head. */
  release(blocks: readonly number[]): void {
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i];
      if (this.refs[b] <= 0) continue;
      if (--this.refs[b] > 0) continue;
      if (Number.isNaN(this.keyOf[b])) this.plain.push(b);
      else this.cachedFree.set(b, true);
    }
  }

  /** Whether a key is cached now (for tests and the prefix-aware router). */
  has(key: number): boolean {
    return this.byKey.has(key);
  }
}

/** Blocks needed to hold `tokens` tokens. */
export function blocksFor(tokens: number): number {
  return Math.ceil(tokens / KV_BLOCK_TOKENS);
}
