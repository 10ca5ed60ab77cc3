/** The nodes of the lines inside prompt and dataset blocks (tree.ts has the blocks and the top-level lines). */
import type { Range } from './diagnostics';
import type { Role } from './plan';
import type { NodeBase, Quantity, TextValue, Word } from './tree-values';

/** A numeric line in a block: `max_tokens`, `temperature`, `top_p`, `seed`, `sample`, `count`, `shuffle`. */
export interface SettingNode extends NodeBase {
  kind: 'setting';
  name: SettingName;
  value?: Quantity;
}

export type SettingName = 'seed' | 'max_tokens' | 'temperature' | 'top_p' | 'sample' | 'count' | 'shuffle' | 'unique';

/** A `system`, `user` or `assistant` turn. */
export interface TurnNode extends NodeBase {
  kind: 'turn';
  role: Role;
  form: 'inline' | 'block' | 'fenced' | 'file';
  /** The text, for every form but 'file'. */
  text?: TextValue;
  /** The path after `@file`. */
  file?: TextValue;
}

/** `stop "a" "b"` inside a prompt or dataset: stop sequences. */
export interface StopSequencesNode extends NodeBase {
  kind: 'stop_sequences';
  values: TextValue[];
}

/** `body {...}`: raw JSON merged into the request. */
export interface BodyNode extends NodeBase {
  kind: 'body';
  /** The JSON as written. */
  text: string;
  textRange: Range;
  json?: Record<string, unknown>;
}

/** `answer {{field}}` in a jsonl dataset. */
export interface AnswerNode extends NodeBase {
  kind: 'answer';
  template?: TextValue;
}

/**
 * Accuracy lines of a dataset (docs/accuracy.md): `grader math`, `bad_records skip`, and in a
 * generated arithmetic set `levels 1..3`.
 */
export interface GradeOptionNode extends NodeBase {
  kind: 'grade_option';
  name: 'grader' | 'bad_records' | 'levels';
  /** grader and bad_records: the word. */
  value?: Word;
  /** levels: the range, min <= max. */
  min?: Quantity;
  max?: Quantity;
}

/** `input 16k..32k tokens`, `output 256 tokens`, `shared_prefix 4k tokens` in a synthetic dataset. */
export interface TokenSpanNode extends NodeBase {
  kind: 'token_span';
  name: 'input' | 'output' | 'shared_prefix';
  min?: Quantity;
  max?: Quantity;
}

/** `session [turns N] [think D]` in a prompt, `sessions [turns N] [think D]` in a sharegpt dataset. */
export interface SessionNode extends NodeBase {
  kind: 'session';
  turns?: Quantity;
  think?: Quantity;
}

export interface UnknownNode extends NodeBase {
  kind: 'unknown';
}
