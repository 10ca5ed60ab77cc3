/**
 * The block registry: which module parses each top-level word, and the words of every block, in
 * the order completion lists them and "expected ..." messages name them. To add a directive to a
 * module, add it to the module's `directives` and name it here; see docs/architecture.md.
 */
import type { Context, Vocabulary } from '../parse-core';
import type { BlockModule } from './block';
import { dataset } from './dataset';
import { expect, METRICS } from './expect';
import { load } from './load';
import { mappings } from './mappings';
import { prompt } from './prompt';
import { protocolOptions } from './protocol-options';
import { runControl } from './run-control';
import { scenario } from './scenario';
import { target } from './target';
import { clientThreads } from './client-threads';

/** Top-level word → the block module that parses it. */
export const BLOCKS: Readonly<Record<string, BlockModule>> = {
  scenario,
  target,
  api: target,
  model: target,
  tokenizer: target,
  context: target,
  timeout: target,
  header: target,
  key: target,
  var: scenario,
  seed: runControl,
  prompt,
  dataset,
  load,
  warmup: runControl,
  stop: runControl,
  think: runControl,
  buckets: runControl,
  trace: runControl,
  expect,
  think_tags: protocolOptions,
  length: protocolOptions,
  backoff: protocolOptions,
  keep_alive: protocolOptions,
  threads: clientThreads,
  thread_priority: clientThreads,
  server: protocolOptions,
  sse: mappings,
  websocket: mappings,
};

/** Every top-level word with its description. */
export const TOP_WORDS: Record<string, string> = Object.fromEntries(Object.entries(BLOCKS).map(([word, block]) => [word, block.directives[word].doc]));

const MODULES: readonly BlockModule[] = [...new Set(Object.values(BLOCKS))];

/** The context of each indented block, in a fixed order, with the words valid in it. */
const CONTEXT_ORDER: readonly Context[] = ['top', 'prompt', 'jsonl', 'sharegpt', 'synthetic', 'math500', 'arithmetic', 'step', 'stages', 'expect', 'sse', 'websocket'];

function contextWords(ctx: Context): Record<string, string> {
  if (ctx === 'top') return TOP_WORDS;
  const owner = MODULES.find((m) => m.contexts?.[ctx]);
  if (!owner) throw new Error(`no block module opens the context "${ctx}"`);
  return owner.contexts![ctx]!;
}

export const CONTEXT_WORDS = Object.fromEntries(CONTEXT_ORDER.map((c) => [c, contextWords(c)])) as Record<Context, Record<string, string>>;

/**
 * Every directive word of every block a turn can be in or be followed by: a line starting with one
 * ends an unclosed """ block. The words of the top-level sse and websocket blocks (`id`, `done`,
 * `error`...) are left out, as they are common words of prompt text; their block's own line ends it.
 */
export const TEXT_ENDING_WORDS: ReadonlySet<string> = new Set(
  Object.entries(CONTEXT_WORDS)
    .filter(([ctx]) => ctx !== 'sse' && ctx !== 'websocket')
    .flatMap(([, k]) => Object.keys(k)),
);

/** What the parser's core needs of the blocks to place a misplaced line. */
export const VOCABULARY: Vocabulary = {
  contexts: CONTEXT_WORDS,
  misplaced: Object.fromEntries(CONTEXT_ORDER.flatMap((c) => MODULES.filter((m) => m.contexts?.[c] && m.misplaced).map((m) => [c, m.misplaced!.bind(m)]))),
  isMetric: (word) => Object.hasOwn(METRICS, word),
};
