/**
 * Tokenizers and token counts: load a real tokenizer (bundled, local, Hugging Face cache or hub),
 * count prompts as the server sees them, build synthetic prompts of exact length, check limits.
 * Counting can be slow for long prompts: the engine and the editor call it through
 * TokenizeClient (a worker thread), never on an event loop that times packets.
 */
export { BUNDLED_TOKENIZERS, BUNDLED_FAMILIES, guessBundledFromModel } from './bundled';
export {
  loadTokenizer,
  clearTokenizerCache,
  defaultHubCache,
  hubEndpoint,
  needsDownload,
  TokenizerError,
  type LoadedTokenizer,
  type LoadTokenizerOptions,
  type TokenizerSource,
  type TokenizerErrorCode,
} from './load';
export {
  countPrompt,
  countStats,
  bucketRanges,
  bucketIndex,
  bucketLabel,
  type PromptCount,
  type CountStats,
  type BucketCount,
} from './counts';
export { makeSyntheticPrompts, syntheticDatasetPrompts, seededRandom, type SyntheticSpec, type TokenSpan } from './synthetic';
export { checkTokenLimits, contextWindow, type LimitSubject, type LimitOptions } from './limits';
export { countPlan, CHAT_APIS, type PlanCounts, type PromptCounts, type DatasetCounts, type CountPlanOptions } from './plan-counts';
export { TokenizeClient } from './client';
export type { TokenizeRequest, TokenizeResponse, TokenizerInfo } from './protocol';
