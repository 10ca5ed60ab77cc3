/**
 * Reads the parts of a scenario line for the block modules: diagnostics, ranges of tokens and
 * lines, text values (with their ${...} and {{...}} references), text blocks, and quantities with
 * units. ParseCore (parse-core.ts) adds recovery from unknown lines on top.
 */
import type { Diagnostic, Range } from './diagnostics';
import { Source } from './source';
import type { RawLine, TextPiece } from './structure';
import type { Token } from './lexer';
import * as U from './units';
import { closest, listOf } from './suggest';
import { findFieldRefs, findVariableRefs } from './variables';
import type { Quantity, TextValue, Word } from './tree';

/** Words that may follow a number without being its unit. */
const FOLLOWERS: ReadonlySet<string> = new Set(['poisson', 'uniform', 'requests', 'request', 'users', 'user', 'every', 'for', 'over', 'speed', 'tokens', 'token', 'weight']);

export type Kind = 'duration' | 'tokens' | 'rate' | 'integer' | 'decimal' | 'percent' | 'speed' | 'token_rate';

export class LineReader {
  readonly src: Source;
  readonly diags: Diagnostic[] = [];
  errors = 0;

  constructor(readonly text: string) {
    this.src = new Source(text);
  }

  // ---- diagnostics and ranges -------------------------------------------------------------

  error(range: Range, message: string, fix?: Diagnostic['fix']): void {
    this.errors++;
    this.diags.push(fix ? { severity: 'error', range, message, fix } : { severity: 'error', range, message });
  }

  warning(range: Range, message: string): void {
    this.diags.push({ severity: 'warning', range, message });
  }

  tokR(rl: RawLine, t: Token): Range {
    return this.src.span(rl.line, t.start, t.end);
  }

  tokensR(rl: RawLine, from: number, to = rl.lex.tokens.length - 1): Range {
    const ts = rl.lex.tokens;
    return this.src.span(rl.line, ts[from].start, ts[Math.min(to, ts.length - 1)].end);
  }

  /** The directive's own line, indentation and trailing comment excluded. */
  lineR(rl: RawLine): Range {
    return this.src.span(rl.line, rl.indent, rl.lex.contentEnd);
  }

  /** The directive with its block. */
  nodeR(rl: RawLine): Range {
    return this.src.between(rl.line, rl.indent, rl.endLine, rl.endChar);
  }

  word(rl: RawLine, t: Token): Word {
    return { text: t.value, range: this.tokR(rl, t) };
  }

  base(rl: RawLine): { range: Range; keyword: Word } {
    return { range: this.nodeR(rl), keyword: this.word(rl, rl.lex.tokens[0]) };
  }

  misindented(rl: RawLine): void {
    this.error(this.lineR(rl), 'indentation does not match the lines above; line this up with them');
  }

  /** Reports a lexer error (unclosed string); true when the line is clean. */
  lexOk(rl: RawLine): boolean {
    const e = rl.lex.errors[0];
    if (!e) return true;
    this.error(this.src.span(rl.line, e.start, e.end), e.message);
    return false;
  }

  /** A directive that takes no block but has indented lines under it. */
  noBlock(rl: RawLine): void {
    const c = rl.children[0];
    if (!c) return;
    const kw = rl.lex.tokens[0].value;
    this.error(this.lineR(c), `unexpected indentation: "${kw}" does not take an indented block; move this line left`);
  }

