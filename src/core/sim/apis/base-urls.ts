/**
 * The base URL each client takes for the simulator. SDKs differ in what they append: the OpenAI
 * SDK adds `/chat/completions` to a base URL ending in `/v1`, while the Anthropic SDK adds
 * `/v1/messages` and the Ollama client adds `/api/chat` to the server's root. `llmload sim` prints
 * these and docs/simulator.md lists them.
 */

export interface SimBaseUrls {
  /** OpenAI SDK `baseURL` (chat, completions, responses, models); also what a `builtin:` target hands llmload's adapters. */
  openai: string;
  /** Anthropic SDK `baseURL`: the root, since the SDK adds `/v1/messages` itself. */
  anthropic: string;
  /** Ollama client `host`. */
  ollama: string;
  /** TGI clients: the root (`/generate_stream`, `/generate`). */
  tgi: string;
  /** The WebSocket endpoint. */
  websocket: string;
}

/** Every client's base URL, from the simulator's `/v1` URL (`http://HOST:PORT/v1`). */
export function simBaseUrls(v1Url: string): SimBaseUrls {
  const root = v1Url.replace(/\/v1$/, '');
  return { openai: v1Url, anthropic: root, ollama: root, tgi: root, websocket: `${root.replace(/^http/, 'ws')}/v1/ws` };
}

/**
 * Why a path has no route, when the likely cause is a base URL with one `/v1` too many (an
 * Anthropic SDK given the OpenAI base URL calls /v1/v1/messages); '' otherwise.
 */
export function doubledV1Hint(path: string, host = 'HOST:PORT'): string {
  if (!path.startsWith('/v1/v1/')) return '';
  const sdk = path === '/v1/v1/messages' ? 'the Anthropic SDK adds /v1/messages itself, so ' : '';
  return ` (${sdk}give the client the base URL without /v1: http://${host}, not http://${host}/v1)`;
}
