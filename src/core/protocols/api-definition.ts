/**
 * What an API the load tester speaks must provide, as one registry entry (see api-registry.ts): its
 * name in scenarios (`api NAME`), its transport, and for HTTP APIs the request builder and the
 * stream decoder; for a socket API, the client itself.
 */
import type { ApiKind, PromptPlan, RunPlan } from '../scenario/plan';
import type { AdapterPlan, DecoderContext, HttpRequestSpec, StreamDecoder } from './adapter';
import type { ProtocolClient } from './http-client';
import type { SseApiConfig, WebSocketApiConfig } from './json-mapping';
import type { ThinkTagOptions } from './think-tags';

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

/** Where one run sends its requests: the plan's model, headers and key, the target URL, the settings. */
export interface ApiTarget {
  readonly plan: AdapterPlan;
  readonly baseUrl: string;
  readonly settings: ProtocolSettings;
}

/** An API spoken over HTTP: one request per prompt, its response decoded as it streams in. */
export interface HttpApiDefinition {
  readonly api: ApiKind;
  readonly transport: 'http';
  /** The request for one prompt; built before the request's clock starts. */
  buildRequest(prompt: PromptPlan, target: ApiTarget): HttpRequestSpec;
  /** A fresh decoder for one response. Called per request: keep per-run work in `settings`. */
  createDecoder(ctx: DecoderContext, settings: ProtocolSettings): StreamDecoder;
}

/** An API with its own client (not one HTTP request per prompt), e.g. one WebSocket per request. */
export interface ClientApiDefinition {
  readonly api: ApiKind;
  readonly transport: 'websocket';
  /** The client for one run and target. Throws only for a URL that does not parse. */
  createClient(plan: ClientPlan, baseUrl: string, settings: ProtocolSettings): ProtocolClient;
}

export type ApiDefinition = HttpApiDefinition | ClientApiDefinition;
