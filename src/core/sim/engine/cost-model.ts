/**
 * The step cost model: how long one engine step takes given what it batches.
 *
 *   t = base + per_prefill_token x prefill tokens + per_seq x decode sequences + per_kv_token x context tokens read
 *
 * The profile gives the coefficients for one GPU in BF16 (`EngineSpec`); `resolveCost` applies
 * quantization (cheaper weight reads and matmuls, smaller weights and KV) and tensor parallelism (the work split
 * over `tp` GPUs plus an all-reduce cost per step and per token), and computes the KV budget in
 * blocks from GPU memory, weights and bytes per token. docs/simulator.md gives each number's source.
 */
import { KV_BLOCK_TOKENS } from './kv-cache';

export type Quantization = 'bf16' | 'fp8' | 'int8' | 'int4';
export const QUANTIZATIONS: readonly Quantization[] = ['bf16', 'fp8', 'int8', 'int4'];

/**
 * What a quantization changes, relative to BF16: `weights` scales the memory-bound parts (base and
 * per-sequence cost) and the weights' memory; `compute` the prefill cost per token; `kv` the KV
 * bytes per token (so the KV read cost and, inversely, the KV budget); `accuracy` the fraction of
 * BF16 answer accuracy kept (used by the accuracy grader).
 */
export interface QuantEffect {
  weights: number;
  /** Bytes of the weights in memory relative to BF16. */
  weightBytes: number;
  compute: number;
  kv: number;
  accuracy: number;
}

export const QUANT_EFFECTS: Record<Quantization, QuantEffect> = {
  bf16: { weights: 1, weightBytes: 1, compute: 1, kv: 1, accuracy: 1 },
  // W8A8 FP8 with an FP8 KV cache: half the bytes, FP8 tensor cores.
  fp8: { weights: 0.6, weightBytes: 0.5, compute: 0.6, kv: 0.5, accuracy: 0.995 },
  // W8A8 INT8 (KV cache stays BF16).
  int8: { weights: 0.6, weightBytes: 0.5, compute: 0.65, kv: 1, accuracy: 0.99 },
  // W4A16 (AWQ/GPTQ Marlin kernels): a quarter of the weight bytes, dequantization makes prefill a bit slower.
  int4: { weights: 0.4, weightBytes: 0.28, compute: 1.15, kv: 1, accuracy: 0.97 },
};

/** The model and hardware numbers of an engine profile (one GPU, BF16), plus its scheduler limits. */
export interface EngineSpec {
  /** Fixed cost of a step, ms (weights read once per step, kernel launches, sampling). */
  step_ms: number;
  /** Cost per prefill token in the step, microseconds (the matmuls of one token). */
  prefill_token_us: number;
  /** Cost per decoding sequence in the step, microseconds. */
  decode_seq_us: number;
  /** Cost per context token the step's attention reads from the KV cache, nanoseconds. */
  kv_token_ns: number;
  /** Tokens a step may batch (prefill chunks plus decodes): vLLM's max_num_batched_tokens. */
  max_num_batched_tokens: number;
  /** Sequences running at once: vLLM's max_num_seqs. */
  max_num_seqs: number;
  /** GPU memory per GPU, GB, and the fraction the engine may use (vLLM gpu_memory_utilization). */
  gpu_memory_gb: number;
  gpu_memory_utilization: number;
  /** Weights in BF16, GB (split over tp GPUs). */
  weights_gb: number;
  /** Activation and CUDA-graph reserve per GPU, GB. */
  reserve_gb: number;
  /** KV cache bytes per token in BF16 (layers x KV heads x head dim x 2 x 2 bytes), whole model. */
  kv_bytes_per_token: number;
  /** Explicit KV budget in tokens; 0 = computed from memory. */
  kv_tokens: number;
  /** Tensor parallel GPUs per engine. */
  tp: number;
  /** All-reduce cost per step when tp > 1, ms, and per batched token, microseconds. */
  tp_comm_ms: number;
  tp_comm_token_us: number;
  quantization: Quantization;
  /** Speculative decoding: draft tokens per step (0 = off) and per-token acceptance rate. */
  spec_tokens: number;
  spec_acceptance: number;
  /** Cost of proposing one draft token (MTP head / draft model), ms per step. */
  spec_draft_ms: number;
  /** Engines behind the router (data parallel), when not split into P/D pools. */
  replicas: number;
  router: RouterPolicy;
  /** P/D separation: prefill and decode pool sizes (0 and 0 = off). */
  pd_prefill: number;
  pd_decode: number;
  /** KV transfer from prefill to decode engine: fixed ms and microseconds per token. */
  kv_transfer_ms: number;
  kv_transfer_token_us: number;
}

