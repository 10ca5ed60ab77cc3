/**
 * A small JSON path: `$.choices[0].delta.content`, `choices.0.delta.content`, `a['b-c']`. The
 * leading `$` is optional. Parsing never throws: a malformed path is reported by `parseJsonPath`.
 */

export type PathSegment = string | number;

export function parseJsonPath(path: string): { segments: PathSegment[] } | { error: string } {
  const segs: PathSegment[] = [];
  let s = path.trim();
  if (s.startsWith('$')) s = s.slice(1);
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      i++;
      continue;
    }
    if (c === '[') {
      const close = s.indexOf(']', i);
      if (close === -1) return { error: `unclosed [ at ${i + 1} in ${JSON.stringify(path)}` };
      const inner = s.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) segs.push(Number(inner));
      else if (/^'.*'$|^".*"$/.test(inner)) segs.push(inner.slice(1, -1));
      else return { error: `bad index [${inner}] in ${JSON.stringify(path)}` };
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
    const name = s.slice(i, j);
    segs.push(/^\d+$/.test(name) ? Number(name) : name);
    i = j;
  }
  return { segments: segs };
}

export function getPath(value: unknown, segments: readonly PathSegment[]): unknown {
  let v = value;
  for (const seg of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    if (typeof seg === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[seg];
    } else {
      if (Array.isArray(v)) return undefined;
      v = (v as Record<string, unknown>)[seg];
    }
  }
  return v;
}

/** A compiled path; a malformed one matches nothing and keeps its error for diagnostics. */
export class JsonPath {
  readonly segments: PathSegment[];
  readonly error?: string;
  constructor(readonly source: string) {
    const r = parseJsonPath(source);
    if ('error' in r) {
      this.segments = [];
      this.error = r.error;
    } else {
      this.segments = r.segments;
    }
  }
  get(value: unknown): unknown {
    return this.error ? undefined : getPath(value, this.segments);
  }
}
