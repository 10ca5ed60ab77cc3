/**
 * Turns a syntax tree into a validated RunPlan: substitutes variables, reads @file includes,
 * checks that files exist, that required directives are there, that loads are possible, and fills
 * defaults. A plan comes back only when neither the parser nor the resolver found an error.
 *
 * This file is wiring only: it calls each block's resolve function (blocks/*.ts) in the order
 * their inputs become known; the shared machinery is in resolve-core.ts.
 */
import path from 'node:path';
import type { Diagnostic } from './diagnostics';
import type { RunPlan } from './plan';
import type { SseApiConfig, WebSocketApiConfig } from '../types/protocol-options';
import type { ScenarioTree } from './tree';
import { DEFAULTS, Resolution, zero, type ResolveOptions } from './resolve-core';
import { resolveApiConfig } from './blocks/mappings';
import { resolveDatasets } from './blocks/dataset';
import { resolveExpectations } from './blocks/expect';
import { checkCapacityExpectations } from './blocks/capacity-line';
import { resolveGoodput } from './blocks/goodput-line';
import { resolveLoad } from './blocks/load';
import { resolvePrompts } from './blocks/prompt';
import { resolveThreadPriority, resolveThreads } from './blocks/client-threads';
import { resolveBackoff, resolveKeepAlive, resolveServerMetrics, resolveThinkTags } from './blocks/protocol-options';
import { resolveRunControl, resolveStop } from './blocks/run-control';
import { collectVars, warnUnusedVars } from './blocks/scenario';
import { resolveHeaders, resolveModel, resolveTarget, resolveTimeouts } from './blocks/target';

export { DEFAULTS, type ResolveOptions } from './resolve-core';

export function resolvePlan(tree: ScenarioTree, opts: ResolveOptions = {}): { plan?: RunPlan; diagnostics: Diagnostic[] } {
  try {
    return run(new Resolution(tree, opts));
  } catch (e) {
    return {
      diagnostics: [{ severity: 'error', range: tree.statements[0]?.range ?? zero(), message: `internal resolver error: ${e instanceof Error ? e.message : String(e)}` }],
    };
  }
}

function run(r: Resolution): { plan?: RunPlan; diagnostics: Diagnostic[] } {
  const st = r.tree.statements;
  if (st.length === 0) {
    r.error(zero(), 'empty scenario: add a target, a load and a prompt (see examples/quickstart.llmload)');
    return { diagnostics: r.diags };
  }
  collectVars(r);

  const scenarioNode = r.only('scenario');
  const title = r.text(scenarioNode?.title) ?? (r.file ? path.basename(r.file).replace(/\.llmload$/, '') : 'untitled');

  const api = r.only('api')?.api ?? DEFAULTS.api;
  const target = resolveTarget(r, api);
  const modelNode = r.only('model');
  const tokenizerNode = r.only('tokenizer');
  const keyNode = r.only('key');
  const model = resolveModel(r, modelNode, api, target);
  const timeouts = resolveTimeouts(r);
  const headers = resolveHeaders(r);
  const key = r.text(keyNode?.value);

  const prompts = resolvePrompts(r);
  const datasets = resolveDatasets(r);
  if (prompts.length === 0 && datasets.length === 0 && !r.incomplete && !st.some((s) => s.kind === 'prompt' || s.kind === 'dataset')) {
    r.error(r.anchor, 'no prompts: add a prompt block (prompt "name" with a user line) or a dataset');
  }

  const stop = resolveStop(r);
  const load = resolveLoad(r, stop);
  const { warmup, think_ms } = resolveRunControl(r, load, stop);
  const buckets = r.only('buckets')?.values.map((q) => q.value) ?? [];
  const context = r.only('context')?.tokens?.value;
  const trace = r.only('trace')?.trace ?? DEFAULTS.trace;
  const seed = r.only('seed')?.value?.value;
  const expectations = resolveExpectations(r, datasets);
  checkCapacityExpectations(r, load);
  const goodput = resolveGoodput(r);
  const thinkTags = resolveThinkTags(r);
  const lengthNode = r.only('length');
  const backoff = resolveBackoff(r, load);
  const keepAlive = resolveKeepAlive(r, api);
  const threads = resolveThreads(r);
  const threadPriority = resolveThreadPriority(r);
  const serverMetrics = resolveServerMetrics(r, target);
  const sse = resolveApiConfig(r, 'sse', api, target) as SseApiConfig | undefined;
  const websocket = resolveApiConfig(r, 'websocket', api, target) as WebSocketApiConfig | undefined;

  warnUnusedVars(r);

  const ok = r.tree.errorCount === 0 && r.errors === 0 && target !== undefined && load !== undefined;
  if (!ok) return { diagnostics: r.diags };
  const plan: RunPlan = {
    scenario: title,
    file: r.file,
    target,
    api,
    model: model ?? '',
    timeouts,
    headers,
    prompts,
    datasets,
    load,
    think_ms,
    buckets,
    trace,
    expectations,
  };
  const tokenizer = r.text(tokenizerNode?.value);
  if (tokenizer !== undefined) plan.tokenizer = tokenizer;
  if (key !== undefined) plan.key = key;
  if (warmup) plan.warmup = warmup;
  if (stop) plan.stop = stop;
  if (seed !== undefined) plan.seed = seed;
  if (context !== undefined) plan.context = context;
  if (thinkTags !== undefined) plan.think_tags = thinkTags;
  if (lengthNode?.fails !== undefined) plan.length_fails = lengthNode.fails;
  if (backoff !== undefined) plan.backoff = backoff;
  if (keepAlive === false) plan.keep_alive = false;
  if (threads !== undefined) plan.threads = threads;
  if (threadPriority) plan.thread_priority = threadPriority;
  if (goodput) plan.goodput = goodput;
  if (serverMetrics) plan.server_metrics = serverMetrics;
  if (sse) plan.sse = sse;
  if (websocket) plan.websocket = websocket;
  return { plan, diagnostics: r.diags };
}
