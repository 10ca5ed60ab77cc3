/**
 * Synthetic prompts of an exact token length, for `dataset synthetic`: seeded random English words
 * chosen so that each word (with its leading space) is one token of this tokenizer, then checked
 * with a real count and trimmed or extended by whole words until the count is exact. An optional
 * shared prefix of an exact length opens every prompt (KV / prefix-cache tests).
 */
import { nonceText } from '../protocols/prompt-nonce';
import type { PromptNonce, PromptPlan, SyntheticDatasetPlan } from '../scenario/plan';
import { countPrompt } from './counts';
import type { LoadedTokenizer } from './load';

/** A token length, or a range each prompt draws its length from (seeded, uniform, both ends included). */
export type TokenSpan = number | { min: number; max: number };

export interface SyntheticSpec {
  /** Input tokens of each prompt, shared prefix included. */
  input: TokenSpan;
  /** `max_tokens` of each request. */
  output: TokenSpan;
  /** Tokens at the start of every prompt that are the same in all of them. */
  shared_prefix?: number;
  count: number;
  seed: number;
  /**
   * What `input` measures: the user message's own tokens ('content', the default, as vLLM's and
   * SGLang's random datasets do) or the whole templated prompt the server sees ('chat').
   */
  measure?: 'content' | 'chat';
  /** Prompt names are `${name}-1`, `${name}-2`, ... Default `synthetic`. */
  name?: string;
  /**
   * Every request gets its own prompt: NONCE_LENGTH tokens right after the shared prefix are a
   * placeholder each request overwrites with its own nonce (see PromptNonce). Default false.
   */
  unique?: boolean;
}

/** Words (one token each) in a `unique` prompt's nonce: 64^5 ≈ 1.07e9 distinct nonces. */
export const NONCE_LENGTH = 5;
/** At most this many words make the nonce alphabet. */
const NONCE_ALPHABET = 64;

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were ' +
  'her she there been one all we their has would when if so no will more can who out said some what up its about into them ' +
  'than time only could new these two may first then do any like my now over such our man me even most made after also did ' +
  'many before must through back years where much your way well down should because each just those people how too little ' +
  'state good very make world still own see men work long get here between both life being under never day same another know ' +
  'while last might us great old year off come since against go came right used take three states himself few house use ' +
  'during without again place around however home small found thought went say part once general high upon school every ' +
  'does got united left number course war until always away something fact though water less public put think almost hand ' +
  'enough far took head yet government system better set told nothing night end why called eyes find going look asked later ' +
  'point knew city next program business give group toward young days let room president side social given present several ' +
  'order national possible rather second face per among form important often things looked early white case john become large ' +
  'big need four within felt along children saw best church ever least power development light thing seemed family interest ' +
  'want members others mind country area done turned help open service certain kind problem began different door thus ' +
  'whole sense means field river market table music voice paper garden window letter money story summer winter morning ' +
  'evening question answer simple clear short green blue black red stone tree street road train ship plane island mountain'
).split(' ');

/** Seeded PRNG (mulberry32): the same seed gives the same prompts on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Vocab {
  /** Words that are one token with a leading space, and alone. */
  words: string[];
  /** Punctuation that is one token. */
  marks: string[];
}

const vocabs = new WeakMap<LoadedTokenizer, Vocab>();

function vocabFor(tok: LoadedTokenizer): Vocab {
  let v = vocabs.get(tok);
  if (!v) {
    const words = WORDS.filter((w) => tok.count(' ' + w) === 1 && tok.count(w) === 1);
    const marks = ['.', ','].filter((m) => tok.count(m) === 1 && tok.count('word' + m) === tok.count('word') + 1);
    if (words.length < 20) {
      throw new Error(`cannot build synthetic prompts with tokenizer '${tok.name}': too few common English words are single tokens in it`);
    }
    v = { words, marks };
    vocabs.set(tok, v);
  }
  return v;
}

