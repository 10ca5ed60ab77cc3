/**
 * Which API a proxied request speaks, from its method and path, and the few body fields the
 * mirror reads (model, user, messages). Requests on other paths (GET /v1/models, /health …) are
 * passed through to the primary but neither timed, sampled nor captured.
 */
import type { ApiKind } from '../scenario/plan';

/** The API of a POST path, or undefined for a path the mirror does not time. */
export function apiOfPath(method: string, path: string): ApiKind | undefined {
  if (method !== 'POST') return undefined;
  const p = path.split('?')[0]!.replace(/\/+$/, '');
  if (p.endsWith('/chat/completions')) return 'openai-chat';
  if (p.endsWith('/completions')) return 'openai-completions';
  if (p.endsWith('/responses')) return 'openai-responses';
  if (p.endsWith('/messages')) return 'anthropic';
  if (p.endsWith('/api/chat') || p.endsWith('/api/generate')) return 'ollama';
  if (p.endsWith('/generate_stream') || p.endsWith('/generate')) return 'tgi';
  return undefined;
}

/** What the mirror reads from a request body; every field is optional. */
export interface BodyFacts {
  model?: string;
  /** OpenAI `user`, Anthropic `metadata.user_id`, Responses `user` / `safety_identifier`. */
  user?: string;
  system?: string;
  /** The first user message's text (or the completion prompt). */
  firstUser?: string;
  /** Requested output cap, when given. */
  maxTokens?: number;
  /** Characters of prompt text in the body (for the shadow's tokens-per-minute estimate). */
  promptChars: number;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    // Content parts: [{type: 'text', text: '...'}, ...]
    let out = '';
    for (const p of v) if (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string') out += (p as { text: string }).text;
    return out;
  }
  return undefined;
}

export function bodyFacts(body: unknown): BodyFacts {
  const facts: BodyFacts = { promptChars: 0 };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return facts;
  const b = body as Record<string, unknown>;
  if (typeof b.model === 'string') facts.model = b.model;
  const meta = b.metadata as Record<string, unknown> | undefined;
  const user = b.user ?? b.safety_identifier ?? (meta && typeof meta === 'object' ? meta.user_id : undefined);
  if (typeof user === 'string' && user !== '') facts.user = user;
  const sys = text(b.system) ?? text(b.instructions);
  if (sys !== undefined) facts.system = sys;
  const messages = Array.isArray(b.messages) ? b.messages : Array.isArray(b.input) ? b.input : undefined;
  if (messages) {
    for (const m of messages) {
      if (!m || typeof m !== 'object') continue;
      const role = (m as { role?: unknown }).role;
      const t = text((m as { content?: unknown }).content) ?? '';
      facts.promptChars += t.length;
      if ((role === 'system' || role === 'developer') && facts.system === undefined) facts.system = t;
      else if (role === 'user' && facts.firstUser === undefined) facts.firstUser = t;
    }
  }
  for (const k of ['prompt', 'inputs', 'input'] as const) {
    const t = text(b[k]);
    if (t !== undefined && typeof b[k] === 'string') {
      facts.promptChars += t.length;
      if (facts.firstUser === undefined) facts.firstUser = t;
    }
  }
  if (facts.system) facts.promptChars += facts.system.length;
  const params = b.parameters as Record<string, unknown> | undefined;
  const opts = b.options as Record<string, unknown> | undefined;
  const max = b.max_tokens ?? b.max_completion_tokens ?? b.max_output_tokens ?? params?.max_new_tokens ?? opts?.num_predict;
  if (typeof max === 'number' && Number.isFinite(max) && max > 0) facts.maxTokens = max;
  return facts;
}
