/**
 * Two hot spots of @huggingface/tokenizers 0.2, replaced on a loaded tokenizer's own objects
 * (not the library's prototypes) with equivalents that give the same tokens faster:
 *  - the ByteLevel pre-tokenizer maps each pre-token to its byte characters through TextEncoder,
 *    Array.from and join, every time: memoised here per pre-token string;
 *  - the BPE model's LRU cache reorders a Map on every hit: a plain Map, emptied when full, here.
 * The unit tests compare whole long texts token by token with Hugging Face's Rust tokenizers.
 */

interface ByteLevelLike {
  add_prefix_space: boolean;
  use_regex: boolean;
  pattern: RegExp;
  byte_encoder: Record<number, string>;
  text_encoder: { encode(s: string): Uint8Array };
  pre_tokenize_text(text: string, options?: unknown): string[];
}

interface BpeNode {
  token: string;
  next: BpeNode | null;
  score?: number;
  bias: number;
}

interface BpeLike {
  cache: { get(k: string): unknown; put(k: string, v: unknown): void; clear(): void };
  max_length_to_cache: number;
  bpe(token: string): string[];
  bpe_ranks: Map<string, number>;
  merges: unknown;
  add_node(queue: { push(n: BpeNode): void }, node: BpeNode): void;
}

const MEMO_LIMIT = 200_000;

/** The library's components are callable objects (functions), so both kinds count. */
function isObj(x: unknown): x is object {
  return !!x && (typeof x === 'object' || typeof x === 'function');
}

function isByteLevel(x: unknown): x is ByteLevelLike {
  const o = x as Partial<ByteLevelLike>;
  return isObj(o) && !!o.byte_encoder && !!o.text_encoder && typeof o.pre_tokenize_text === 'function' && o.pattern instanceof RegExp;
}

function patchByteLevel(bl: ByteLevelLike): void {
  const enc = bl.byte_encoder;
  const ascii: string[] = [];
  for (let b = 0; b < 128; b++) ascii.push(enc[b]!);
  const memo = new Map<string, string>();
  const toBytes = (token: string): string => {
    let m = memo.get(token);
    if (m !== undefined) return m;
    let out = '';
    let allAscii = true;
    for (let i = 0; i < token.length; i++) {
      const c = token.charCodeAt(i);
      if (c >= 128) {
        allAscii = false;
        break;
      }
      out += ascii[c];
    }
    if (!allAscii) {
      out = '';
      for (const b of bl.text_encoder.encode(token)) out += enc[b];
    }
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(token, out);
    return out;
  };
  bl.pre_tokenize_text = function (text: string): string[] {
    if (this.add_prefix_space && !text.startsWith(' ')) text = ' ' + text;
    const tokens = this.use_regex ? text.match(this.pattern) ?? [] : [text];
    return tokens.map(toBytes);
  };
}

function isBpe(x: unknown): x is BpeLike {
  const o = x as Partial<BpeLike>;
  return isObj(o) && typeof o.bpe === 'function' && typeof o.max_length_to_cache === 'number' && !!o.cache && typeof o.cache.get === 'function' && typeof o.cache.put === 'function';
}

/**
 * The library looks merge ranks up by `JSON.stringify([left, right])` for every candidate pair,
 * hashing a new string each time. Here the same ranks sit in a map of maps, left then right, so a
 * lookup hashes the two token strings (whose hashes V8 caches). The later of duplicate merges
 * wins, as in the library's Map.
 */
function patchMergeLookup(model: BpeLike): boolean {
  const merges = model.merges;
  if (!Array.isArray(merges)) return false;
  const ranks = new Map<string, Map<string, number>>();
  for (let i = 0; i < merges.length; i++) {
    const m = merges[i];
    if (!Array.isArray(m) || typeof m[0] !== 'string' || typeof m[1] !== 'string') return false;
    let inner = ranks.get(m[0]);
    if (!inner) ranks.set(m[0], (inner = new Map()));
    inner.set(m[1], i);
  }
  model.add_node = function (queue, node) {
    const rank = ranks.get(node.token)?.get(node.next!.token);
    if (rank !== undefined) {
      node.score = rank + node.bias;
      queue.push(node);
    }
  };
  return true;
}

function patchBpeCache(model: BpeLike): void {
  const map = new Map<string, unknown>();
  model.cache = {
    get: (k) => map.get(k),
    put: (k, v) => {
      if (map.size >= MEMO_LIMIT) map.clear();
      map.set(k, v);
    },
    clear: () => map.clear(),
  };
}

/** Walks the pre-tokenizer tree (Sequence nests them) and patches what it recognises. Returns what was patched. */
export function speedUp(tok: { pre_tokenizer: unknown; model: unknown }): string[] {
  const done: string[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown): void => {
    if (!isObj(node) || seen.has(node)) return;
    seen.add(node);
    if (isByteLevel(node)) {
      patchByteLevel(node);
      done.push('byte-level');
    }
    const o = node as { tokenizers?: unknown; pre_tokenizers?: unknown };
    for (const list of [o.tokenizers, o.pre_tokenizers]) if (Array.isArray(list)) list.forEach(walk);
  };
  walk(tok.pre_tokenizer);
  if (isBpe(tok.model)) {
    patchBpeCache(tok.model);
    done.push('bpe-cache');
    if (tok.model.bpe_ranks instanceof Map && typeof tok.model.add_node === 'function' && patchMergeLookup(tok.model)) {
      done.push('merge-lookup');
    }
  }
  return done;
}
