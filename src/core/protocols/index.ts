/**
 * The protocols layer's public API: `createClient` returns a client that sends one prompt as a
 * streaming request and resolves with every packet, timestamped where its bytes arrived.
 */
import type { RunPlan } from '../scenario/plan';
import type { ProtocolAdapter } from './adapter';
import { AnthropicAdapter } from './anthropic';
import { HttpProtocolClient, type ProtocolClient } from './http-client';
import type { SseApiConfig, WebSocketApiConfig } from './json-mapping';
import { OllamaAdapter } from './ollama';
import { OpenAiChatAdapter } from './openai-chat';
import { OpenAiCompletionsAdapter } from './openai-completions';
import { OpenAiResponsesAdapter } from './openai-responses';
import { GenericSseAdapter } from './sse-generic';
import { TgiAdapter } from './tgi';
import type { ThinkTagOptions } from './think-tags';
import { WebSocketProtocolClient } from './websocket-client';

export type { SentRequest, ProtocolClient } from './http-client';
export type { ProtocolAdapter, StreamDecoder, HttpRequestSpec, DecoderContext } from './adapter';
export type { ThinkTagOptions } from './think-tags';
export type { JsonStreamMapping, SseApiConfig, WebSocketApiConfig } from './json-mapping';
export { mappingErrors } from './json-mapping';
export * from './types';

export type ClientPlan = Pick<RunPlan, 'api' | 'model' | 'timeouts' | 'headers' | 'key'>;

/** Protocol settings a scenario may add to its plan; read from the plan when present there. */
export interface ProtocolSettings {
  /** `<think>` tag splitting of answer text; `false` turns it off. Default: on, `<think>`/`</think>`. */
  think_tags?: ThinkTagOptions | false;
  /** For `api: sse`: endpoint path, body template and JSON paths. */
  sse?: SseApiConfig;
  /** For `api: websocket`: message template and JSON paths. */
  websocket?: WebSocketApiConfig;
  /** `keep_alive off`: every HTTP request on a fresh connection, closed after its response. Default on. */
  keep_alive?: boolean;
}

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

/** The adapter for an HTTP API. Throws for `websocket` (not HTTP) and unknown APIs. */
export function createAdapter(plan: ClientPlan, baseUrl: string, opts: ClientOptions = {}): ProtocolAdapter {
  const s = settings(plan, opts);
  const dec = { think_tags: s.think_tags };
  switch (plan.api) {
    case 'openai-chat':
      return new OpenAiChatAdapter(plan, baseUrl, dec);
    case 'openai-completions':
      return new OpenAiCompletionsAdapter(plan, baseUrl, dec);
    case 'openai-responses':
      return new OpenAiResponsesAdapter(plan, baseUrl, dec);
    case 'anthropic':
      return new AnthropicAdapter(plan, baseUrl, dec);
    case 'ollama':
      return new OllamaAdapter(plan, baseUrl, dec);
    case 'tgi':
      return new TgiAdapter(plan, baseUrl, dec);
    case 'sse':
      return new GenericSseAdapter(plan, baseUrl, s.sse ?? {}, dec);
    default:
      throw new Error(`API ${String(plan.api)} has no HTTP adapter`);
  }
}

/**
 * One client per run and target. HTTP APIs share one undici Pool (keep-alive, no pipelining);
 * `websocket` opens one socket per request. Throws only for a URL that does not parse.
 */
export function createClient(plan: ClientPlan, baseUrl: string, opts: ClientOptions = {}): ProtocolClient {
  if (plan.api === 'websocket') {
    const s = settings(plan, opts);
    new URL(baseUrl);
    return new WebSocketProtocolClient(plan, baseUrl, plan.timeouts, { config: s.websocket, think_tags: s.think_tags });
  }
  const adapter = createAdapter(plan, baseUrl, opts);
  const origin = new URL(baseUrl).origin;
  const keep_alive = opts.keep_alive ?? (plan as ClientPlan & ProtocolSettings).keep_alive;
  return new HttpProtocolClient(adapter, plan.timeouts, origin, opts.connections ?? 256, { keep_alive });
}