export type RouterPolicy = 'round-robin' | 'least-loaded' | 'prefix-aware';
export const ROUTER_POLICIES: readonly RouterPolicy[] = ['round-robin', 'least-loaded', 'prefix-aware'];

/** An engine's effective costs after quantization and tensor parallelism. */
export interface StepCost {
  baseMs: number;
  prefillTokenMs: number;
  decodeSeqMs: number;
  kvTokenMs: number;
  commTokenMs: number;
  draftMs: number;
  specTokens: number;
  /** KV budget of one engine, blocks of 16 tokens. */
  kvBlocks: number;
  accuracy: number;
}

/** What one step batches. */
export interface StepWork {
  prefillTokens: number;
  decodeSeqs: number;
  /** Context tokens the step's attention reads (all scheduled sequences). */
  contextTokens: number;
}

export function resolveCost(spec: EngineSpec): StepCost {
  const q = QUANT_EFFECTS[spec.quantization];
  const tp = spec.tp;
  const comm = tp > 1 ? spec.tp_comm_ms : 0;
  const kvTokens = spec.kv_tokens > 0 ? spec.kv_tokens : kvBudgetTokens(spec);
  return {
    baseMs: (spec.step_ms * q.weights) / tp + comm,
    prefillTokenMs: (spec.prefill_token_us * q.compute) / tp / 1000,
    decodeSeqMs: (spec.decode_seq_us * q.weights) / tp / 1000,
    kvTokenMs: (spec.kv_token_ns * q.kv) / tp / 1e6,
    commTokenMs: tp > 1 ? spec.tp_comm_token_us / 1000 : 0,
    draftMs: spec.spec_tokens > 0 ? spec.spec_draft_ms * spec.spec_tokens : 0,
    specTokens: spec.spec_tokens,
    kvBlocks: Math.floor(kvTokens / KV_BLOCK_TOKENS),
    accuracy: q.accuracy,
  };
}

/** KV tokens that fit: (tp x memory x utilization - weights - tp x reserve) / bytes per token. */
export function kvBudgetTokens(spec: EngineSpec): number {
  const q = QUANT_EFFECTS[spec.quantization];
  const freeGb = spec.tp * spec.gpu_memory_gb * spec.gpu_memory_utilization - spec.weights_gb * q.weightBytes - spec.tp * spec.reserve_gb;
  return Math.floor((freeGb * 1e9) / (spec.kv_bytes_per_token * q.kv));
}

/** Step time, ms. Speculative decoding verifies k draft tokens per decoding sequence (as prefill-like tokens) and pays the drafting. */
export function stepMs(cost: StepCost, work: StepWork): number {
  const verifyTokens = work.decodeSeqs * cost.specTokens;
  const batched = work.prefillTokens + work.decodeSeqs + verifyTokens;
  return (
    cost.baseMs +
    cost.prefillTokenMs * (work.prefillTokens + verifyTokens) +
    cost.decodeSeqMs * work.decodeSeqs +
    cost.kvTokenMs * work.contextTokens +
    cost.commTokenMs * batched +
    (work.decodeSeqs > 0 ? cost.draftMs : 0)
  );
}
