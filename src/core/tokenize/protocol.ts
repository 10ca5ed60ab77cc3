/**
 * The messages between TokenizeClient and the tokenization worker. Every request names the
 * tokenizer spec (and how to load it); the worker keeps loaded tokenizers cached.
 */
import type { PromptPlan, RunPlan, SyntheticDatasetPlan } from '../scenario/plan';
import type { CountPlanOptions, PlanCounts } from './plan-counts';
import type { PromptCount } from './counts';
import type { LoadTokenizerOptions, TokenizerErrorCode, TokenizerSource } from './load';
import type { SyntheticSpec } from './synthetic';

export interface TokenizerInfo {
  name: string;
  source: TokenizerSource;
  location: string;
  modelMaxLength?: number;
  hasChatTemplate: boolean;
}

/** Per operation: what a request carries besides id/op/tokenizer, and what its answer holds. */
export interface TokenizeOps {
  load: { params: Record<never, never>; result: TokenizerInfo };
  count: { params: { texts: string[] }; result: number[] };
  countPrompts: { params: { prompts: Pick<PromptPlan, 'messages'>[] }; result: PromptCount[] };
  synthetic: { params: { spec: SyntheticSpec }; result: PromptPlan[] };
  countPlan: { params: { plan: RunPlan; countOptions: CountPlanOptions }; result: PlanCounts };
  syntheticDataset: { params: { dataset: SyntheticDatasetPlan; fallbackSeed?: number }; result: PromptPlan[] };
}
export type TokenizeOp = keyof TokenizeOps;

export type TokenizeRequest = {
  [K in TokenizeOp]: { id: number; op: K; tokenizer: string; options?: LoadTokenizerOptions } & TokenizeOps[K]['params'];
}[TokenizeOp];

export type TokenizeResponse =
  | { id: number; ok: true; result: TokenizeOps[TokenizeOp]['result'] }
  | { id: number; ok: false; error: { message: string; code?: TokenizerErrorCode } };
