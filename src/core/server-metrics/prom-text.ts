/**
 * A small strict parser of the Prometheus text exposition format (version 0.0.4, and the parts of
 * OpenMetrics a server may send with it: `# EOF`, `# UNIT`). Every line is a sample, a `# HELP` /
 * `# TYPE` comment, another comment, or blank; anything else (an HTML error page, JSON, a cut line)
 * is an error naming the line, so a scrape that returns garbage is recorded as failed rather than
 * read as numbers. Values keep NaN and ±Inf; label values and HELP text are unescaped.
 *
 * Why not an npm parser: `parse-prometheus-text-format` (the maintained one) drops the labels and
 * the _sum/_count of histograms and reads `<html>not found</html>` as a metric named `<html>not`.
 */

export type PromType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | 'gaugehistogram' | 'info' | 'stateset' | 'unknown';

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'gaugehistogram', 'info', 'stateset', 'unknown']);

export interface PromSample {
  /** The sample's own name, e.g. `vllm:e2e_request_latency_seconds_bucket`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The optional timestamp after the value, ms since the epoch. */
  timestamp_ms?: number;
}

export interface PromExposition {
  samples: PromSample[];
  /** `# TYPE` per metric family name. */
  types: Record<string, PromType>;
  /** `# HELP` per metric family name, unescaped. */
  help: Record<string, string>;
}

export class PromParseError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
    readonly text: string,
  ) {
    super(`line ${line}: ${detail}: ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}`);
    this.name = 'PromParseError';
  }
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;

/** A float as the format writes it: Go's ParseFloat syntax plus NaN, +Inf, -Inf, Inf. */
export function parsePromValue(s: string): number | undefined {
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
    case '+inf':
    case 'inf':
      return Infinity;
    case '-Inf':
    case '-inf':
      return -Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isNaN(v) ? undefined : v;
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Parses one exposition; throws PromParseError at the first line that is not the format. */
export function parsePrometheusText(text: string): PromExposition {
  const out: PromExposition = { samples: [], types: {}, help: {} };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE|UNIT|EOF)\b\s*(.*)$/.exec(line);
      if (!m) continue; // a plain comment
      const [, kw, rest] = m as unknown as [string, string, string];
      if (kw === 'EOF') break;
      const sp = rest.search(/\s/);
      const name = sp < 0 ? rest : rest.slice(0, sp);
      const arg = sp < 0 ? '' : rest.slice(sp + 1).trim();
      if (!isMetricName(name)) throw new PromParseError(lineNo, `# ${kw} needs a metric name`, raw);
      if (kw === 'HELP') out.help[name] = unescapeHelp(arg);
      else if (kw === 'TYPE') {
        const t = arg.toLowerCase();
        if (!TYPES.has(t)) throw new PromParseError(lineNo, `unknown metric type ${JSON.stringify(arg)}`, raw);
        if (out.types[name] !== undefined) throw new PromParseError(lineNo, `second # TYPE for ${name}`, raw);
        out.types[name] = t as PromType;
      }
      continue;
    }
    out.samples.push(parseSampleLine(line, lineNo, raw));
  }
  return out;
}

function isMetricName(s: string): boolean {
  if (s.length === 0 || !NAME_START.test(s[0]!)) return false;
  for (let i = 1; i < s.length; i++) if (!NAME_CHAR.test(s[i]!)) return false;
  return true;
}

function parseSampleLine(line: string, lineNo: number, raw: string): PromSample {
  let i = 0;
  if (!NAME_START.test(line[0]!)) throw new PromParseError(lineNo, 'not a metric sample', raw);
  while (i < line.length && NAME_CHAR.test(line[i]!)) i++;
  const name = line.slice(0, i);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      if (i >= line.length || !LABEL_START.test(line[i]!)) throw new PromParseError(lineNo, 'expected a label name or }', raw);
      const ls = i;
      while (i < line.length && LABEL_CHAR.test(line[i]!)) i++;
      const label = line.slice(ls, i);
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '=') throw new PromParseError(lineNo, `expected = after label ${label}`, raw);
      i++;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '"') throw new PromParseError(lineNo, `expected a quoted value for label ${label}`, raw);
      i++;
      let value = '';
      for (;;) {
        if (i >= line.length) throw new PromParseError(lineNo, `unterminated value of label ${label}`, raw);
        const c = line[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          const n = line[i + 1];
          if (n === 'n') value += '\n';
          else if (n === '\\') value += '\\';
          else if (n === '"') value += '"';
          else throw new PromParseError(lineNo, `bad escape \\${n ?? ''} in label ${label}`, raw);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      if (Object.prototype.hasOwnProperty.call(labels, label)) throw new PromParseError(lineNo, `label ${label} given twice`, raw);
      labels[label] = value;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] === '}') {
        i++;
        break;
      }
      throw new PromParseError(lineNo, 'expected , or } after a label', raw);
    }
  }
  if (line[i] !== ' ' && line[i] !== '\t') throw new PromParseError(lineNo, 'expected a space before the value', raw);
  const fields = line.slice(i).trim().split(/[ \t]+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === '') throw new PromParseError(lineNo, 'expected a value and an optional timestamp', raw);
  const value = parsePromValue(fields[0]!);
  if (value === undefined) throw new PromParseError(lineNo, `value ${JSON.stringify(fields[0])} is not a number`, raw);
  const sample: PromSample = { name, labels, value };
  if (fields.length === 2) {
    const ts = Number(fields[1]);
    if (!/^-?\d+(\.\d+)?$/.test(fields[1]!) || !Number.isFinite(ts)) throw new PromParseError(lineNo, `timestamp ${JSON.stringify(fields[1])} is not a number`, raw);
    sample.timestamp_ms = ts;
  }
  return sample;
}

/** The family a sample belongs to: its name without `_bucket`/`_sum`/`_count`/`_total`/`_created` when the family is declared that way. */
export function familyOf(name: string, types: Record<string, PromType>): string {
  if (types[name] !== undefined) return name;
  for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created', '_gsum', '_gcount']) {
    if (name.endsWith(suffix) && types[name.slice(0, -suffix.length)] !== undefined) return name.slice(0, -suffix.length);
  }
  return name;
}
