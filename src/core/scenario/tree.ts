/**
 * The syntax tree of a scenario file. Every node carries a 0-based range, also in broken input, so
 * that completion, hover, inlay hints and CodeLens can be built on it. A node whose value did not
 * parse keeps its range and leaves the value undefined; the parser has reported why.
 * The values (words, text, quantities) are in tree-values.ts and the lines inside prompt and
 * dataset blocks in tree-lines.ts; this file re-exports both.
 */
import type { Range } from './diagnostics';
import type { ApiKind, Comparison, Metric, Stage, Stat, TracePlan } from './plan';
import type { GoodputMeasure, GoodputPlan } from '../types/goodput';
import type { NodeBase, Quantity, TextValue, Word } from './tree-values';
import type { AnswerNode, BodyNode, GradeOptionNode, SettingNode, StopSequencesNode, TokenSpanNode, TurnNode, UnknownNode, SessionNode } from './tree-lines';
export type { Word, VariableRef, FieldRef, TextValue, Quantity } from './tree-values';
export type { SettingNode, SettingName, TurnNode, StopSequencesNode, BodyNode, AnswerNode, GradeOptionNode, TokenSpanNode, UnknownNode, SessionNode } from './tree-lines';

export interface ScenarioNode extends NodeBase {
  kind: 'scenario';
  title?: TextValue;
}

export interface TargetNode extends NodeBase {
  kind: 'target';
  value?: TextValue;
}

export interface ApiNode extends NodeBase {
  kind: 'api';
  value?: Word;
  api?: ApiKind;
}

/** `model NAME`, `tokenizer NAME` and `key VALUE`: one text value each. */
export interface ValueNode<K extends 'model' | 'tokenizer' | 'key'> extends NodeBase {
  kind: K;
  value?: TextValue;
}
export type ModelNode = ValueNode<'model'>;
export type TokenizerNode = ValueNode<'tokenizer'>;
export type KeyNode = ValueNode<'key'>;

export interface TimeoutNode extends NodeBase {
  kind: 'timeout';
  which: 'total' | 'ttft' | 'stall' | 'ready';
  duration?: Quantity;
}

export interface HeaderNode extends NodeBase {
  kind: 'header';
  name?: TextValue;
  value?: TextValue;
}

export interface VarNode extends NodeBase {
  kind: 'var';
  name?: Word;
  value?: TextValue;
}

/** `seed N` at the top level: the run's seed. */
export interface SeedNode extends NodeBase {
  kind: 'seed';
  value?: Quantity;
}

export type PromptChild = TurnNode | SettingNode | StopSequencesNode | BodyNode | UnknownNode | SessionNode;

export interface PromptNode extends NodeBase {
  kind: 'prompt';
  name?: TextValue;
  weight?: Quantity;
  /** The `prompt ...` line alone. */
  headerRange: Range;
  children: PromptChild[];
  turns: TurnNode[];
  /** True when a line in the block failed to parse (checks for missing lines are then skipped). */
  broken: boolean;
}

export type DatasetFormat = 'jsonl' | 'sharegpt' | 'synthetic' | 'math500' | 'arithmetic';
export type DatasetChild = PromptChild | AnswerNode | TokenSpanNode | GradeOptionNode;

export interface DatasetNode extends NodeBase {
  kind: 'dataset';
  format?: DatasetFormat;
  formatWord?: Word;
  path?: TextValue;
  weight?: Quantity;
  headerRange: Range;
  children: DatasetChild[];
  /** Template turns (jsonl). */
  turns: TurnNode[];
  broken: boolean;
}

export type LoadShape = 'users' | 'step' | 'stages' | 'rate' | 'replay' | 'burst' | 'sweep';

/** `start N users`, `add N users every D`, `max N users`, `hold D` under `load step`. */
export interface StepLineNode extends NodeBase {
  kind: 'step';
  name: 'start' | 'add' | 'max' | 'hold';
  users?: Quantity;
  every?: Quantity;
  duration?: Quantity;
}

/** `ramp to N users over D`, `ramp to R qpm over D` or `hold D` under `load stages`. */
export interface StageNode extends NodeBase {
  kind: 'stage';
  stage?: Stage;
}

export type LoadChild = StepLineNode | StageNode | UnknownNode;

export interface LoadNode extends NodeBase {
  kind: 'load';
  shape?: LoadShape;
  shapeWord?: Word;
  /** load users N */
  users?: Quantity;
  /** `for D` of users and rate loads. */
  duration?: Quantity;
  /** load rate R (per second). */
  rate?: Quantity;
  arrival?: 'poisson' | 'uniform' | 'gamma';
  /** `gamma B` after a rate: the burstiness (gamma shape). */
  burstiness?: Quantity;
  /** load burst N every D: the burst size N and the period D. */
  burst?: Quantity;
  every?: Quantity;
  /** load replay PATH */
  path?: TextValue;
  speed?: Quantity;
  /** load replay PATH … from T to T: the part of the log replayed (log time, before the speed factor). */
  from?: Quantity;
  to?: Quantity;
  /** load sweep …: the plan, complete when the line parsed (blocks/load-sweep.ts). */
  sweep?: import('./plan').SweepLoad;
  headerRange: Range;
  children: LoadChild[];
  broken: boolean;
}

export interface WarmupNode extends NodeBase {
  kind: 'warmup';
  duration?: Quantity;
  requests?: Quantity;
}

export interface StopNode extends NodeBase {
  kind: 'stop';
  condition?: 'after_ms' | 'after_requests' | 'error_rate_above';
  value?: Quantity;
}