  /** Words left over after a directive's arguments. */
  extra(rl: RawLine, from: number, usage: string, candidates?: readonly string[]): boolean {
    const ts = rl.lex.tokens;
    if (ts.length <= from) return false;
    const near = candidates ? closest(ts[from].value, candidates) : undefined;
    if (near) {
      const r = this.tokR(rl, ts[from]);
      this.error(r, `unexpected "${ts[from].raw}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
    } else {
      this.error(this.tokensR(rl, from), `unexpected "${ts[from].raw}"; write ${usage}`);
    }
    return true;
  }

  missing(rl: RawLine, message: string): void {
    this.error(this.lineR(rl), message);
  }

  /** Reports `word`, unknown as a `what`: "did you mean" with a fix when one of `choices` is near, else the list. */
  unknownWord(r: Range, what: string, word: string, choices: readonly string[]): void {
    const near = closest(word, choices);
    if (near) this.error(r, `unknown ${what} "${word}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
    else this.error(r, `unknown ${what} "${word}"; expected ${listOf(choices)}`);
  }

  /** True when token `t` is one of `choices`; else reports it as an unknown `what`. */
  known(rl: RawLine, t: Token, what: string, choices: readonly string[]): boolean {
    if (choices.includes(t.value)) return true;
    this.unknownWord(this.tokR(rl, t), what, t.value, choices);
    return false;
  }

  /** `KW WORD` with WORD one of two `words` (`length fails`, `keep_alive off`): the word, or undefined after reporting what is wrong. */
  choice(rl: RawLine, words: readonly [string, string], usage: string): string | undefined {
    const ts = rl.lex.tokens;
    if (!ts[1]) {
      this.missing(rl, `${ts[0].value} needs ${words[0]} or ${words[1]}; write ${usage}`);
      return undefined;
    }
    if (ts[1].quoted || !words.includes(ts[1].value)) {
      this.extra(rl, 1, usage, words);
      return undefined;
    }
    return this.extra(rl, 2, usage) ? undefined : ts[1].value;
  }

  // ---- values ------------------------------------------------------------------------------

  /** A value written as a token sequence from `from`: one quoted string, or the rest of the line. */
  rest(rl: RawLine, from: number): TextValue | undefined {
    const ts = rl.lex.tokens;
    if (ts.length <= from) return undefined;
    const line = this.src.line(rl.line);
    if (ts.length === from + 1 && ts[from].quoted && !ts[from].raw.startsWith('"""')) {
      return this.textValue(rl.line, ts[from].start, ts[from].end, ts[from].value, true);
    }
    const start = ts[from].start;
    const end = rl.lex.contentEnd;
    return this.textValue(rl.line, start, end, line.slice(start, end), false);
  }

  one(rl: RawLine, t: Token): TextValue {
    return this.textValue(rl.line, t.start, t.end, t.value, t.quoted);
  }

  /** Builds a TextValue and reports malformed `${...}` inside it; the source slice gives positions. */
  textValue(line: number, start: number, end: number, text: string, quoted: boolean): TextValue {
    const raw = this.src.line(line).slice(start, end);
    const value: TextValue = { text, range: this.src.span(line, start, end), quoted, refs: [], fields: [] };
    if (raw.includes('${')) {
      const { refs, errors } = findVariableRefs(raw);
      for (const e of errors) this.error(this.src.span(line, start + e.start, start + e.end), e.message);
      value.refs = refs.map((r) => ({ namespace: r.namespace, name: r.name, range: this.src.span(line, start + r.start, start + r.end) }));
    }
    if (raw.includes('{{')) value.fields = findFieldRefs(raw).map((f) => ({ name: f.name, range: this.src.span(line, start + f.start, start + f.end) }));
    return value;
  }

  /** Joins text block lines, removing their common indentation and blank lines at both ends. */
  blockValue(pieces: TextPiece[]): TextValue | undefined {
    const useful = pieces.filter((p) => p.text.trim() !== '');
    if (useful.length === 0) return undefined;
    let strip = Infinity;
    for (const p of useful) {
      if (p.start !== 0) continue;
      let k = 0;
      while (k < p.text.length && (p.text[k] === ' ' || p.text[k] === '\t')) k++;
      strip = Math.min(strip, k);
    }
    if (!Number.isFinite(strip)) strip = 0;
    const first = pieces.findIndex((p) => p.text.trim() !== '');
    let last = pieces.length - 1;
    while (pieces[last].text.trim() === '') last--;
    const lines: string[] = [];
    const value: TextValue = { text: '', range: this.src.origin, quoted: false, refs: [], fields: [] };
    for (let k = first; k <= last; k++) {
      const p = pieces[k];
      const cut = p.start === 0 ? Math.min(strip, p.text.length) : p.text.length - p.text.trimStart().length;
      const body = p.text.slice(cut).replace(/[ \t]+$/, '');
      lines.push(p.text.trim() === '' ? '' : body);
      if (body !== '') {
        const tv = this.textValue(p.line, p.start + cut, p.start + cut + body.length, body, false);
        value.refs.push(...tv.refs);
        value.fields.push(...tv.fields);
      }
    }
    const a = pieces[first];
    const b = pieces[last];
    const aCut = a.start === 0 ? Math.min(strip, a.text.length) : a.text.length - a.text.trimStart().length;
    value.text = lines.join('\n');
    value.range = this.src.between(a.line, a.start + aCut, b.line, b.start + b.text.trimEnd().length);
    return value;
  }

  /**
   * Reads a value of the given kind at token `i`. A bare number followed by its unit as a separate
   * word (`2 rps`, `10 s`) is read as one value. Returns the quantity and the next token index.
   */
  quantity(rl: RawLine, i: number, kind: Kind, what: string, hint?: string): { q?: Quantity; next: number } {
    const ts = rl.lex.tokens;
    const t = ts[i];
    if (!t) {
      this.missing(rl, `${what} is missing; ${hint ?? example(kind, what)}`);
      return { next: i };
    }
    if (!t.quoted && FOLLOWERS.has(t.value)) {
      this.error(this.tokR(rl, t), `${what} is missing before "${t.value}"; ${hint ?? example(kind, what)}`);
      return { next: i };
    }
    let text = t.value;
    let end = t.end;
    let next = i + 1;
    const u = ts[i + 1];
    if (u && U.isNumber(t.value)) {
      const joins =
        (kind === 'duration' && U.DURATION_UNIT_WORDS.includes(u.value)) ||
        (kind === 'rate' && U.RATE_UNIT_WORDS.includes(u.value)) ||
        (kind === 'token_rate' && ['/s', 'tok/s', 'tokens/s'].includes(u.value)) ||
        (kind === 'percent' && u.value === '%') ||
        (kind === 'speed' && u.value === 'x');
      // `10 sec`, `240 pqm`: a word after a bare number that is no keyword is a unit, misspelled.
      const attempt = (kind === 'duration' || kind === 'rate' || kind === 'token_rate') && /^[A-Za-z/%]+$/.test(u.value) && !FOLLOWERS.has(u.value);
      if (joins || attempt) {
        text = t.value + u.value;
        end = u.end;
        next = i + 2;
      }
    }
    const range = this.src.span(rl.line, t.start, end);
    const parsed = parseKind(kind, text, what);
    if (!parsed.ok) {
      const written = this.src.line(rl.line).slice(t.start, end);
      this.error(range, parsed.message.split(`"${text}"`).join(`"${written}"`));
      return { next };
    }
    return { q: { value: parsed.value, text: this.src.line(rl.line).slice(t.start, end), range }, next };
  }

  /** A quantity that must lie in [min, max]. */
  bounded(q: Quantity | undefined, what: string, min: number, max = Infinity, minText = String(min)): Quantity | undefined {
    if (!q) return undefined;
    if (q.value < min || q.value > max) {
      const msg = max === Infinity ? `${what} must be at least ${minText}, got ${q.text}` : `${what} must be between ${minText} and ${max}, got ${q.text}`;
      this.error(q.range, msg);
      return undefined;
    }
    return q;
  }

  positive(q: Quantity | undefined, what: string): Quantity | undefined {
    if (!q) return undefined;
    if (q.value <= 0) {
      this.error(q.range, `${what} must be above 0, got ${q.text}`);
      return undefined;
    }
    return q;
  }

  /** An optional unit word such as `users` after a number. */
  unitWord(rl: RawLine, i: number, words: readonly string[]): number {
    const t = rl.lex.tokens[i];
    return t && words.includes(t.value) ? i + 1 : i;
  }

  /** The directive word of a line; '' when the line starts with a quoted string. */
  kw(rl: RawLine): string {
    const t = rl.lex.tokens[0];
    return t.quoted ? '' : t.value;
  }

}

function parseKind(kind: Kind, text: string, what: string): U.Parsed<number> {
  switch (kind) {
    case 'duration':
      return U.parseDuration(text);
    case 'tokens':
      return U.parseTokenCount(text);
    case 'rate':
      return U.parseRate(text);
    case 'integer':
      return U.parseInteger(text, what);
    case 'decimal':
      return U.parseDecimal(text, what);
    case 'percent':
      return U.parsePercent(text);
    case 'speed':
      return U.parseSpeed(text);
    case 'token_rate':
      return U.parseTokenRate(text);
  }
}

export function example(kind: Kind, what: string): string {
  switch (kind) {
    case 'duration':
      return 'write a duration like 10s or 500ms';
    case 'tokens':
      return 'write a token count like 256 or 4k';
    case 'rate':
      return 'write a rate like 2 rps or 120 qpm';
    case 'percent':
      return 'write a percentage like 5%';
    case 'speed':
      return 'write a speed like 2x';
    case 'token_rate':
      return 'write a token rate like 20/s';
    default:
      return `write a number for ${what}`;
  }
}
