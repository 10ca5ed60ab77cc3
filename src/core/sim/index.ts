/**
 * The built-in LLM serving simulator: `target builtin:<profile>` starts it on 127.0.0.1, and
 * `llmload sim` runs it alone. See docs/simulator.md for the wire formats, profiles and faults.
 */
import { resolveProfile, type SimProfile } from './profiles';
import { startSimServer } from './server';
import { simBaseUrls, type SimBaseUrls } from './apis/base-urls';

export { PROFILES, FAULT_KINDS, REASONING_FORMATS, defineProfile, parseProfileOverrides, resolveProfile } from './profiles';
export type { SimProfile, FaultKind, ReasoningFormat, ResponsesReasoning, ProfileOverrides } from './profiles';
export type { EngineSpec, Quantization, RouterPolicy } from './engine/cost-model';
export { QUANT_EFFECTS } from './engine/cost-model';
export { FAULT_HEADER } from './faults';
export { RESPONSE_ID_HEADER, REASONING_FORMAT_HEADER } from './core';
export { WS_PATH } from './websocket';
export { estimatePromptTokens, CHARS_PER_TOKEN } from './generation';
export type { SimBaseUrls } from './apis/base-urls';

export interface SimOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  /** Profile name (see PROFILES), optionally with changes as a query (`reasoning?decode_tokens_per_s=20&fault.reset=0.05`), or a profile object; default 'chat'. */
  profile?: string | SimProfile;
  /** Seed of every random choice (text, lengths, jitter, fault draws); default 1. */
  seed?: number;
  /** How many responses' send times the send log keeps; default 1000. */
  sendLogCapacity?: number;
}

export interface RunningSimulator {
  /** Base URL of the OpenAI-style API, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  /** The base URL each client takes: OpenAI SDK `baseURL` (= url), Anthropic SDK `baseURL` and Ollama `host` (the root), TGI, WebSocket. */
  baseUrls: SimBaseUrls;
  port: number;
  profile: SimProfile;
  /** Wall-clock send times (ms, performance.timeOrigin + performance.now()) of every frame of a response, in order. */
  sendLog(responseId: string): number[] | undefined;
  /** When a response's request had arrived whole (its body read), on the send log's clock; undefined when unknown. */
  receivedAt(responseId: string): number | undefined;
  /** Ends open streams and the server. */
  close(): Promise<void>;
}

export async function startSimulator(opts: SimOptions = {}): Promise<RunningSimulator> {
  const profile = resolveProfile(opts.profile);
  const seed = opts.seed ?? 1;
  if (!Number.isFinite(seed)) throw new Error(`simulator seed must be a finite number, got ${seed}`);
  const server = await startSimServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    profile,
    seed,
    sendLogCapacity: opts.sendLogCapacity ?? 1000,
  });
  return {
    url: server.url,
    baseUrls: simBaseUrls(server.url),
    port: server.port,
    profile,
    sendLog: (id) => server.sendLog.get(id),
    receivedAt: (id) => server.sendLog.receivedAt(id),
    close: () => server.close(),
  };
}
