/**
 * The cost guard's estimate: roughly how many tokens a run sends and receives, from the plan alone
 * (no request is made). Only runs against non-local targets are guarded. No `vscode` import.
 */
import type { LoadPlan, RunPlan } from '../../core/scenario/plan';
import { sweepLevels } from '../../core/load/shapes/sweep';

/** Assumed seconds per request of a closed-loop user, for the estimate only. */
export const ASSUMED_REQUEST_S = 5;
/** Output tokens assumed for a prompt without max_tokens. */
export const ASSUMED_OUTPUT_TOKENS = 512;
/** Characters per token for the estimate (no tokenizer is loaded for it). */
export const CHARS_PER_TOKEN = 4;

export function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host) || host === '0.0.0.0';
  } catch {
    return false;
  }
}

/** The URL a run goes to, or undefined for the built-in simulator. */
export function effectiveTarget(plan: RunPlan, targetOverride?: string): string | undefined {
  if (targetOverride) return targetOverride;
  return plan.target.kind === 'url' ? plan.target.url : undefined;
}

export function estimateRequests(load: LoadPlan, stopAfterRequests?: number): number {
  let n: number;
  switch (load.kind) {
    case 'users':
      n = (load.users * load.duration_ms) / 1000 / ASSUMED_REQUEST_S;
      break;
    case 'rate':
      n = load.per_s * (load.duration_ms / 1000);
      break;
    case 'burst':
      n = load.size * Math.ceil(load.duration_ms / load.every_ms);
      break;
    case 'step': {
      const steps = load.add > 0 ? Math.max(0, Math.ceil((load.max - load.start) / load.add)) : 0;
      let userSeconds = 0;
      for (let i = 0; i < steps; i++) userSeconds += Math.min(load.max, load.start + i * load.add) * (load.every_ms / 1000);
      userSeconds += load.max * (load.hold_ms / 1000);
      n = userSeconds / ASSUMED_REQUEST_S;
      break;
    }
    case 'stages': {
      let users = 0;
      let rate = 0;
      n = 0;
      for (const s of load.stages) {
        if (s.kind === 'ramp_users') {
          n += (((users + s.to) / 2) * (s.over_ms / 1000)) / ASSUMED_REQUEST_S;
          users = s.to;
        } else if (s.kind === 'ramp_rate') {
          n += ((rate + s.to_per_s) / 2) * (s.over_ms / 1000);
          rate = s.to_per_s;
        } else {
          n += ((users * s.for_ms) / 1000) / ASSUMED_REQUEST_S + rate * (s.for_ms / 1000);
        }
      }
      break;
    }
    case 'replay':
      n = Infinity;
      break;
    case 'sweep':
      // Every step run (a saturated server ends the sweep sooner).
      n = sweepLevels(load).reduce((a, level) => a + (load.each_ms / 1000) * (load.over === 'rate' ? level : level / ASSUMED_REQUEST_S), 0);
      break;
  }
  if (stopAfterRequests !== undefined) n = Math.min(n, stopAfterRequests);
  return Number.isFinite(n) ? Math.ceil(n) : Infinity;
}

/** Mean tokens per request (input by characters, output by max_tokens), over the prompt blocks. */
export function tokensPerRequest(plan: RunPlan): number {
  const prompts = plan.prompts;
  if (prompts.length === 0) return ASSUMED_OUTPUT_TOKENS * 2;
  const total = prompts.reduce((a, p) => {
    const chars = p.messages.reduce((c, m) => c + m.content.length, 0);
    return a + Math.ceil(chars / CHARS_PER_TOKEN) + (p.params.max_tokens ?? ASSUMED_OUTPUT_TOKENS);
  }, 0);
  return total / prompts.length;
}

export interface CostEstimate {
  target: string;
  requests: number;
  tokens: number;
}

/** The estimate when the run needs a confirmation (non-local target, over the limit), else undefined. */
export function costGuard(plan: RunPlan, limitTokens: number, targetOverride?: string): CostEstimate | undefined {
  const target = effectiveTarget(plan, targetOverride);
  if (!target || isLocalUrl(target)) return undefined;
  const requests = estimateRequests(plan.load, plan.stop?.after_requests);
  const tokens = requests * tokensPerRequest(plan);
  if (tokens <= limitTokens) return undefined;
  return { target, requests, tokens };
}
