/**
 * One small GET for the checks before a run (readiness, the server's published limits): a bounded
 * time, a bounded body, never a redirect off the target, and never a rejection — a failure is a
 * result that says what happened. Loopback or the user's own target only; never the load path.
 */
import { endpointUrl } from '../protocols/adapter';
import { ANTHROPIC_VERSION } from '../protocols/anthropic';
import type { ApiKind } from '../scenario/plan';

export interface ProbeResult {
  /** The URL's path, as messages show it (`/health`, `/v1/models`). */
  path: string;
  /** HTTP status, or null when no response came (refused, reset, timed out). */
  status: number | null;
  /** The body, cut at PROBE_BODY_LIMIT bytes; '' without a response. */
  body: string;
  /** Why no response came (`connection refused`, `no answer within 5000 ms`). */
  error?: string;
}

/** Bodies of these checks are small JSON objects; anything longer is cut. */
export const PROBE_BODY_LIMIT = 256 * 1024;

/** ProbeResult.error when nothing listens on the port. */
export const REFUSED = 'connection refused';

function describe(e: unknown, timeout_ms: number): string {
  const err = e as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeout_ms} ms`;
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED') return REFUSED;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'ENOTFOUND') return 'host not found';
  return err.cause?.message ?? err.message ?? String(e);
}

export async function probeGet(url: string, headers: Record<string, string>, timeout_ms = 5000): Promise<ProbeResult> {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    return { path, status: null, body: '', error: 'not a URL' };
  }
  const signal = AbortSignal.timeout(timeout_ms);
  try {
    const res = await fetch(url, { method: 'GET', headers, redirect: 'manual', signal });
    let body = '';
    if (res.body) {
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        body += decoder.decode(value, { stream: true });
        if (size >= PROBE_BODY_LIMIT) {
          await reader.cancel().catch(() => undefined);
          break;
        }
      }
    }
    return { path, status: res.status, body: body.slice(0, PROBE_BODY_LIMIT) };
  } catch (e) {
    return { path, status: null, body: '', error: describe(e, timeout_ms) };
  }
}

/**
 * The server's root: the base URL without a trailing `/v1` (`http://h:8000/v1` -> `http://h:8000`),
 * where llama.cpp, vLLM, SGLang and TGI serve `/health`, `/props` and `/info`.
 */
export function serverRoot(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  try {
    const u = new URL(base);
    u.pathname = u.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return base;
  }
}

/** `/models` next to the API's endpoints (`…/v1/models`): where OpenAI-compatible servers list their models. */
export function modelsUrl(baseUrl: string): string {
  return endpointUrl(baseUrl, '/models');
}

/** Headers a probe sends: the scenario's own headers and key, as the API's requests carry them (no body headers). */
export function probeHeaders(api: ApiKind, headers: Record<string, string>, key: string | undefined): Record<string, string> {
  const out: Record<string, string> = { accept: 'application/json' };
  if (key) {
    if (api === 'anthropic') {
      out['x-api-key'] = key;
      out['anthropic-version'] = ANTHROPIC_VERSION;
    } else out.authorization = `Bearer ${key}`;
  }
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** A short reason from an error body: `{"error":{"message":"Loading model"}}` -> `Loading model`. */
export function bodyReason(body: string): string {
  const text = body.trim();
  if (text === '') return '';
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      const err = o.error;
      if (typeof err === 'string') return err;
      if (typeof err === 'object' && err !== null && typeof (err as Record<string, unknown>).message === 'string') return (err as Record<string, string>).message!;
      if (typeof o.message === 'string') return o.message;
      if (typeof o.status === 'string') return o.status;
    }
  } catch {
    // not JSON: the first line of the text
  }
  const line = text.split('\n')[0]!;
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
