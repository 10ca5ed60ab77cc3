/**
 * The core of the scenario parser, shared by every block: the line reader (line-reader.ts:
 * diagnostics, ranges, text values and quantities read from the tokens that structure.ts gives)
 * plus recovery from unknown or misplaced lines. It knows no directive: the block modules
 * (blocks/*.ts) parse their own lines through it, and the words of each block come in as a
 * Vocabulary from blocks/registry.ts.
 */
import type { Range } from './diagnostics';
import { LineReader } from './line-reader';
import type { RawLine } from './structure';
import { closest, listOf } from './suggest';
import type { UnknownNode } from './tree';


/** The places a line can be: the top level, or the indented block of a directive. */
export type Context = 'top' | 'prompt' | 'jsonl' | 'sharegpt' | 'synthetic' | 'math500' | 'arithmetic' | 'step' | 'stages' | 'expect' | 'sse' | 'websocket';

/** What the core needs to know of the blocks to report a line that is unknown where it stands. */
export interface Vocabulary {
  /** The words valid in each context, with their descriptions. */
  contexts: Record<Context, Record<string, string>>;
  /** A block's own advice for a word unknown in one of its contexts; true when it reported one. */
  misplaced: Partial<Record<Context, (p: ParseCore, ctx: Context, kw: string, r: Range) => boolean>>;
  /** True for a metric word (an SLO line out of its expect block). */
  isMetric(word: string): boolean;
}

/** The contexts, other than `here`, in which `word` is a keyword. */
export function contextsIn(contexts: Record<Context, Record<string, string>>, word: string, here: Context): Context[] {
  return (Object.keys(contexts) as Context[]).filter((c) => c !== here && Object.hasOwn(contexts[c], word));
}

const CONTEXT_NAMES: Record<Context, string> = {
  top: 'the top level',
  prompt: 'a prompt block',
  jsonl: 'a dataset jsonl block',
  sharegpt: 'a dataset sharegpt block',
  synthetic: 'a dataset synthetic block',
  math500: 'a dataset math500 block',
  arithmetic: 'a dataset arithmetic block',
  step: 'a load step block',
  stages: 'a load stages block',
  expect: 'an expect block',
  sse: 'an sse block',
  websocket: 'a websocket block',
};

const BLOCK_NAMES: Record<Context, string> = {
  top: 'the top level',
  prompt: 'a prompt block',
  jsonl: 'a dataset block',
  sharegpt: 'a dataset block',
  synthetic: 'a dataset block',
  math500: 'a dataset block',
  arithmetic: 'a dataset block',
  step: 'a load step block',
  stages: 'a load stages block',
  expect: 'an expect block',
  sse: 'an sse block',
  websocket: 'a websocket block',
};

export class ParseCore extends LineReader {
  /** Line of the last unknown line, and the last line of its block, for reporting a run once. */
  private lastUnknown = -2;
  private lastUnknownEnd = -2;

  constructor(
    text: string,
    private readonly vocab: Vocabulary,
  ) {
    super(text);
  }

  /** True when the line follows a run of unknown lines, whose indentation it need not match. */
  afterUnknownRun(rl: RawLine): boolean {
    return this.lastUnknownEnd >= rl.line - 1 && this.lastUnknownEnd >= 0;
  }

  // ---- unknown and misplaced lines ---------------------------------------------------------

  unknown(rl: RawLine, ctx: Context): UnknownNode {
    const node: UnknownNode = { kind: 'unknown', ...this.base(rl) };
    // A run of unknown lines (say, the block of a deleted header) is reported at its first line.
    if (this.lastUnknown === rl.line - 1 || this.lastUnknownEnd >= rl.line - 1) {
      this.lastUnknown = rl.line;
      this.lastUnknownEnd = Math.max(this.lastUnknownEnd, rl.endLine);
      return node;
    }
    this.lastUnknown = rl.line;
    this.lastUnknownEnd = rl.endLine;
    const kwTok = rl.lex.tokens[0];
    const kw = kwTok.value;
    const r = this.tokR(rl, kwTok);
    const where = ctx === 'top' ? '' : ` in ${CONTEXT_NAMES[ctx]}`;
    const elsewhere = kwTok.quoted ? [] : contextsIn(this.vocab.contexts, kw, ctx);
    if (!kwTok.quoted && ctx !== 'expect' && this.vocab.isMetric(kw) && /^[A-Za-z_]+\s*(p\d|mean|max|min|[<>=])/.test(this.src.line(rl.line).slice(rl.indent))) {
      this.error(r, `"${this.src.line(rl.line).slice(rl.indent, rl.lex.contentEnd)}" is an SLO line; put it in a block under an expect line`);
    } else if (kwTok.raw.startsWith('"""')) {
      this.error(r, 'this """ closes no text block; a text block opens with a turn line such as: user """');
    } else if (kwTok.quoted) {
      this.error(r, `a line starts with a directive word, not a quoted string; write ${kw.trim() ? kw.trim().split(/\s+/)[0] : 'a directive'} without quotes`);
    } else if (this.vocab.misplaced[ctx]?.(this, ctx, kw, r)) {
      // the block's own advice for this word
    } else if (ctx !== 'top' && elsewhere.includes('top')) {
      this.error(r, `"${kw}" is a top-level directive; move it out of ${CONTEXT_NAMES[ctx]} (no indentation)`);
    } else if (elsewhere.length > 0) {
      const places = [...new Set(elsewhere.map((c) => BLOCK_NAMES[c]))];
      const list = places.length > 1 ? `${places.slice(0, -1).join(', ')} or ${places[places.length - 1]}` : places[0];
      this.error(r, ctx === 'top' ? `"${kw}" belongs in ${list}; indent it under one` : `"${kw}" belongs in ${list}, not in ${CONTEXT_NAMES[ctx]}`);
    } else {
      const words = Object.keys(this.vocab.contexts[ctx]);
      const near = closest(kw, words);
      if (near) this.error(r, `unknown directive "${kw}"${where}; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else this.error(r, `unknown directive "${kw}"${where}; expected ${listOf(words)}`);
    }
    return node;
  }
}
