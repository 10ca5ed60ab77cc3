/**
 * The one interface every API adapter implements: build the HTTP request for a prompt, and create
 * an incremental decoder that turns the response bytes into typed packets in a StreamRecord.
 */
import type { ApiKind, PromptPlan, RunPlan } from '../scenario/plan';
import type { StreamRecord } from './stream-record';

export type AdapterPlan = Pick<RunPlan, 'api' | 'model' | 'headers' | 'key'>;

export interface HttpRequestSpec {
  /** Absolute URL. */
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  /** Serialized body, built before the request's clock starts. */
  body: string;
}

export interface DecoderContext {
  /** The response's content-type header, lower-cased ('' when absent). */
  contentType: string;
}

export interface StreamDecoder {
  readonly record: StreamRecord;
  /**
   * Feeds the bytes of one read; `t_ms` was taken when they arrived, before this call. `chunk` is
   * lent for the call (it may be a view of a read buffer the connection reuses): a decoder copies
   * any bytes it keeps.
   */
  push(chunk: Uint8Array, t_ms: number): void;
  /** The body ended; flushes what is buffered. Does not classify a missing done marker. */
  end(t_ms: number): void;
}

export interface ProtocolAdapter {
  readonly api: ApiKind;
  buildRequest(prompt: PromptPlan): HttpRequestSpec;
  createDecoder(ctx: DecoderContext): StreamDecoder;
}

/** Joins the scenario's base URL and an endpoint path, unless the URL already ends with that path. */
export function endpointUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  const suffix = path.startsWith('/') ? path : `/${path}`;
  let pathname = base;
  try {
    pathname = new URL(base).pathname.replace(/\/+$/, '');
  } catch {
    // Not an absolute URL: the HTTP client reports it.
  }
  return pathname.endsWith(suffix) ? base : base + suffix;
}

/** An API key sent as `authorization: Bearer KEY`, the way most APIs take it. */
export const bearerKey = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/**
 * A request's headers: the API's own (`own`), the key when the plan has one (as `keyHeaders`
 * spells it), then the scenario's headers, lower-cased, which may override either.
 */
export function requestHeaders(plan: AdapterPlan, own: Record<string, string>, keyHeaders: ((key: string) => Record<string, string>) | undefined = bearerKey): Record<string, string> {
  const h: Record<string, string> = { ...own };
  if (keyHeaders && plan.key) Object.assign(h, keyHeaders(plan.key));
  for (const [k, v] of Object.entries(plan.headers ?? {})) h[k.toLowerCase()] = v;
  return h;
}

/** content-type JSON, accept SSE, a bearer key when set, then the scenario's headers (which may override). */
export function jsonSseHeaders(plan: AdapterPlan, auth: 'bearer' | 'none' = 'bearer'): Record<string, string> {
  return requestHeaders(plan, { 'content-type': 'application/json', accept: 'text/event-stream' }, auth === 'bearer' ? bearerKey : undefined);
}

/** JSON.parse that returns undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/** Message of an API error object: `{error: {message}}`, `{error: "..."}`, `{message}`. */
export function errorMessage(err: unknown): string {
  if (typeof err === 'string') return err;
  if (isObject(err)) {
    if (typeof err.message === 'string') return err.message;
    if (isObject(err.error) || typeof err.error === 'string') return errorMessage(err.error);
  }
  const s = JSON.stringify(err);
  return s === undefined ? String(err) : s.slice(0, 500);
}

/** First non-whitespace byte of a chunk, or -1. */
export function firstSignificantByte(chunk: Uint8Array): number {
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf) return b;
  }
  return -1;
}
