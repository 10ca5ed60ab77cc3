/**
 * The protocols layer's public API: `createClient` returns a client that sends one prompt as a
 * streaming request and resolves with every packet, timestamped where its bytes arrived.
 */
import type { ProtocolAdapter } from './adapter';
import type { ClientPlan, HttpApiDefinition, ProtocolSettings } from './api-definition';
import { apiDefinition } from './api-registry';
import { HttpProtocolClient, type ProtocolClient } from './http-client';

export type { SentRequest, ProtocolClient } from './http-client';
export type { ProtocolAdapter, StreamDecoder, HttpRequestSpec, DecoderContext } from './adapter';
export type { ApiDefinition, ApiTarget, ClientPlan, HttpApiDefinition, ProtocolSettings } from './api-definition';
export { API_REGISTRY, apiDefinition } from './api-registry';
export type { ThinkTagOptions } from './think-tags';
export type { JsonStreamMapping, SseApiConfig, WebSocketApiConfig } from './json-mapping';
export { mappingErrors } from './json-mapping';
export * from './types';

export interface ClientOptions extends ProtocolSettings {
  /** Connection pool size, default 256. */
  connections?: number;
}

function settings(plan: ClientPlan, opts: ClientOptions): ProtocolSettings {
  const fromPlan = plan as ClientPlan & ProtocolSettings;
  return {
    think_tags: opts.think_tags ?? fromPlan.think_tags,
    sse: opts.sse ?? fromPlan.sse,
    websocket: opts.websocket ?? fromPlan.websocket,
  };
}

/** An HTTP API's definition joined with one run's plan, target URL and settings. */
function boundAdapter(def: HttpApiDefinition, plan: ClientPlan, baseUrl: string, s: ProtocolSettings): ProtocolAdapter {
  const target = { plan, baseUrl, settings: s };
  return {
    api: def.api,
    buildRequest: (prompt) => def.buildRequest(prompt, target),
    createDecoder: (ctx) => def.createDecoder(ctx, s),
  };
}

/** The adapter for an HTTP API. Throws for `websocket` (not HTTP) and unknown APIs. */
export function createAdapter(plan: ClientPlan, baseUrl: string, opts: ClientOptions = {}): ProtocolAdapter {
  const def = apiDefinition(plan.api);
  if (def?.transport !== 'http') throw new Error(`API ${String(plan.api)} has no HTTP adapter`);
  return boundAdapter(def, plan, baseUrl, settings(plan, opts));
}

/**
 * One client per run and target. HTTP APIs share one undici Pool (keep-alive, no pipelining);
 * `websocket` opens one socket per request. Throws only for a URL that does not parse.
 */
export function createClient(plan: ClientPlan, baseUrl: string, opts: ClientOptions = {}): ProtocolClient {
  const def = apiDefinition(plan.api);
  if (def?.transport === 'websocket') return def.createClient(plan, baseUrl, settings(plan, opts));
  const adapter = createAdapter(plan, baseUrl, opts);
  const origin = new URL(baseUrl).origin;
  const keep_alive = opts.keep_alive ?? (plan as ClientPlan & ProtocolSettings).keep_alive;
  return new HttpProtocolClient(adapter, plan.timeouts, origin, opts.connections ?? 256, { keep_alive });
}
