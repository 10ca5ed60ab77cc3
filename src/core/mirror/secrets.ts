/**
 * Secret headers of proxied requests. The primary gets them as the client sent them; the shadow
 * gets none of them, only the configured shadow key (in the same header style the client used),
 * and every secret value seen is registered so that no file the mirror writes holds one: the
 * registry's Redactor (../results/redact) grows as new keys arrive.
 */
import { Redactor } from '../results/redact';
import { shortHash } from './sampler';

/** Header names that carry credentials (the same rule as the results redactor's). */
export const SECRET_HEADER = /authorization|key|token|secret|cookie|password/i;
const AUTH_SCHEME = /^\s*(?:bearer|basic|token|apikey|api-key|key)\s+(\S.*?)\s*$/i;
/** Query parameters that carry credentials (`?key=…`, `?api_key=…`). */
const SECRET_PARAM = /key|token|secret|signature|sig|password|auth/i;

export type HeaderMap = Record<string, string | string[] | undefined>;

export class SecretRegistry {
  private readonly values = new Set<string>();
  private current: Redactor;

  constructor(initial: Iterable<string> = []) {
    for (const v of initial) this.values.add(v);
    this.current = new Redactor(this.values);
  }

  get redactor(): Redactor {
    return this.current;
  }

  /** Registers secret values; the redactor is rebuilt only when one is new. */
  add(...values: Array<string | undefined>): void {
    let added = false;
    for (const v of values) {
      if (typeof v !== 'string' || v.length === 0 || this.values.has(v)) continue;
      this.values.add(v);
      added = true;
    }
    if (added) this.current = new Redactor(this.values);
  }

  /** Registers every credential header's value (and the token of `Bearer X`) and every credential query value. */
  fromRequest(headers: HeaderMap, path: string): void {
    for (const [name, raw] of Object.entries(headers)) {
      if (!SECRET_HEADER.test(name) || raw === undefined) continue;
      for (const v of Array.isArray(raw) ? raw : [raw]) this.add(v, AUTH_SCHEME.exec(v)?.[1]);
    }
    const q = path.indexOf('?');
    if (q >= 0) {
      for (const [k, v] of new URLSearchParams(path.slice(q + 1))) if (SECRET_PARAM.test(k)) this.add(v);
    }
  }
}

/** A hash of the request's API key (for naming conversations), or undefined when it sent none. */
export function keyHashOf(headers: HeaderMap): string | undefined {
  const raw = headers['authorization'] ?? headers['x-api-key'] ?? headers['api-key'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v ? shortHash(`key\0${v}`) : undefined;
}

/** The path with credential query values replaced, for files. */
export function publicPath(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const params = new URLSearchParams(path.slice(q + 1));
  for (const k of [...params.keys()]) if (SECRET_PARAM.test(k)) params.set(k, 'redacted');
  const s = params.toString();
  return s ? `${path.slice(0, q)}?${s}` : path.slice(0, q);
}

/**
 * The shadow's copy of the headers: every credential header dropped; the shadow key, when given,
 * set in the header the client used for its key (`x-api-key`/`api-key` as sent, else
 * `Authorization: Bearer`). Also drops credential query values from the path.
 */
export function shadowRequest(headers: HeaderMap, path: string, shadowKey: string | undefined): { headers: HeaderMap; path: string } {
  const out: HeaderMap = {};
  let keyHeader: string | undefined;
  for (const [name, v] of Object.entries(headers)) {
    if (SECRET_HEADER.test(name)) {
      if (keyHeader === undefined && (name === 'authorization' || name === 'x-api-key' || name === 'api-key')) keyHeader = name;
      continue;
    }
    out[name] = v;
  }
  if (shadowKey) {
    const h = keyHeader ?? 'authorization';
    out[h] = h === 'authorization' ? `Bearer ${shadowKey}` : shadowKey;
  }
  const q = path.indexOf('?');
  let p = path;
  if (q >= 0) {
    const params = new URLSearchParams(path.slice(q + 1));
    for (const k of [...params.keys()]) if (SECRET_PARAM.test(k)) params.delete(k);
    const s = params.toString();
    p = s ? `${path.slice(0, q)}?${s}` : path.slice(0, q);
  }
  return { headers: out, path: p };
}
