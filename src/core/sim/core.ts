/**
 * What the HTTP and WebSocket front ends share: the admission engine, the send log, the set of
 * open responses, and `prepare`, which applies faults and the reasoning-format override and plans
 * a response with a per-request seeded generator.
 */
import type { ResponseContext, SimApi } from './apis/types';
import { createEngine } from './admission';
import { drawFault, parseFaultHeader, type FaultRequest } from './faults';
import { estimatePromptTokens, planGeneration, type Generation, type SimRequest } from './generation';
import { PrefixCache } from './prefix-cache';
import { REASONING_FORMATS, type ReasoningFormat, type SimProfile } from './profiles';
import { createRng, hashString } from './random';
import type { Engine, RunningResponse } from './responder';
import { Deployment } from './engine/deployment';
import { realTimer } from './engine/clock';
import { blockHashes } from './prefix-cache';
import { SendLog } from './send-log';

export const RESPONSE_ID_HEADER = 'x-llmload-sim-response-id';
export const REASONING_FORMAT_HEADER = 'x-llmload-sim-reasoning-format';
/** How many distinct prompts the per-prompt occurrence counter remembers before it starts over. */
const MAX_PROMPTS_REMEMBERED = 50_000;

/** A request ready to play, or the HTTP-level answer it gets instead. */
export type Prepared =
  | { kind: 'reject'; status: number; message: string; headers: Record<string, string> }
  | { kind: 'play'; ctx: ResponseContext; gen: Generation; fault?: FaultRequest; profile: SimProfile };

/** What the HTTP and WebSocket front ends share: planning, the engine, the send log, open responses. */
export interface SimCore {
  readonly profile: SimProfile;
  readonly engine: Engine;
  readonly sendLog: SendLog;
  /** Applies the fault (given, else drawn from the profile's rates), reasoning-format override, and plans the response. */
  prepare(api: SimApi, request: SimRequest, faultValue: string | undefined, formatValue: string | undefined): Prepared;
  /** Tracks an open response so close() can end it. */
  track(running: RunningResponse): void;
  readonly closing: boolean;
}

export function createCore(profile: SimProfile, seed: number, sendLogCapacity: number): SimCore & { abortAll(): void; setClosing(): void } {
  // Engine profiles: admission and timing come from the engine model, so the slot queue is unbounded.
  const engine = profile.engine ? createEngine(0, 0) : createEngine(profile.max_concurrency, profile.batch_slowdown);
  if (profile.engine) engine.deployment = new Deployment(profile.engine, realTimer(), { seed, prefixCaching: profile.prefix_caching });
  const deployment = engine.deployment;
  const sendLog = new SendLog(sendLogCapacity);
  const faultRng = createRng(hashString(`faults|${seed}`));
  const occurrences = new Map<number, number>();
  const prefixCache = new PrefixCache();
  const open = new Set<RunningResponse>();
  let counter = 0;
  let closing = false;

  return {
    profile,
    engine,
    sendLog,
    get closing() {
      return closing;
    },
    setClosing: () => void (closing = true),
    track(running) {
      open.add(running);
      void running.ended.then(() => open.delete(running));
    },
    abortAll() {
      for (const r of open) r.abort();
      open.clear();
      deployment?.stop();
    },
    prepare(api, request, faultValue, formatValue) {
      let fault: FaultRequest | undefined;
      if (faultValue !== undefined && faultValue.trim() !== '') {
        const f = parseFaultHeader(faultValue);
        if ('error' in f) return { kind: 'reject', status: 400, message: f.error, headers: {} };
        fault = f;
      } else {
        fault = drawFault(profile, faultRng);
      }
      let responseProfile = profile;
      if (formatValue !== undefined) {
        if (!REASONING_FORMATS.includes(formatValue as ReasoningFormat)) {
          return { kind: 'reject', status: 400, message: `${REASONING_FORMAT_HEADER} must be one of ${REASONING_FORMATS.join(', ')}`, headers: {} };
        }
        responseProfile = { ...profile, reasoning_format: formatValue as ReasoningFormat };
      }

      const id = `${api.idPrefix}${++counter}`;
      const idHeader = { [RESPONSE_ID_HEADER]: id };
      if (fault?.kind === 'http_429') {
        const retryAfter = String(fault.arg ?? profile.retry_after_s);
        return { kind: 'reject', status: 429, message: 'simulated rate limit: too many requests', headers: { ...idHeader, 'retry-after': retryAfter } };
      }
      if (fault?.kind === 'http_500') return { kind: 'reject', status: 500, message: 'simulated internal server error', headers: idHeader };
      if (fault?.kind === 'http_400') return { kind: 'reject', status: 400, message: 'simulated bad request', headers: idHeader };

      // Same simulator seed + same prompt + same occurrence (or request seed) = same response.
      const promptHash = hashString(request.promptText);
      let occurrence = request.seed;
      if (occurrence === undefined) {
        if (occurrences.size >= MAX_PROMPTS_REMEMBERED && !occurrences.has(promptHash)) occurrences.clear();
        occurrence = occurrences.get(promptHash) ?? 0;
        occurrences.set(promptHash, occurrence + 1);
      }
      const promptTokens = estimatePromptTokens(request.promptText);
      if (deployment && promptTokens > deployment.maxPromptTokens) {
        const message = `This model's KV cache holds ${deployment.maxPromptTokens + 1} tokens; the prompt has ${promptTokens}. Shorten the prompt.`;
        return { kind: 'reject', status: 400, message, headers: idHeader };
      }
      // The engine finds cached blocks when it schedules the request; here only the simple model looks them up.
      const keys = deployment ? blockHashes(request.promptText) : undefined;
      const cachedTokens = deployment
        ? deployment.peekCachedTokens(keys!, promptTokens)
        : responseProfile.prefix_caching
          ? prefixCache.lookupAndInsert(request.promptText, promptTokens)
          : 0;
      const gen = planGeneration({
        cachedTokens,
        profile: deployment ? { ...responseProfile, tokens_per_chunk: 1 } : responseProfile,
        request,
        rng: createRng(hashString(`${seed}|${occurrence}|${promptHash}`)),
        fault: fault?.kind,
        faultArg: fault?.arg,
        thinkTags: api.thinkTags(responseProfile),
      });
      if (keys) gen.promptKeys = keys;
      const ctx: ResponseContext = {
        id,
        model: request.model ?? profile.model,
        created: Math.floor(Date.now() / 1000),
        request,
        profile: responseProfile,
        promptTokens: gen.promptTokens,
        cachedTokens: gen.cachedTokens,
      };
      return { kind: 'play', ctx, gen, fault, profile: responseProfile };
    },
  };
}

