/**
 * The interface of a block module: the directives it parses at the top level (each with its hover
 * and completion text), the indented blocks it opens with the words valid in them, and its advice
 * for a word that is out of place in one of them. blocks/registry.ts lists the modules; the parser
 * (parser.ts) dispatches each top-level line through it. Each module also exports the resolve
 * functions that resolver.ts calls to turn its nodes into the RunPlan.
 */
import type { Range } from '../diagnostics';
import type { Context, ParseCore } from '../parse-core';
import type { RawLine } from '../structure';
import type { TopNode } from '../tree';

/** One top-level directive. */
export interface Directive {
  /** One line shown on hover and in completion, with an example. */
  doc: string;
  /** Parses the line (and its indented block); `kw` is the directive word. */
  parse(p: ParseCore, rl: RawLine, kw: string): TopNode;
}

export interface BlockModule {
  /** The top-level words it parses. */
  directives: Record<string, Directive>;
  /** The indented blocks it opens, each with its words and their descriptions. */
  contexts?: Partial<Record<Context, Record<string, string>>>;
  /** Advice for a word unknown in one of its contexts, before the generic "belongs in" advice; true when it reported. */
  misplaced?(p: ParseCore, ctx: Context, kw: string, r: Range): boolean;
}
