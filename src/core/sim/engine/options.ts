/**
 * Engine profile data: the calibrated model/hardware specs (sources in docs/simulator.md), the
 * validation of a spec, and the engine options of the `builtin:NAME?opt=..` query syntax
 * (`replicas=2&router=prefix-aware`, `tp=4`, `quantization=fp8`, `pd=1:1`, `spec_tokens=3`, ...).
 */
import { QUANT_EFFECTS, QUANTIZATIONS, resolveCost, ROUTER_POLICIES, type EngineSpec, type Quantization, type RouterPolicy } from './cost-model';

/** Llama 3.1 8B on one H100 SXM 80GB in BF16 (see docs/simulator.md, "Calibrated profiles"). */
export const LLAMA3_8B_H100: EngineSpec = {
  step_ms: 6,
  prefill_token_us: 35,
  decode_seq_us: 40,
  kv_token_ns: 39,
  max_num_batched_tokens: 8192,
  max_num_seqs: 1024,
  gpu_memory_gb: 80,
  gpu_memory_utilization: 0.9,
  weights_gb: 16.1,
  reserve_gb: 4,
  kv_bytes_per_token: 131_072,
  kv_tokens: 0,
  tp: 1,
  tp_comm_ms: 0.8,
  tp_comm_token_us: 1,
  quantization: 'bf16',
  spec_tokens: 0,
  spec_acceptance: 0.7,
  spec_draft_ms: 0.3,
  replicas: 1,
  router: 'least-loaded',
  pd_prefill: 0,
  pd_decode: 0,
  kv_transfer_ms: 1,
  kv_transfer_token_us: 2.6,
};

/** Llama 3.1 70B, coefficients for one notional H100 (it does not fit), served at TP 4. */
export const LLAMA3_70B_H100X4: EngineSpec = {
  ...LLAMA3_8B_H100,
  step_ms: 42,
  prefill_token_us: 300,
  decode_seq_us: 150,
  kv_token_ns: 98,
  weights_gb: 141,
  kv_bytes_per_token: 327_680,
  tp: 4,
  tp_comm_ms: 1.5,
  tp_comm_token_us: 3,
  spec_draft_ms: 1,
  kv_transfer_token_us: 6.5,
};

const NUMBER_KEYS = [
  'step_ms',
  'prefill_token_us',
  'decode_seq_us',
  'kv_token_ns',
  'max_num_batched_tokens',
  'max_num_seqs',
  'gpu_memory_gb',
  'gpu_memory_utilization',
  'weights_gb',
  'reserve_gb',
  'kv_bytes_per_token',
  'kv_tokens',
  'tp',
  'tp_comm_ms',
  'tp_comm_token_us',
  'spec_tokens',
  'spec_acceptance',
  'spec_draft_ms',
  'replicas',
  'pd_prefill',
  'pd_decode',
  'kv_transfer_ms',
  'kv_transfer_token_us',
] as const satisfies readonly (keyof EngineSpec)[];

const INTEGER_KEYS = new Set<string>(['max_num_batched_tokens', 'max_num_seqs', 'kv_tokens', 'tp', 'spec_tokens', 'replicas', 'pd_prefill', 'pd_decode']);
const POSITIVE_KEYS = new Set<string>(['max_num_batched_tokens', 'max_num_seqs', 'tp', 'replicas', 'kv_bytes_per_token', 'gpu_memory_gb']);

/** Every engine option name a query may use. */
export const ENGINE_OPTIONS: readonly string[] = [...NUMBER_KEYS, 'quantization', 'router', 'pd'];

export function isEngineOption(key: string): boolean {
  return ENGINE_OPTIONS.includes(key);
}

/** One `key=value` engine option into a partial spec; throws an Error saying what to write. */
export function parseEngineOption(key: string, value: string, into: Partial<EngineSpec>): void {
  if (key === 'quantization') {
    if (!QUANTIZATIONS.includes(value as Quantization)) throw new Error(`must be one of ${QUANTIZATIONS.join(', ')}`);
    into.quantization = value as Quantization;
  } else if (key === 'router') {
    if (!ROUTER_POLICIES.includes(value as RouterPolicy)) throw new Error(`must be one of ${ROUTER_POLICIES.join(', ')}`);
    into.router = value as RouterPolicy;
  } else if (key === 'pd') {
    const m = /^(\d+):(\d+)$/.exec(value);
    if (!m && value !== 'off') throw new Error('must be PREFILL:DECODE engine counts like 1:1, or off');
    into.pd_prefill = m ? Number(m[1]) : 0;
    into.pd_decode = m ? Number(m[2]) : 0;
  } else {
    const n = Number(value);
    if (value === '' || !Number.isFinite(n)) throw new Error('must be a number');
    (into as Record<string, number>)[key] = n;
  }
}

/** Problems of a spec, each saying what is allowed; empty when valid. */
export function engineSpecProblems(spec: EngineSpec): string[] {
  const problems: string[] = [];
  for (const key of NUMBER_KEYS) {
    const v = spec[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`${key} must be a number >= 0`);
    else if (INTEGER_KEYS.has(key) && !Number.isInteger(v)) problems.push(`${key} must be a whole number`);
    else if (POSITIVE_KEYS.has(key) && v <= 0) problems.push(`${key} must be > 0`);
  }
  if (!(spec.gpu_memory_utilization > 0 && spec.gpu_memory_utilization <= 1)) problems.push('gpu_memory_utilization must be in (0, 1]');
  if (!(spec.spec_acceptance >= 0 && spec.spec_acceptance <= 1)) problems.push('spec_acceptance must be 0..1');
  if (spec.spec_tokens > 16) problems.push('spec_tokens must be 0..16');
  if ((spec.pd_prefill > 0) !== (spec.pd_decode > 0)) problems.push('pd needs both pools, e.g. pd=1:1');
  if (!QUANTIZATIONS.includes(spec.quantization)) problems.push(`quantization must be one of ${QUANTIZATIONS.join(', ')}`);
  if (!ROUTER_POLICIES.includes(spec.router)) problems.push(`router must be one of ${ROUTER_POLICIES.join(', ')}`);
  if (problems.length === 0) {
    const cost = resolveCost(spec);
    if (cost.kvBlocks < 1) {
      problems.push(`no memory left for the KV cache: ${spec.weights_gb} GB of weights do not fit ${spec.tp} GPU(s) of ${spec.gpu_memory_gb} GB; raise tp, quantize, or set kv_tokens`);
    }
  }
  return problems;
}

/** Fraction of BF16 answer accuracy the spec's quantization keeps (1 for BF16). */
export function quantAccuracy(spec: EngineSpec): number {
  return QUANT_EFFECTS[spec.quantization].accuracy;
}
