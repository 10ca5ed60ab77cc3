/**
 * Splits one directive line into tokens: bare words, "quoted strings" (JSON escapes) and the
 * `"""` fence marker. A `#` that starts a token begins a comment that runs to the end of the line.
 */

export interface Token {
  /** As written, quotes included. */
  raw: string;
  /** Unquoted and unescaped for strings; the same as raw for words. */
  value: string;
  quoted: boolean;
  /** 0-based character offsets on the line; end is exclusive. */
  start: number;
  end: number;
}

export interface LexError {
  start: number;
  end: number;
  message: string;
}

export interface LexedLine {
  tokens: Token[];
  /** Where the content ends: before a trailing comment, trailing whitespace removed. */
  contentEnd: number;
  errors: LexError[];
}

export function lexLine(line: string, from: number): LexedLine {
  const tokens: Token[] = [];
  const errors: LexError[] = [];
  let i = from;
  let contentEnd = from;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    const start = i;
    if (line.startsWith('"""', i)) {
      const close = line.indexOf('"""', i + 3);
      if (close >= 0) {
        i = close + 3;
        tokens.push({ raw: line.slice(start, i), value: line.slice(start + 3, close), quoted: true, start, end: i });
      } else {
        i = n;
        tokens.push({ raw: line.slice(start), value: line.slice(start + 3), quoted: true, start, end: n });
      }
    } else if (c === '"') {
      const s = readString(line, i);
      i = s.end;
      if (s.error) errors.push({ start, end: i, message: s.error });
      tokens.push({ raw: line.slice(start, i), value: s.value, quoted: true, start, end: i });
    } else {
      while (i < n && line[i] !== ' ' && line[i] !== '\t') i++;
      const raw = line.slice(start, i);
      tokens.push({ raw, value: raw, quoted: false, start, end: i });
    }
    contentEnd = i;
  }
  return { tokens, contentEnd, errors };
}

/** Reads a JSON-style string starting at the opening quote. Never throws. */
export function readString(line: string, at: number): { value: string; end: number; error?: string } {
  let i = at + 1;
  let out = '';
  while (i < line.length) {
    const c = line[i];
    if (c === '"') return { value: out, end: i + 1 };
    if (c === '\\') {
      const e = line[i + 1];
      if (e === undefined) break;
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f' };
      if (Object.hasOwn(simple, e)) {
        out += simple[e];
        i += 2;
        continue;
      }
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(line.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(line.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      return { value: out, end: Math.min(line.length, findClose(line, i + 2)), error: `unknown escape "\\${e}" in string; write \\\\ for a backslash` };
    }
    out += c;
    i++;
  }
  return { value: out, end: line.length, error: 'unclosed string; add a closing "' };
}

function findClose(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === '\\') {
      i++;
      continue;
    }
    if (line[i] === '"') return i + 1;
  }
  return line.length;
}
