/**
 * The checks of a URL target before its load starts, in order: can it be reached (TCP), is it ready
 * where it says so (readiness.ts), and what context limit does it publish (server-limits.ts)? The
 * prompts' counts are then checked against the smaller of that limit and the scenario's. What was
 * found goes into plan.json and summary.json (`server`); prompts over a limit are warnings, since a
 * person may want to measure the rejection.
 */
import { probeHeaders } from './probe-http';
import { checkReachable } from './preflight';
import { DEFAULT_READY_TIMEOUT_MS, waitUntilReady, type ReadinessWait } from './readiness';
import { readServerLimit } from './server-limits';
import { appliedContextLimit, runLimitWarnings } from '../tokenize/limits';
import type { RunPlan } from '../scenario/plan';
import type { AppliedLimit, ServerFacts, ServerLimit } from '../types/server-facts';

export interface TargetCheckOptions {
  /** Each prompt's input tokens as the server sees them (prepareRun), by prompt name. */
  inputTokens?: ReadonlyMap<string, number>;
  /** The tokenizer's model_max_length, used when the scenario has no `context`. */
  modelMaxLength?: number;
  onWait?(w: ReadinessWait): void;
  signal?: AbortSignal;
  /** Pause between readiness rounds (tests); default 1000 ms. */
  readyIntervalMs?: number;
}

export interface TargetCheck {
  server: ServerFacts;
  /** One line each, for people (the CLI prints them as warnings before the run). */
  warnings: string[];
}

/** Throws RunStartError when the target cannot be reached or does not get ready in time. */
export async function checkTarget(plan: RunPlan, baseUrl: string, opts: TargetCheckOptions = {}): Promise<TargetCheck> {
  await checkReachable(baseUrl);
  const headers = probeHeaders(plan.api, plan.headers, plan.key);
  const server: ServerFacts = {};
  server.readiness = await waitUntilReady(plan.api, baseUrl, {
    timeout_ms: plan.timeouts.ready_ms ?? DEFAULT_READY_TIMEOUT_MS,
    interval_ms: opts.readyIntervalMs,
    headers,
    secrets: [...(plan.key ? [plan.key] : []), ...Object.values(plan.headers)],
    onWait: opts.onWait,
    signal: opts.signal,
  });
  const limit = await readServerLimit(plan.api, baseUrl, { model: plan.model, headers });
  if (limit) server.limit = limit;
  const { warnings, applied, over } = checkPromptLimits(plan, opts.inputTokens, opts.modelMaxLength, limit);
  if (applied) server.applied_limit = applied;
  if (over !== undefined) server.prompts_over_limit = over;
  return { server, warnings };
}

/**
 * The prompts' counts against the smaller of the server's limit (when known) and the scenario's
 * (`context`, else the tokenizer's model_max_length): warnings for people, the limit applied, and
 * how many prompts are over it (undefined without counts).
 */
export function checkPromptLimits(
  plan: RunPlan,
  inputTokens: ReadonlyMap<string, number> | undefined,
  modelMaxLength: number | undefined,
  limit?: ServerLimit,
): { warnings: string[]; applied?: AppliedLimit; over?: number } {
  const applied = appliedContextLimit({ context: plan.context, modelMaxLength }, limit);
  if (!inputTokens || inputTokens.size === 0) return { warnings: [], applied };
  const subjects = plan.prompts
    .filter((p) => inputTokens.has(p.name))
    .map((p) => ({ label: `prompt "${p.name}"`, tokens: inputTokens.get(p.name)!, maxTokens: p.params.max_tokens }));
  const maxInput = limit?.max_input !== undefined ? { tokens: limit.max_input, text: `the server's limit (${limit.source})` } : undefined;
  const warnings = runLimitWarnings(subjects, applied, maxInput);
  const over = subjects.filter((s) => (applied && s.tokens > applied.tokens) || (maxInput && s.tokens > maxInput.tokens)).length;
  return { warnings, applied, over };
}