/** `n` pieces of about one token each: words with a leading space (the first without when `opening`), some punctuation. */
function samplePieces(v: Vocab, n: number, rnd: () => number, opening: boolean): string[] {
  const out: string[] = [];
  let sinceMark = 0;
  while (out.length < n) {
    const canMark = v.marks.length > 0 && out.length > 0 && sinceMark >= 4 && out.length < n - 1;
    if (canMark && rnd() < 0.1) {
      out.push(v.marks[Math.floor(rnd() * v.marks.length)]!);
      sinceMark = 0;
    } else {
      const w = v.words[Math.floor(rnd() * v.words.length)]!;
      out.push(out.length === 0 && opening ? w : ' ' + w);
      sinceMark++;
    }
  }
  return out;
}

/**
 * Pieces whose text has exactly `target` tokens by `measure` (which counts the candidate text in
 * its final context). Starts from one piece per token, then trims or extends by the difference.
 */
function exactPieces(
  v: Vocab,
  target: number,
  rnd: () => number,
  opening: boolean,
  measure: (text: string) => number,
): string[] {
  if (target === 0) return [];
  const pieces = samplePieces(v, target, rnd, opening);
  for (let round = 0; round < 64; round++) {
    const got = measure(pieces.join(''));
    if (got === target) return pieces;
    if (got > target) {
      const drop = Math.max(1, Math.min(got - target, pieces.length - 1));
      pieces.length -= drop;
    } else {
      // Extend with words only: a word after anything is its own pre-token.
      for (let i = got; i < target; i++) pieces.push(' ' + v.words[Math.floor(rnd() * v.words.length)]!);
    }
  }
  throw new Error(`could not build a text of exactly ${target} tokens: trimming and extending by words did not converge`);
}

function spanBounds(what: string, span: TokenSpan): { min: number; max: number } {
  const b = typeof span === 'number' ? { min: span, max: span } : span;
  for (const v of [b.min, b.max]) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`synthetic dataset: ${what} must be a whole number of tokens >= 0, got ${v}`);
  }
  if (b.min > b.max) throw new Error(`synthetic dataset: ${what} range ${b.min}..${b.max} is empty`);
  return b;
}

function draw(b: { min: number; max: number }, rnd: () => number): number {
  return b.min === b.max ? b.min : b.min + Math.floor(rnd() * (b.max - b.min + 1));
}

