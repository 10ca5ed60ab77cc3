/**
 * Keeps known secret values out of everything a run writes or shows. A server that echoes the
 * request (an error body quoting the `Authorization` header, a model told to repeat its input)
 * sends the key back; this replaces it with REDACTED wherever it stands: a record's error message,
 * a packet's text (also a key split across several packets), the summary's error samples.
 *
 * Which values are secret (see knownSecrets): every `${secret:NAME}` value, the `key`, the values
 * of credential headers (Authorization, *key*, *token*, *secret*, Cookie; for `Bearer X` also X),
 * and `${env:NAME}` values that the scenario put into a header or the target URL. Values shorter
 * than MIN_SECRET_LENGTH (MIN_ENV_SECRET_LENGTH for `${env:…}` values outside credential headers)
 * are left alone: redacting a 3-character value would erase ordinary text from every result.
 *
 * Cost: a Redactor without secrets does nothing (`active` is false and every method returns at
 * once). With secrets, a string shorter than the shortest secret is returned as is, and a JSON line
 * is searched once per secret (String#includes) before anything is copied.
 */
import type { RunPlan } from '../scenario/plan';

export const REDACTED = '[redacted]';
export const MIN_SECRET_LENGTH = 4;
export const MIN_ENV_SECRET_LENGTH = 8;

export const CREDENTIAL_HEADER = /authorization|key|token|secret|cookie|password/i;
const AUTH_SCHEME = /^\s*(?:bearer|basic|token|apikey|api-key|key)\s+(\S.*?)\s*$/i;

export class Redactor {
  /** The values replaced, longest first, none holding another. */
  readonly secrets: readonly string[];
  /** Each secret as it stands inside a JSON string (differs from the value for `"`, `\` and control characters). */
  private readonly inJson: readonly string[];
  private readonly minLength: number;

  static readonly none = new Redactor([]);

  constructor(values: Iterable<string>) {
    const unique = [...new Set([...values].filter((v) => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
    // A value holding a shorter secret is covered by it: redacting the shorter one leaves no copy of either.
    this.secrets = unique.filter((v, i) => !unique.some((w, j) => j !== i && w.length < v.length && v.includes(w)));
    this.inJson = this.secrets.map((s) => JSON.stringify(s).slice(1, -1));
    this.minLength = this.secrets.reduce((m, s) => Math.min(m, s.length), Infinity);
  }

  get active(): boolean {
    return this.secrets.length > 0;
  }

  /** Whether `text` holds a secret. */
  has(text: string): boolean {
    if (text.length < this.minLength) return false;
    for (const s of this.secrets) if (text.includes(s)) return true;
    return false;
  }

  /** `text` with every secret replaced by REDACTED; the same string when it holds none. */
  text(text: string): string {
    if (text.length < this.minLength) return text;
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }

  /** Whether a JSON text (a serialized record, say) holds a secret, raw or escaped. */
  jsonHas(json: string): boolean {
    if (json.length < this.minLength) return false;
    for (let i = 0; i < this.secrets.length; i++) if (json.includes(this.inJson[i]!)) return true;
    return false;
  }

  /**
   * Redacts every string inside `value` (object keys too), changing objects and arrays in place;
   * returns the value (a new string when `value` is a string).
   */
  value<T>(value: T): T {
    if (!this.active) return value;
    return this.walk(value, 0) as T;
  }

  private walk(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (v === null || typeof v !== 'object' || depth > 32) return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = this.walk(v[i], depth + 1);
      return v;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const nv = this.walk(o[k], depth + 1);
      const nk = this.text(k);
      if (nk !== k) {
        delete o[k];
        o[nk] = nv;
      } else if (nv !== o[k]) o[k] = nv;
    }
    return o;
  }

  /**
   * Redacts the text of one request's packets in place, including a secret split across packets
   * (a model streams a key a few characters per packet): the packets' texts are joined, every
   * secret found in the joined text is located, and each packet's share of it becomes REDACTED
   * (so a key over three packets leaves three markers). Returns whether anything changed.
   */
  packets(packets: Array<{ text: string }>): boolean {
    if (!this.active || packets.length === 0) return false;
    if (packets.length === 1) {
      const p = packets[0]!;
      const t = this.text(p.text);
      if (t === p.text) return false;
      p.text = t;
      return true;
    }
    let joined = '';
    for (const p of packets) joined += p.text;
    if (!this.has(joined)) return false;
    // Character ranges of the joined text to hide, then each packet's part of them.
    const hide: Array<[number, number]> = [];
    for (const s of this.secrets) {
      for (let at = joined.indexOf(s); at >= 0; at = joined.indexOf(s, at + s.length)) hide.push([at, at + s.length]);
    }
    hide.sort((a, b) => a[0] - b[0]);
    let start = 0;
    let changed = false;
    for (const p of packets) {
      const end = start + p.text.length;
      let out = '';
      let pos = start;
      let touched = false;
      for (const [a, b] of hide) {
        if (b <= pos || a >= end) continue;
        const from = Math.max(a, pos);
        const to = Math.min(b, end);
        out += joined.slice(pos, from) + REDACTED;
        pos = to;
        touched = true;
      }
      if (touched) {
        p.text = out + joined.slice(pos, end);
        changed = true;
      }
      start = end;
    }
    return changed;
  }
}

/**
 * Watches a scenario being resolved and names the secret values it used: wrap the `env` and
 * `secret` sources given to loadScenario, then ask `secretsOf(plan)`.
 */
export function trackSecrets(
  env: Record<string, string | undefined>,
  secret: (name: string) => string | undefined,
): { env: Record<string, string | undefined>; secret: (name: string) => string | undefined; secretsOf(plan: RunPlan): string[] } {
  const secretValues = new Set<string>();
  const envValues = new Set<string>();
  return {
    env: new Proxy(env, {
      get(target, key) {
        const v = Reflect.get(target, key) as unknown;
        if (typeof key === 'string' && typeof v === 'string') envValues.add(v);
        return v;
      },
    }),
    secret: (name) => {
      const v = secret(name);
      if (v) secretValues.add(v);
      return v;
    },
    secretsOf: (plan) => knownSecrets(plan, secretValues, envValues),
  };
}

/** The secret values of a plan; see the file comment for the rule. */
export function knownSecrets(plan: RunPlan, secretValues: Iterable<string>, envValues: Iterable<string> = []): string[] {
  const out = new Set<string>();
  const add = (v: string | undefined, min = MIN_SECRET_LENGTH): void => {
    if (v && v.length >= min) out.add(v);
  };
  for (const v of secretValues) add(v);
  add(plan.key);
  const headerValues = Object.entries(plan.headers ?? {});
  for (const [name, value] of headerValues) {
    if (!CREDENTIAL_HEADER.test(name)) continue;
    add(value);
    add(AUTH_SCHEME.exec(value)?.[1]);
  }
  const places = headerValues.map(([, v]) => v);
  if (plan.target.kind === 'url') places.push(plan.target.url);
  for (const v of envValues) if (v.length >= MIN_ENV_SECRET_LENGTH && places.some((p) => p.includes(v))) add(v, MIN_ENV_SECRET_LENGTH);
  return [...out];
}
