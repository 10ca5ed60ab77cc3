/** The values of the syntax tree (tree.ts): words, text, quantities, and what every node has. */
import type { Range } from './diagnostics';

/** A word as written. */
export interface Word {
  text: string;
  range: Range;
}

/** `${NAME}` (namespace 'var'), `${env:NAME}` or `${secret:NAME}` inside a text value. */
export interface VariableRef {
  namespace: 'var' | 'env' | 'secret';
  name: string;
  range: Range;
}

/** `{{field}}` in a dataset template. */
export interface FieldRef {
  name: string;
  range: Range;
}

/** A piece of text: a quoted string, the rest of a line, or a multi-line text block. */
export interface TextValue {
  /** Unquoted, dedented, before variables are substituted. */
  text: string;
  range: Range;
  quoted: boolean;
  refs: VariableRef[];
  fields: FieldRef[];
}

/** A number with its unit, converted to base units (ms, tokens, per second, fraction 0..1). */
export interface Quantity {
  value: number;
  /** As written, e.g. `10s` or `2 rps`. */
  text: string;
  range: Range;
}

export interface NodeBase {
  /** The whole directive: its line plus any indented block or text block under it. */
  range: Range;
  /** The first word of the line. */
  keyword: Word;
}
