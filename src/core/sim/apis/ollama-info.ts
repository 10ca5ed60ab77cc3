/**
 * Ollama's model-information endpoints, what its clients call besides chat and generate:
 * `GET /api/tags` (list), `GET /api/ps` (running models), `GET /api/version`, `POST /api/show`.
 * The simulator has one model, loaded all the time; /api/show answers for any model name, as chat
 * and generate do. Also served under /v1 (a builtin base URL ends in /v1). An unknown /api/ path
 * gets a 404 in Ollama's error shape, so Ollama clients show its message.
 */
import { createHash } from 'node:crypto';
import type { SimProfile } from '../profiles';
import { isRecord } from './request-fields';

/** The Ollama release whose formats the simulator follows; what GET /api/version reports. */
export const OLLAMA_VERSION = '0.12.6';

/** Ollama unloads an idle model after 5 minutes by default; /api/ps reports that expiry. */
const KEEP_ALIVE_MS = 5 * 60_000;

export interface InfoAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const ROUTES: Record<string, { method: 'GET' | 'POST'; answer: (profile: SimProfile, body: unknown) => InfoAnswer }> = {
  '/api/tags': { method: 'GET', answer: (p) => ok({ models: [{ name: p.model, ...modelEntry(p.model), modified_at: new Date(0).toISOString() }] }) },
  '/api/ps': {
    method: 'GET',
    answer: (p) => ok({ models: [{ name: p.model, ...modelEntry(p.model), expires_at: new Date(Date.now() + KEEP_ALIVE_MS).toISOString(), size_vram: 0 }] }),
  },
  '/api/version': { method: 'GET', answer: () => ok({ version: OLLAMA_VERSION }) },
  '/api/show': { method: 'POST', answer: show },
};

const ok = (body: unknown): InfoAnswer => ({ status: 200, body });
const error = (status: number, message: string, headers?: Record<string, string>): InfoAnswer => ({ status, body: { error: message }, headers });

/**
 * The answer for an Ollama information path, or undefined when the path is not Ollama's (or is
 * one of the generation routes, `isGenerationRoute`). `readBody` is called only for POST /api/show.
 */
export function ollamaInfo(
  method: string,
  rawPath: string,
  profile: SimProfile,
  isGenerationRoute: boolean,
  readBody: () => Promise<string | undefined>,
): Promise<InfoAnswer> | undefined {
  const path = rawPath.startsWith('/v1/api/') ? rawPath.slice(3) : rawPath;
  // Decided without a promise: every other request passes here on its way to its API.
  if (isGenerationRoute || !path.startsWith('/api/')) return undefined;
  return answer(method, rawPath, path, profile, readBody);
}

async function answer(method: string, rawPath: string, path: string, profile: SimProfile, readBody: () => Promise<string | undefined>): Promise<InfoAnswer> {
  const route = Object.prototype.hasOwnProperty.call(ROUTES, path) ? ROUTES[path] : undefined;
  if (!route) return error(404, `no route for ${method} ${rawPath}; the simulator serves Ollama's /api/chat, /api/generate, /api/tags, /api/ps, /api/show and /api/version`);
  if (method !== route.method) return error(405, `method ${method} not allowed on ${path}; use ${route.method}`, { allow: route.method });
  if (route.method === 'GET') return route.answer(profile, undefined);
  const raw = await readBody();
  if (raw === undefined) return error(413, 'request body too large');
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    return error(400, `request body is not valid JSON: ${(e as Error).message}`);
  }
  return route.answer(profile, body);
}

/** POST /api/show `{model}` (older clients send `name`). */
function show(profile: SimProfile, body: unknown): InfoAnswer {
  const model = isRecord(body) ? (typeof body.model === 'string' ? body.model : body.name) : undefined;
  if (typeof model !== 'string' || model === '') return error(400, 'model is required');
  const thinks = profile.thinking_tokens[1] > 0;
  return ok({
    license: '',
    modelfile: `# Modelfile of the llmload simulator\nFROM ${model}\n`,
    parameters: '',
    template: '{{ .Prompt }}',
    details: details(),
    model_info: { 'general.architecture': 'llmload-sim', 'general.basename': profile.model, 'general.parameter_count': 0 },
    // What the simulator does: text, tool calls, and thinking when the profile thinks.
    capabilities: thinks ? ['completion', 'tools', 'thinking'] : ['completion', 'tools'],
    modified_at: new Date(0).toISOString(),
  });
}

function details(): Record<string, unknown> {
  return { parent_model: '', format: 'gguf', family: 'llmload-sim', families: ['llmload-sim'], parameter_size: '0', quantization_level: 'F16' };
}

/** The fields /api/tags and /api/ps share for a model; the digest is the sha256 of its name, stable across runs. */
function modelEntry(model: string): Record<string, unknown> {
  return {
    model,
    size: 0,
    digest: createHash('sha256').update(model).digest('hex'),
    details: details(),
  };
}