export interface ThinkNode extends NodeBase {
  kind: 'think';
  duration?: Quantity;
}

/** `context 128k`: the model's context window. */
export interface ContextNode extends NodeBase {
  kind: 'context';
  tokens?: Quantity;
}

/** `think_tags OPEN CLOSE [auto|starts_in_thinking|starts_in_answer]`, `think_tags MODE` or `think_tags off`. */
export interface ThinkTagsNode extends NodeBase {
  kind: 'think_tags';
  /** `think_tags off`. */
  off?: boolean;
  open?: TextValue;
  close?: TextValue;
  mode?: Word;
  /** Set when the line parsed (also for `off`). */
  parsed?: boolean;
  starts_in_thinking?: boolean | 'auto';
}

/** `length fails` or `length warns`: whether an answer cut at max_tokens fails the request. */
export interface LengthNode extends NodeBase {
  kind: 'length';
  fails?: boolean;
}

/** `backoff BASE..CAP [skip]`, `backoff skip` or `backoff off`: waits after failures that got no answer. */
export interface BackoffNode extends NodeBase {
  kind: 'backoff';
  /** `backoff off`. */
  off?: boolean;
  base?: Quantity;
  cap?: Quantity;
  skip?: Word;
  /** Set when the line parsed (also for `off`). */
  parsed?: boolean;
}

/** `keep_alive on` or `keep_alive off`: whether HTTP connections are reused between requests. */
export interface KeepAliveNode extends NodeBase {
  kind: 'keep_alive';
  on?: boolean;
}

/** `threads N` or `threads auto`: how many load threads the client runs. */
export interface ThreadsNode extends NodeBase {
  kind: 'threads';
  count?: Quantity;
  /** `threads auto`. */
  auto?: boolean;
}

/** `thread_priority high` or `thread_priority normal`: the load threads' CPU priority. */
export interface ThreadPriorityNode extends NodeBase {
  kind: 'thread_priority';
  /** `thread_priority high`. */
  high?: boolean;
}

/** `server metrics URL [every DURATION]`: the Prometheus endpoint scraped during the run. */
export interface ServerMetricsNode extends NodeBase {
  kind: 'server';
  url?: TextValue;
  every?: Quantity;
  /** Set when the line parsed. */
  parsed?: boolean;
}

/** A line of an `sse` or `websocket` block other than its template: a JSON path, `path` or `done_data`. */
export interface MappingLineNode extends NodeBase {
  kind: 'mapping';
  name: MappingLineName;
  value?: TextValue;
}

export type MappingPathName =
  | 'answer'
  | 'thinking'
  | 'tool_call'
  | 'finish_reason'
  | 'id'
  | 'error'
  | 'done'
  | 'usage.prompt_tokens'
  | 'usage.completion_tokens'
  | 'usage.reasoning_tokens'
  | 'usage.cached_tokens';
export type MappingLineName = MappingPathName | 'path' | 'done_data';

export type ApiBlockChild = MappingLineNode | BodyNode | UnknownNode;

/** `sse` or `websocket` with its indented lines: the mapping of a generic streaming API. */
export interface ApiBlockNode extends NodeBase {
  kind: 'sse' | 'websocket';
  headerRange: Range;
  /** `body {...}` (sse) and `message {...}` (websocket) are BodyNodes whose keyword says which. */
  children: ApiBlockChild[];
  broken: boolean;
}

export interface BucketsNode extends NodeBase {
  kind: 'buckets';
  values: Quantity[];
}

export interface TraceNode extends NodeBase {
  kind: 'trace';
  trace?: TracePlan;
}

/** One SLO line, e.g. `ttft p95 < 3s`. */
export interface ExpectLineNode extends NodeBase {
  kind: 'expect_line';
  /** The line as written, comment removed. */
  text: string;
  metric?: Word;
  stat?: Word;
  op?: Word;
  value?: Quantity;
  /** Set when the whole line parsed. */
  parsed?: { metric: Metric; stat?: Stat; op: Comparison; value: number; server?: { name: string; stat?: string }; group?: string; goodput?: GoodputMeasure; capacity?: 'users' | 'rate' };
  /** A `goodput CONDITION and ...` line: the goodput definition (not an expectation by itself). */
  goodput?: GoodputPlan;
}

export interface ExpectNode extends NodeBase {
  kind: 'expect';
  lines: ExpectLineNode[];
  broken: boolean;
}

export type TopNode =
  | ScenarioNode
  | TargetNode
  | ApiNode
  | ModelNode
  | TokenizerNode
  | KeyNode
  | TimeoutNode
  | HeaderNode
  | VarNode
  | SeedNode
  | PromptNode
  | DatasetNode
  | LoadNode
  | WarmupNode
  | StopNode
  | ThinkNode
  | ContextNode
  | BucketsNode
  | TraceNode
  | ExpectNode
  | ThinkTagsNode
  | LengthNode
  | BackoffNode
  | KeepAliveNode
  | ThreadsNode
  | ThreadPriorityNode
  | ServerMetricsNode
  | ApiBlockNode
  | UnknownNode;

/**
 * Top-level nodes have the kind of their directive keyword (`target`, `seed`, `load`...), or
 * 'unknown' for a line that is not a directive there.
 */
export interface ScenarioTree {
  kind: 'file';
  file?: string;
  text: string;
  range: Range;
  /** Top-level directives in source order. */
  statements: TopNode[];
  /** How many errors the parser reported. */
  errorCount: number;
}
