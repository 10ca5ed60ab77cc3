/**
 * Which words are valid where, with a one-line description each. The parser uses these for
 * "did you mean" and for placing misplaced lines; the editor uses them for completion and hover.
 * Each block module (blocks/*.ts) owns its words; this file gathers them for the editor.
 */
import { contextsIn, type Context } from './parse-core';
import { CONTEXT_WORDS, TOP_WORDS } from './blocks/registry';

export type { Context } from './parse-core';
export { API_KINDS } from './blocks/target';
export { LOAD_SHAPES } from './blocks/load';
export { DATASET_FORMATS } from './blocks/dataset';
export { COMPARISONS, METRICS, STATS } from './blocks/expect';
export { MAPPING_PATHS } from './blocks/mappings';
export { TEMPLATE_PLACEHOLDERS } from './blocks/body';
export { THINK_TAG_MODES } from './blocks/protocol-options';

export const TOP_KEYWORDS: Record<string, string> = TOP_WORDS;

export const CONTEXT_KEYWORDS: Record<Context, Record<string, string>> = CONTEXT_WORDS;

/** The contexts, other than `here`, in which `word` is a keyword. */
export function contextsOf(word: string, here: Context): Context[] {
  return contextsIn(CONTEXT_KEYWORDS, word, here);
}