export function makeSyntheticPrompts(tok: LoadedTokenizer, spec: SyntheticSpec): PromptPlan[] {
  const { count, seed } = spec;
  const input = spanBounds('input', spec.input);
  const output = spanBounds('output', spec.output);
  const shared = spec.shared_prefix ?? 0;
  const measureMode = spec.measure ?? 'content';
  if (!Number.isInteger(count) || count < 0) throw new Error(`synthetic dataset: count must be a whole number >= 0, got ${count}`);
  if (!Number.isInteger(shared) || shared < 0) throw new Error(`synthetic dataset: shared_prefix must be a whole number >= 0, got ${shared}`);
  if (input.min < 1) throw new Error('synthetic dataset: input must be at least 1 token');
  if (shared > input.min) throw new Error(`synthetic dataset: shared_prefix (${shared}) is longer than input (${input.min})`);
  if (measureMode === 'chat' && !tok.applyChatTemplate) {
    throw new Error(`synthetic dataset: input is measured as the templated chat prompt, but tokenizer '${tok.name}' has no chat template`);
  }
  const v = vocabFor(tok);
  const rnd = seededRandom(seed);
  // Lengths come from their own stream, so a prompt's length does not depend on the text before it.
  const lengths = seededRandom(seed ^ 0x5eed1e57);
  const prefix = exactPieces(v, shared, rnd, true, (t) => tok.count(t)).join('');
  const name = spec.name ?? 'synthetic';
  const withPrefix = (t: string) => prefix + t;
  const unique = spec.unique === true;
  if (unique && input.min - shared < NONCE_LENGTH) {
    throw new Error(`synthetic dataset: unique needs at least ${NONCE_LENGTH} input tokens after the shared prefix for its nonce; input ${input.min} - shared_prefix ${shared} leaves ${input.min - shared}`);
  }
  // The nonce: NONCE_LENGTH words right after the prefix; the placeholder is nonce 0.
  const nonce: PromptNonce | undefined = unique
    ? { at: prefix.length, end: 0, length: NONCE_LENGTH, opening: shared === 0, words: v.words.slice(0, NONCE_ALPHABET) }
    : undefined;
  const placeholder = nonce ? nonceText(nonce, 0) : '';
  if (nonce) nonce.end = nonce.at + placeholder.length;
  const prompts: PromptPlan[] = [];
  for (let i = 0; i < count; i++) {
    const want = draw(input, lengths);
    const maxTokens = draw(output, lengths);
    let measure: (t: string) => number;
    let target: number;
    if (measureMode === 'content') {
      // The prefix alone is `shared` tokens; each suffix is counted in place, after it.
      measure = (t) => tok.count(withPrefix(t)) - shared;
      target = want - shared;
    } else {
      const chat = (t: string) => countPrompt(tok, { messages: [{ role: 'user', content: withPrefix(t) }] }).chat;
      const base = chat('');
      if (base > want) {
        throw new Error(`synthetic dataset: the chat template and shared_prefix alone take ${base} tokens, more than input ${want}`);
      }
      measure = (t) => chat(t) - base;
      target = want - base;
    }
    let suffix: string;
    if (nonce) {
      // The rest is counted after the placeholder, so the whole suffix is exact with it in place.
      const rest = exactPieces(v, target - NONCE_LENGTH, rnd, false, (t) => measure(placeholder + t) - NONCE_LENGTH).join('');
      suffix = placeholder + rest;
      if (i === 0) checkNonces(nonce, (n) => measure(n + rest), target, tok.name);
    } else {
      suffix = exactPieces(v, target, rnd, shared === 0, measure).join('');
    }
    const prompt: PromptPlan = {
      name: `${name}-${i + 1}`,
      weight: 1,
      messages: [{ role: 'user', content: prefix + suffix }],
      params: { max_tokens: maxTokens },
    };
    if (nonce) prompt.nonce = nonce;
    prompts.push(prompt);
  }
  return prompts;
}

/** Other nonces in place of the placeholder keep the count: a few far-apart ones are counted. */
function checkNonces(nonce: PromptNonce, measure: (nonceText: string) => number, target: number, tokName: string): void {
  const base = nonce.words.length;
  for (const k of [0, 1, base - 1, base ** 2 + 7, base ** NONCE_LENGTH - 1]) {
    const got = measure(nonceText(nonce, k));
    if (got !== target) {
      throw new Error(`synthetic dataset: unique nonces do not keep their length with tokenizer '${tokName}' (nonce ${k}: ${got} tokens, want ${target})`);
    }
  }
}

/**
 * The prompts of a scenario's `dataset synthetic`: named `NAME:1`, `NAME:2`, ... like file
 * datasets' records, sharing the dataset's weight, with its request parameters and body; the drawn
 * output length sets max_tokens. The seed is the dataset's, else `fallbackSeed` (the scenario's), else 0.
 */
export function syntheticDatasetPrompts(
  tok: LoadedTokenizer,
  ds: SyntheticDatasetPlan,
  opts: { fallbackSeed?: number; measure?: 'content' | 'chat' } = {},
): PromptPlan[] {
  const prompts = makeSyntheticPrompts(tok, {
    input: ds.input,
    output: ds.output,
    shared_prefix: ds.shared_prefix,
    count: ds.count,
    seed: ds.seed ?? opts.fallbackSeed ?? 0,
    measure: opts.measure,
    unique: ds.unique,
  });
  const weight = prompts.length ? ds.weight / prompts.length : 0;
  return prompts.map((p, i) => {
    const out: PromptPlan = { ...p, name: `${ds.name}:${i + 1}`, weight, params: { ...ds.params, max_tokens: p.params.max_tokens } };
    if (ds.body) out.body = ds.body;
    return out;
  });
}
