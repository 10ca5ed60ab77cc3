/**
 * Every API the load tester speaks, one line each (the model: vLLM's benchmark keeps one request
 * function per backend in one table). To add an API: write its file (request builder and stream
 * decoder, exporting an `HttpApiDefinition`), add its name to `ApiKind`, and add it here.
 */
import type { ApiKind } from '../scenario/plan';
import type { ApiDefinition, ClientApiDefinition } from './api-definition';
import { anthropicApi } from './anthropic';
import { ollamaApi } from './ollama';
import { openAiChatApi } from './openai-chat';
import { openAiCompletionsApi } from './openai-completions';
import { openAiResponsesApi } from './openai-responses';
import { genericSseApi } from './sse-generic';
import { tgiApi } from './tgi';
import { WebSocketProtocolClient } from './websocket-client';

/** `api: websocket`: one socket per request, messages read through the scenario's JSON mapping. */
const webSocketApi: ClientApiDefinition = {
  api: 'websocket',
  transport: 'websocket',
  createClient(plan, baseUrl, s) {
    new URL(baseUrl);
    return new WebSocketProtocolClient(plan, baseUrl, plan.timeouts, { config: s.websocket, think_tags: s.think_tags });
  },
};

export const API_REGISTRY: readonly ApiDefinition[] = [
  openAiChatApi,
  openAiCompletionsApi,
  openAiResponsesApi,
  anthropicApi,
  ollamaApi,
  tgiApi,
  genericSseApi,
  webSocketApi,
];

const BY_NAME: ReadonlyMap<string, ApiDefinition> = new Map(API_REGISTRY.map((d) => [d.api, d]));

/** The registry entry of an API, or undefined for a name no entry has. */
export function apiDefinition(api: ApiKind | string): ApiDefinition | undefined {
  return BY_NAME.get(api);
}
