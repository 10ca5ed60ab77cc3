/**
 * What the HTTP and WebSocket front ends share: the engine (sim-engine.ts), the send log, the set
 * of open responses, and `prepare`, which applies faults and the reasoning-format override and
 * plans a response with a per-request seeded generator.
 */
import type { ResponseContext, SimApi } from './apis/types';
import { drawFault, parseFaultHeader, type FaultRequest } from './faults';
import { estimatePromptTokens, planGeneration, type Generation, type SimRequest } from './generation';
import { REASONING_FORMATS, type ReasoningFormat, type SimProfile } from './profiles';
import { createRng, hashString } from './random';
import type { RunningResponse } from './player';
import { createDeploymentEngine } from './deployment-engine';
import type { SimEngine } from './sim-engine';
import { createTimedEngine } from './timed-engine';
import { SendLog } from './send-log';

export const RESPONSE_ID_HEADER = 'x-llmload-sim-response-id';
export const REASONING_FORMAT_HEADER = 'x-llmload-sim-reasoning-format';
/** How many distinct prompts the per-prompt occurrence counter remembers before it starts over. */
const MAX_PROMPTS_REMEMBERED = 50_000;

/** A request ready to play, or the HTTP-level answer it gets instead. */
export type Prepared =
  | { kind: 'reject'; status: number; message: string; headers: Record<string, string> }
  | { kind: 'play'; ctx: ResponseContext; gen: Generation; fault?: FaultRequest; profile: SimProfile; plannedOutputTokens: number };

/** What the HTTP and WebSocket front ends share: planning, the engine, the send log, open responses. */
export interface SimCore {
  readonly profile: SimProfile;
  readonly engine: SimEngine;
  readonly sendLog: SendLog;
  /** Applies the fault (given, else drawn from the profile's rates), reasoning-format override, and plans the response. */
  prepare(api: SimApi, request: SimRequest, faultValue: string | undefined, formatValue: string | undefined): Prepared;
  /** Tracks an open response so close() can end it. */
  track(running: RunningResponse): void;
  readonly closing: boolean;
}

export function createCore(profile: SimProfile, seed: number, sendLogCapacity: number): SimCore & { abortAll(): void; setClosing(): void } {
  // Engine profiles are timed by the engine model; the fast profiles by serving slots and timers.
  const engine = profile.engine ? createDeploymentEngine(profile.engine, seed, profile.prefix_caching) : createTimedEngine(profile);
  const sendLog = new SendLog(sendLogCapacity);
  const faultRng = createRng(hashString(`faults|${seed}`));
  const occurrences = new Map<number, number>();
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
      engine.stop();
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
      const tooLong = engine.promptError(promptTokens);
      if (tooLong !== undefined) return { kind: 'reject', status: 400, message: tooLong, headers: idHeader };
      const { cachedTokens, keys } = engine.prefix(request.promptText, promptTokens, responseProfile);
      const gen = planGeneration({
        cachedTokens,
        profile: engine.planningProfile(responseProfile),
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
      const plannedOutputTokens = gen.thinkingTokens + gen.answerTokens + gen.toolTokens;
      return { kind: 'play', ctx, gen, fault, profile: responseProfile, plannedOutputTokens };
    },
  };
}

