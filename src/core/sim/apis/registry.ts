/**
 * The simulated APIs: POST path -> front end. A new API is a new file in this folder that exports
 * a `SimApi` (types.ts), plus one line here. The server (../server.ts) looks a path up with
 * `apiForPath`; the WebSocket front end (../websocket.ts) and Ollama's information endpoints
 * (ollama-info.ts) have their own routes.
 */
import { anthropic } from './anthropic';
import { ollama } from './ollama';
import { ollamaGenerate } from './ollama-generate';
import { openAiChat } from './openai-chat';
import { openAiCompletions } from './openai-completions';
import { openAiResponses } from './openai-responses';
import { tgiGenerate, tgiStream } from './tgi';
import type { SimApi } from './types';

/** POST routes: path -> API. */
export const SIM_API_ROUTES: Readonly<Record<string, SimApi>> = {
  '/v1/chat/completions': openAiChat,
  '/v1/completions': openAiCompletions,
  '/v1/responses': openAiResponses,
  '/v1/messages': anthropic,
  '/api/chat': ollama,
  '/api/generate': ollamaGenerate,
  '/generate_stream': tgiStream,
  '/generate': tgiGenerate,
};

const route = (path: string): SimApi | undefined => (Object.prototype.hasOwnProperty.call(SIM_API_ROUTES, path) ? SIM_API_ROUTES[path] : undefined);

/**
 * The API of a path. The base URL a builtin target hands to adapters ends in /v1, so the root
 * routes (/api/chat, /generate_stream) are also served under /v1, and the /v1 routes without it.
 */
export function apiForPath(path: string): SimApi | undefined {
  const exact = route(path);
  if (exact) return exact;
  const alt = path.startsWith('/v1/') ? path.slice(3) : `/v1${path}`;
  // Only one /v1 is ever added or taken away: /v1/v1/... stays unknown.
  if (alt.startsWith('/v1/v1/') || (path.startsWith('/v1/') && alt.startsWith('/v1/'))) return undefined;
  return route(alt);
}
