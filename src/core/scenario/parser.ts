/**
 * The second parsing pass: turns the indentation blocks of structure.ts into the typed syntax tree
 * of tree.ts and reports every mistake as a diagnostic with a range and a message that says what to
 * write instead. Each line is checked on its own, so one mistake gives one diagnostic; a line that
 * does not parse keeps its node (with the value left undefined) and its indented block is skipped.
 */
import { PROFILES, resolveProfile } from '../sim/profiles';
import type { Diagnostic, Range } from './diagnostics';
import { Source } from './source';
import { buildStructure, type RawLine, type TextPiece } from './structure';
import type { Token } from './lexer';
import * as U from './units';
import { closest, listOf } from './suggest';
import { findFieldRefs, findVariableRefs } from './variables';
import {
  API_KINDS,
  CONTEXT_KEYWORDS,
  DATASET_FORMATS,
  LOAD_SHAPES,
  MAPPING_PATHS,
  METRICS,
  STATS,
  TEMPLATE_PLACEHOLDERS,
  THINK_TAG_MODES,
  contextsOf,
  type Context,
} from './keywords';
import { JsonPath } from '../protocols/json-path';
import { parseServerFigure, parseServerValue } from '../server-metrics/expect';
import { GRADER_NAMES } from '../grade/names';
import type { ApiKind, Comparison, Metric, Role, Stat } from './plan';
import type {
  AnswerNode,
  ApiBlockChild,
  ApiBlockNode,
  BodyNode,
  BucketsNode,
  DatasetChild,
  DatasetFormat,
  DatasetNode,
  ExpectLineNode,
  ExpectNode,
  GradeOptionNode,
  LoadChild,
  LoadNode,
  LengthNode,
  BackoffNode,
  KeepAliveNode,
  ServerMetricsNode,
  LoadShape,
  MappingLineName,
  MappingLineNode,
  PromptChild,
  PromptNode,
  Quantity,
  ScenarioTree,
  SettingName,
  SettingNode,
  StageNode,
  StepLineNode,
  StopNode,
  StopSequencesNode,
  TextValue,
  ThinkTagsNode,
  TimeoutNode,
  TokenSpanNode,
  TopNode,
  TraceNode,
  TurnNode,
  UnknownNode,
  WarmupNode,
  Word,
} from './tree';

export function parseScenario(text: string, file?: string): { tree: ScenarioTree; diagnostics: Diagnostic[] } {
  const safe = typeof text === 'string' ? text : '';
  try {
    return new Parser(safe, file).run();
  } catch (e) {
    // The parser is written not to throw; this is the last line of defence.
    const src = new Source(safe);
    const diagnostics: Diagnostic[] = [
      { severity: 'error', range: src.origin, message: `internal parser error: ${e instanceof Error ? e.message : String(e)}` },
    ];
    const tree: ScenarioTree = { kind: 'file', file, text: safe, range: src.between(0, 0, src.lineCount - 1, src.line(src.lineCount - 1).length), statements: [], errorCount: 1 };
    return { tree, diagnostics };
  }
}

const CONTEXT_NAMES: Record<Context, string> = {
  top: 'the top level',
  prompt: 'a prompt block',
  jsonl: 'a dataset jsonl block',
  sharegpt: 'a dataset sharegpt block',
  synthetic: 'a dataset synthetic block',
  math500: 'a dataset math500 block',
  arithmetic: 'a dataset arithmetic block',
  step: 'a load step block',
  stages: 'a load stages block',
  expect: 'an expect block',
  sse: 'an sse block',
  websocket: 'a websocket block',
};

const BLOCK_NAMES: Record<Context, string> = {
  top: 'the top level',
  prompt: 'a prompt block',
  jsonl: 'a dataset block',
  sharegpt: 'a dataset block',
  synthetic: 'a dataset block',
  math500: 'a dataset block',
  arithmetic: 'a dataset block',
  step: 'a load step block',
  stages: 'a load stages block',
  expect: 'an expect block',
  sse: 'an sse block',
  websocket: 'a websocket block',
};

/** Words that may follow a number without being its unit. */
const FOLLOWERS: ReadonlySet<string> = new Set(['poisson', 'uniform', 'requests', 'request', 'users', 'user', 'every', 'for', 'over', 'speed', 'tokens', 'token', 'weight']);

const USERS_WORDS = ['users', 'user'];

type Kind = 'duration' | 'tokens' | 'rate' | 'integer' | 'decimal' | 'percent' | 'speed' | 'token_rate';

class Parser {
  private readonly src: Source;
  private readonly diags: Diagnostic[] = [];
  private errors = 0;
  /** Line of the last unknown line, and the last line of its block, for reporting a run once. */
  private lastUnknown = -2;
  private lastUnknownEnd = -2;

  constructor(
    private readonly text: string,
    private readonly file?: string,
  ) {
    this.src = new Source(text);
  }

  run(): { tree: ScenarioTree; diagnostics: Diagnostic[] } {
    const raw = buildStructure(this.src);
    const statements: TopNode[] = [];
    for (const rl of raw) {
      if (rl.misindented) {
        if (rl.indent > 0) this.error(this.lineR(rl), 'unexpected indentation: top-level directives start at the first column');
        else this.misindented(rl);
      }
      statements.push(this.top(rl));
    }
    const last = this.src.lineCount - 1;
    const tree: ScenarioTree = {
      kind: 'file',
      file: this.file,
      text: this.text,
      range: this.src.between(0, 0, last, this.src.line(last).length),
      statements,
      errorCount: this.errors,
    };
    return { tree, diagnostics: this.diags };
  }

  // ---- diagnostics and ranges -------------------------------------------------------------

  private error(range: Range, message: string, fix?: Diagnostic['fix']): void {
    this.errors++;
    this.diags.push(fix ? { severity: 'error', range, message, fix } : { severity: 'error', range, message });
  }

  private warning(range: Range, message: string): void {
    this.diags.push({ severity: 'warning', range, message });
  }

  private tokR(rl: RawLine, t: Token): Range {
    return this.src.span(rl.line, t.start, t.end);
  }

  private tokensR(rl: RawLine, from: number, to = rl.lex.tokens.length - 1): Range {
    const ts = rl.lex.tokens;
    return this.src.span(rl.line, ts[from].start, ts[Math.min(to, ts.length - 1)].end);
  }

  /** The directive's own line, indentation and trailing comment excluded. */
  private lineR(rl: RawLine): Range {
    return this.src.span(rl.line, rl.indent, rl.lex.contentEnd);
  }

  /** The directive with its block. */
  private nodeR(rl: RawLine): Range {
    return this.src.between(rl.line, rl.indent, rl.endLine, rl.endChar);
  }

  private word(rl: RawLine, t: Token): Word {
    return { text: t.value, range: this.tokR(rl, t) };
  }

  private base(rl: RawLine): { range: Range; keyword: Word } {
    return { range: this.nodeR(rl), keyword: this.word(rl, rl.lex.tokens[0]) };
  }

  private misindented(rl: RawLine): void {
    this.error(this.lineR(rl), 'indentation does not match the lines above; line this up with them');
  }

  /** Reports a lexer error (unclosed string); true when the line is clean. */
  private lexOk(rl: RawLine): boolean {
    const e = rl.lex.errors[0];
    if (!e) return true;
    this.error(this.src.span(rl.line, e.start, e.end), e.message);
    return false;
  }

  /** A directive that takes no block but has indented lines under it. */
  private noBlock(rl: RawLine): void {
    const c = rl.children[0];
    if (!c) return;
    const kw = rl.lex.tokens[0].value;
    this.error(this.lineR(c), `unexpected indentation: "${kw}" does not take an indented block; move this line left`);
  }

  /** Words left over after a directive's arguments. */
  private extra(rl: RawLine, from: number, usage: string, candidates?: readonly string[]): boolean {
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

  private missing(rl: RawLine, message: string): void {
    this.error(this.lineR(rl), message);
  }

  // ---- values ------------------------------------------------------------------------------

  /** A value written as a token sequence from `from`: one quoted string, or the rest of the line. */
  private rest(rl: RawLine, from: number): TextValue | undefined {
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

  private one(rl: RawLine, t: Token): TextValue {
    return this.textValue(rl.line, t.start, t.end, t.value, t.quoted);
  }

  /** Builds a TextValue and reports malformed `${...}` inside it; the source slice gives positions. */
  private textValue(line: number, start: number, end: number, text: string, quoted: boolean): TextValue {
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
  private blockValue(pieces: TextPiece[]): TextValue | undefined {
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
  private quantity(rl: RawLine, i: number, kind: Kind, what: string, hint?: string): { q?: Quantity; next: number } {
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
  private bounded(q: Quantity | undefined, what: string, min: number, max = Infinity, minText = String(min)): Quantity | undefined {
    if (!q) return undefined;
    if (q.value < min || q.value > max) {
      const msg = max === Infinity ? `${what} must be at least ${minText}, got ${q.text}` : `${what} must be between ${minText} and ${max}, got ${q.text}`;
      this.error(q.range, msg);
      return undefined;
    }
    return q;
  }

  private positive(q: Quantity | undefined, what: string): Quantity | undefined {
    if (!q) return undefined;
    if (q.value <= 0) {
      this.error(q.range, `${what} must be above 0, got ${q.text}`);
      return undefined;
    }
    return q;
  }

  /** An optional unit word such as `users` after a number. */
  private unitWord(rl: RawLine, i: number, words: readonly string[]): number {
    const t = rl.lex.tokens[i];
    return t && words.includes(t.value) ? i + 1 : i;
  }

  /** True when the line follows a run of unknown lines, whose indentation it need not match. */
  private afterUnknownRun(rl: RawLine): boolean {
    return this.lastUnknownEnd >= rl.line - 1 && this.lastUnknownEnd >= 0;
  }

  /** The directive word of a line; '' when the line starts with a quoted string. */
  private kw(rl: RawLine): string {
    const t = rl.lex.tokens[0];
    return t.quoted ? '' : t.value;
  }

  // ---- unknown and misplaced lines ---------------------------------------------------------

  private unknown(rl: RawLine, ctx: Context): UnknownNode {
    const node: UnknownNode = { kind: 'unknown', ...this.base(rl) };
    // A run of unknown lines (say, the block of a deleted header) is reported at its first line.
    if (this.lastUnknown === rl.line - 1 || this.lastUnknownEnd >= rl.line - 1) {
      this.lastUnknown = rl.line;
      this.lastUnknownEnd = Math.max(this.lastUnknownEnd, rl.endLine);
      return node;
    }
    this.lastUnknown = rl.line;
    this.lastUnknownEnd = rl.endLine;
    const kwTok = rl.lex.tokens[0];
    const kw = kwTok.value;
    const r = this.tokR(rl, kwTok);
    const where = ctx === 'top' ? '' : ` in ${CONTEXT_NAMES[ctx]}`;
    const elsewhere = kwTok.quoted ? [] : contextsOf(kw, ctx);
    if (!kwTok.quoted && ctx !== 'expect' && Object.hasOwn(METRICS, kw) && /^[A-Za-z_]+\s*(p\d|mean|max|min|[<>=])/.test(this.src.line(rl.line).slice(rl.indent))) {
      this.error(r, `"${this.src.line(rl.line).slice(rl.indent, rl.lex.contentEnd)}" is an SLO line; put it in a block under an expect line`);
    } else if (kwTok.raw.startsWith('"""')) {
      this.error(r, 'this """ closes no text block; a text block opens with a turn line such as: user """');
    } else if (kwTok.quoted) {
      this.error(r, `a line starts with a directive word, not a quoted string; write ${kw.trim() ? kw.trim().split(/\s+/)[0] : 'a directive'} without quotes`);
    } else if (ctx === 'websocket' && kw === 'path') {
      this.error(r, 'a websocket block takes no path: the path is part of the target URL, e.g. target ws://127.0.0.1:8000/v1/ws');
    } else if (ctx === 'websocket' && kw === 'body') {
      this.error(r, 'a websocket sends a message, not a body: write message {...} with the same JSON');
    } else if (ctx === 'sse' && kw === 'message') {
      this.error(r, 'an sse request sends a body, not a message: write body {...} with the same JSON');
    } else if ((ctx === 'sse' || ctx === 'websocket') && (kw === 'usage' || kw.startsWith('usage.'))) {
      const counts = Object.keys(MAPPING_PATHS).filter((k) => k.startsWith('usage.'));
      const near = kw.startsWith('usage.') ? closest(kw, counts) : undefined;
      if (near) this.error(r, `unknown usage count "${kw}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else this.error(r, `write one line per token count, each with its JSON path: ${listOf(counts)}, e.g. usage.prompt_tokens usage.input_tokens`);
    } else if (ctx === 'synthetic' && kw === 'max_tokens') {
      this.error(r, 'a synthetic dataset sets max_tokens from its output line; write output 256 tokens');
    } else if (ctx === 'math500' && (kw === 'answer' || kw === 'user' || kw === 'system')) {
      this.error(r, `a math500 dataset sends each record's problem (with the instruction to put the answer in \\boxed{}) and grades its answer field; remove this ${kw} line, or use dataset jsonl for templates of your own`);
    } else if (ctx === 'synthetic' && (kw === 'shuffle' || kw === 'sample')) {
      this.error(r, `"${kw}" does not apply to a synthetic dataset; set how many prompts it makes with count N`);
    } else if (ctx !== 'top' && elsewhere.includes('top')) {
      this.error(r, `"${kw}" is a top-level directive; move it out of ${CONTEXT_NAMES[ctx]} (no indentation)`);
    } else if (elsewhere.length > 0) {
      const places = [...new Set(elsewhere.map((c) => BLOCK_NAMES[c]))];
      const list = places.length > 1 ? `${places.slice(0, -1).join(', ')} or ${places[places.length - 1]}` : places[0];
      this.error(r, ctx === 'top' ? `"${kw}" belongs in ${list}; indent it under one` : `"${kw}" belongs in ${list}, not in ${CONTEXT_NAMES[ctx]}`);
    } else {
      const words = Object.keys(CONTEXT_KEYWORDS[ctx]);
      const near = closest(kw, words);
      if (near) this.error(r, `unknown directive "${kw}"${where}; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else this.error(r, `unknown directive "${kw}"${where}; expected ${listOf(words)}`);
    }
    return node;
  }

  // ---- top level ---------------------------------------------------------------------------

  private top(rl: RawLine): TopNode {
    const kw = this.kw(rl);
    const textual = kw === 'system' || kw === 'user' || kw === 'assistant';
    if (!textual && !this.lexOk(rl)) {
      return { kind: 'unknown', ...this.base(rl) };
    }
    switch (kw) {
      case 'scenario':
        return this.scenario(rl);
      case 'target':
        return this.target(rl);
      case 'api':
        return this.api(rl);
      case 'model':
      case 'tokenizer':
      case 'key': {
        this.noBlock(rl);
        const value = this.rest(rl, 1);
        if (!value) this.missing(rl, `${kw} needs a value; ${kwExample(kw)}`);
        return kw === 'model' ? { kind: 'model', ...this.base(rl), value } : kw === 'tokenizer' ? { kind: 'tokenizer', ...this.base(rl), value } : { kind: 'key', ...this.base(rl), value };
      }
      case 'timeout':
        return this.timeout(rl);
      case 'header':
        return this.header(rl);
      case 'var':
        return this.variable(rl);
      case 'seed': {
        this.noBlock(rl);
        const { kind: _setting, name: _name, ...rest } = this.setting(rl, 'seed');
        return { ...rest, kind: 'seed' };
      }
      case 'prompt':
        return this.prompt(rl);
      case 'dataset':
        return this.dataset(rl);
      case 'load':
        return this.load(rl);
      case 'warmup':
        return this.warmup(rl);
      case 'stop':
        return this.stopCondition(rl);
      case 'think': {
        this.noBlock(rl);
        const { q, next } = this.quantity(rl, 1, 'duration', 'think');
        this.extra(rl, next, 'think DURATION, e.g. think 500ms');
        return { kind: 'think', ...this.base(rl), duration: q };
      }
      case 'context': {
        this.noBlock(rl);
        const { q, next } = this.quantity(rl, 1, 'tokens', 'context', 'e.g. context 128k');
        this.extra(rl, this.unitWord(rl, next, ['tokens', 'token']), 'context TOKENS, e.g. context 128k');
        return { kind: 'context', ...this.base(rl), tokens: q };
      }
      case 'buckets':
        return this.buckets(rl);
      case 'trace':
        return this.trace(rl);
      case 'expect':
        return this.expect(rl);
      case 'think_tags':
        return this.thinkTags(rl);
      case 'length':
        return this.length(rl);
      case 'backoff':
        return this.backoff(rl);
      case 'keep_alive':
        return this.keepAlive(rl);
      case 'server':
        return this.serverMetrics(rl);
      case 'sse':
      case 'websocket':
        return this.apiBlock(rl, kw);
      default:
        return this.unknown(rl, 'top');
    }
  }

  private scenario(rl: RawLine): TopNode {
    this.noBlock(rl);
    const title = this.rest(rl, 1);
    if (!title) this.missing(rl, 'scenario needs a title, e.g. scenario "Chat under step load"');
    return { kind: 'scenario', ...this.base(rl), title };
  }

  private target(rl: RawLine): TopNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    const node = { kind: 'target' as const, ...this.base(rl), value: undefined as TextValue | undefined };
    if (ts.length < 2) {
      this.missing(rl, 'target needs a URL or builtin:PROFILE, e.g. target http://127.0.0.1:8000 or target builtin:reasoning');
      return node;
    }
    if (this.extra(rl, 2, 'one target: a URL or builtin:PROFILE')) return node;
    const v = this.one(rl, ts[1]);
    const problem = checkTarget(v.text);
    if (problem) {
      this.error(v.range, problem.message, problem.fix ? { range: v.range, text: problem.fix, title: `Change to "${problem.fix}"` } : undefined);
      return node;
    }
    node.value = v;
    return node;
  }

  private api(rl: RawLine): TopNode {
    const ts = rl.lex.tokens;
    const c = rl.children[0];
    if (c && (ts[1]?.value === 'sse' || ts[1]?.value === 'websocket') && ts.length === 2) {
      // `api sse` with its mapping indented below: the mapping is a block of its own.
      this.error(this.lineR(c), `the settings of api ${ts[1].value} go in a block of their own: add a line "${ts[1].value}" at the first column above this one`);
    } else this.noBlock(rl);
    const node = { kind: 'api' as const, ...this.base(rl), value: undefined as Word | undefined, api: undefined as ApiKind | undefined };
    if (ts.length < 2) {
      this.missing(rl, `api needs a protocol: ${listOf(API_KINDS)}`);
      return node;
    }
    node.value = this.word(rl, ts[1]);
    if (this.extra(rl, 2, 'api PROTOCOL, e.g. api openai-chat')) return node;
    if ((API_KINDS as readonly string[]).includes(ts[1].value)) node.api = ts[1].value as ApiKind;
    else {
      const near = closest(ts[1].value, API_KINDS);
      const r = this.tokR(rl, ts[1]);
      if (near) this.error(r, `unknown api "${ts[1].value}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else this.error(r, `unknown api "${ts[1].value}"; expected ${listOf(API_KINDS)}`);
    }
    return node;
  }

  private timeout(rl: RawLine): TopNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    let which: TimeoutNode['which'] = 'total';
    let i = 1;
    if (ts[1] && /^[a-z_]+$/i.test(ts[1].value)) {
      if (ts[1].value === 'total' || ts[1].value === 'ttft' || ts[1].value === 'stall' || ts[1].value === 'ready') {
        which = ts[1].value;
        i = 2;
      } else {
        const near = closest(ts[1].value, ['total', 'ttft', 'stall', 'ready']);
        const r = this.tokR(rl, ts[1]);
        this.error(r, `unknown timeout "${ts[1].value}"${near ? `; did you mean "${near}"?` : '; write timeout 60s, timeout ttft 10s or timeout stall 5s'}`);
        return { kind: 'timeout', ...this.base(rl), which };
      }
    }
    const { q, next } = this.quantity(rl, i, 'duration', i === 1 ? 'timeout' : `timeout ${which}`);
    this.extra(rl, next, 'timeout DURATION, e.g. timeout 60s');
    return { kind: 'timeout', ...this.base(rl), which, duration: this.positive(q, 'timeout') };
  }

  private header(rl: RawLine): TopNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    const node = { kind: 'header' as const, ...this.base(rl), name: undefined as TextValue | undefined, value: undefined as TextValue | undefined };
    if (ts.length < 3) {
      this.missing(rl, 'header needs a name and a value, e.g. header X-Request-Source llmload');
      return node;
    }
    const name = this.one(rl, ts[1]);
    if (name.refs.length === 0 && !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name.text)) {
      this.error(name.range, `"${name.text}" is not a valid header name; use letters, digits and -`);
      return node;
    }
    node.name = name;
    node.value = this.rest(rl, 2);
    return node;
  }

  private variable(rl: RawLine): TopNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    const node = { kind: 'var' as const, ...this.base(rl), name: undefined as Word | undefined, value: undefined as TextValue | undefined };
    if (ts.length < 3) {
      this.missing(rl, 'var needs a name and a value, e.g. var MODEL meta-llama/Llama-3.1-8B-Instruct');
      if (ts[1] && !ts[1].quoted) node.name = this.word(rl, ts[1]);
      return node;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(ts[1].value) || ts[1].quoted) {
      this.error(this.tokR(rl, ts[1]), `"${ts[1].raw}" is not a variable name; use letters, digits and _ (starting with a letter)`);
      return node;
    }
    node.name = this.word(rl, ts[1]);
    node.value = this.rest(rl, 2);
    return node;
  }

  private setting(rl: RawLine, name: SettingName): SettingNode {
    const node: SettingNode = { kind: 'setting', ...this.base(rl), name };
    if (name === 'shuffle' || name === 'unique') {
      this.extra(rl, 1, `${name} on its own`);
      node.value = { value: 1, text: name, range: this.tokR(rl, rl.lex.tokens[0]) };
      return node;
    }
    const spec: Record<Exclude<SettingName, 'shuffle' | 'unique'>, [Kind, number, number, string]> = {
      seed: ['integer', 0, Number.MAX_SAFE_INTEGER, '0'],
      max_tokens: ['tokens', 1, Infinity, '1'],
      temperature: ['decimal', 0, 2, '0'],
      top_p: ['decimal', 0, 1, '0'],
      sample: ['integer', 1, Infinity, '1'],
      count: ['integer', 1, Infinity, '1'],
    };
    const [kind, min, max, minText] = spec[name];
    const { q, next } = this.quantity(rl, 1, kind, name);
    if (this.extra(rl, next, `${name} ${example(kind, name).replace(/^write /, '').replace(/^e\.g\. /, '')}`)) return node;
    if (name === 'top_p') node.value = q && q.value === 0 ? (this.error(q.range, `top_p must be above 0 and at most 1, got ${q.text}`), undefined) : this.bounded(q, name, min, max, minText);
    else node.value = this.bounded(q, name, min, max, minText);
    return node;
  }

  // ---- prompts and datasets ----------------------------------------------------------------

  private prompt(rl: RawLine): TopNode {
    const ts = rl.lex.tokens;
    const node: PromptNode = { kind: 'prompt', ...this.base(rl), headerRange: this.lineR(rl), children: [], turns: [], broken: false };
    let i = 1;
    if (!ts[1] || (ts[1].value === 'weight' && !ts[1].quoted)) {
      this.error(this.lineR(rl), 'prompt needs a name, e.g. prompt "short question"');
      node.broken = true;
    } else {
      node.name = this.one(rl, ts[1]);
      i = 2;
    }
    const w = this.weight(rl, i, 'prompt "NAME" weight N');
    node.weight = w.q;
    if (w.bad) node.broken = true;
    const errorsBefore = this.errors;
    for (const c of rl.children) {
      const child = this.blockChild(c, 'prompt');
      node.children.push(child as PromptChild);
      if (child.kind === 'turn') node.turns.push(child);
    }
    if (this.errors > errorsBefore) node.broken = true;
    return node;
  }

  /** Optional `weight N` at token i. */
  private weight(rl: RawLine, i: number, usage: string): { q?: Quantity; bad: boolean } {
    const ts = rl.lex.tokens;
    if (!ts[i]) return { bad: false };
    if (ts[i].value !== 'weight') {
      this.extra(rl, i, usage, ['weight']);
      return { bad: true };
    }
    const { q, next } = this.quantity(rl, i + 1, 'decimal', 'weight');
    if (this.extra(rl, next, usage)) return { q, bad: true };
    const p = this.positive(q, 'weight');
    return { q: p, bad: !p };
  }

  private dataset(rl: RawLine): TopNode {
    const ts = rl.lex.tokens;
    const node: DatasetNode = { kind: 'dataset', ...this.base(rl), headerRange: this.lineR(rl), children: [], turns: [], broken: true };
    const usage = 'dataset jsonl PATH, dataset sharegpt PATH, dataset synthetic, dataset math500 PATH or dataset arithmetic';
    if (!ts[1]) {
      this.missing(rl, `dataset needs a format; write ${usage}`);
      return node;
    }
    node.formatWord = this.word(rl, ts[1]);
    if (!(DATASET_FORMATS as readonly string[]).includes(ts[1].value)) {
      const near = closest(ts[1].value, DATASET_FORMATS);
      const r = this.tokR(rl, ts[1]);
      if (near) this.error(r, `unknown dataset format "${ts[1].value}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else this.error(r, `unknown dataset format "${ts[1].value}"; expected ${listOf(DATASET_FORMATS)}`);
      return node;
    }
    const format = ts[1].value as DatasetFormat;
    node.format = format;
    let i = 2;
    const generated = format === 'synthetic' || format === 'arithmetic';
    if (!generated) {
      if (!ts[2] || ts[2].value === 'weight') {
        this.missing(rl, `dataset ${format} needs a file path, e.g. dataset ${format} data/${format === 'math500' ? 'math500.jsonl' : `prompts.${format === 'jsonl' ? 'jsonl' : 'json'}`}`);
        return node;
      }
      node.path = this.one(rl, ts[2]);
      i = 3;
    }
    const w = this.weight(rl, i, `dataset ${format}${generated ? '' : ' PATH'} weight N`);
    node.weight = w.q;
    const errorsBefore = this.errors;
    for (const c of rl.children) {
      const child = this.blockChild(c, format);
      node.children.push(child as DatasetChild);
      if (child.kind === 'turn') node.turns.push(child);
    }
    node.broken = w.bad || this.errors > errorsBefore;
    return node;
  }

  /** A line inside a prompt or dataset block. */
  private blockChild(rl: RawLine, ctx: 'prompt' | DatasetFormat): DatasetChild {
    if (rl.misindented && !this.afterUnknownRun(rl)) this.misindented(rl);
    const kw = this.kw(rl);
    if (!Object.hasOwn(CONTEXT_KEYWORDS[ctx], kw)) return this.unknown(rl, ctx);
    if (kw === 'system' || kw === 'user' || kw === 'assistant') return this.turn(rl, kw);
    if (!this.lexOk(rl)) return { kind: 'unknown', ...this.base(rl) };
    if (kw !== 'body') this.noBlock(rl);
    switch (kw) {
      case 'max_tokens':
      case 'temperature':
      case 'top_p':
      case 'seed':
      case 'sample':
      case 'count':
      case 'shuffle':
      case 'unique':
        return this.setting(rl, kw);
      case 'stop':
        return this.stopSequences(rl);
      case 'body':
        return this.body(rl, 'body');
      case 'answer': {
        const template = this.rest(rl, 1);
        if (!template) this.missing(rl, 'answer needs a template, e.g. answer {{answer}}');
        const node: AnswerNode = { kind: 'answer', ...this.base(rl), template };
        return node;
      }
      case 'input':
      case 'output':
      case 'shared_prefix':
        return this.tokenSpan(rl, kw);
      case 'grader':
      case 'bad_records':
      case 'levels':
        return this.gradeOption(rl, kw);
      default:
        return this.unknown(rl, ctx);
    }
  }

  /** `grader NAME`, `bad_records fail|skip`, `levels MIN..MAX` (docs/accuracy.md). */
  private gradeOption(rl: RawLine, name: GradeOptionNode['name']): GradeOptionNode {
    const node: GradeOptionNode = { kind: 'grade_option', ...this.base(rl), name };
    const t = rl.lex.tokens[1];
    if (name === 'levels') {
      const m = t && !t.quoted ? /^(\d+)(?:\.\.(\d+))?$/.exec(t.value) : null;
      if (!t) this.missing(rl, 'levels needs a range of difficulty levels 1 to 4, e.g. levels 1..3');
      else if (!m || Number(m[1]) < 1 || Number(m[2] ?? m[1]) > 4 || Number(m[1]) > Number(m[2] ?? m[1])) this.error(this.tokR(rl, t), `levels must be a level or a range within 1..4, e.g. levels 1..3, got ${t.raw}`);
      else if (!this.extra(rl, 2, 'levels 1..3')) {
        const r = this.tokR(rl, t);
        node.min = { value: Number(m[1]), text: m[1]!, range: r };
        node.max = { value: Number(m[2] ?? m[1]), text: m[2] ?? m[1]!, range: r };
      }
      return node;
    }
    const choices: readonly string[] = name === 'grader' ? GRADER_NAMES : ['fail', 'skip'];
    if (!t) {
      this.missing(rl, `${name} needs one of ${listOf(choices)}, e.g. ${name} ${choices[0]}`);
      return node;
    }
    if (!choices.includes(t.value) || t.quoted) {
      const near = closest(t.value, choices);
      const r = this.tokR(rl, t);
      if (near) this.error(r, `unknown ${name === 'grader' ? 'grader' : 'choice'} "${t.value}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else this.error(r, `unknown ${name === 'grader' ? 'grader' : 'choice'} "${t.value}"; expected ${listOf(choices)}`);
      return node;
    }
    if (!this.extra(rl, 2, `${name} ${t.value}`)) node.value = this.word(rl, t);
    return node;
  }

  private turn(rl: RawLine, role: Role): TurnNode {
    const node: TurnNode = { kind: 'turn', ...this.base(rl), role, form: 'inline' };
    const line = this.src.line(rl.line);
    let at = rl.lex.tokens[0].end;
    while (at < line.length && (line[at] === ' ' || line[at] === '\t')) at++;
    const inline = line.slice(at).replace(/[ \t]+$/, '');
    const block = rl.text;
    if (block?.kind === 'fenced') {
      node.form = 'fenced';
      if (!block.closed) {
        const o = block.opener!;
        this.error(this.src.span(o.line, o.start, o.end), `unclosed """ text block; end it with a line holding """`);
      }
      node.text = this.blockValue(block.pieces);
      if (!node.text && block.closed) this.error(this.tokR(rl, rl.lex.tokens[0]), `${role} turn is empty; write its text between the """ lines`);
      return node;
    }
    const at1 = /^@([A-Za-z]+)\b/.exec(inline);
    if (at1 && at1[1] !== 'file' && closest(at1[1], ['file'])) {
      const r = this.src.span(rl.line, at, at + at1[0].length);
      this.error(r, `unknown include "${at1[0]}"; did you mean "@file"? (to start the text with @, put it in quotes)`, { range: r, text: '@file', title: 'Change to "@file"' });
      return node;
    }
    if (inline.startsWith('@file')) {
      node.form = 'file';
      const after = inline.slice(5);
      const pathStart = at + 5 + (after.length - after.trimStart().length);
      const pathText = after.trim();
      if (after !== '' && !/^[ \t]/.test(after)) {
        this.error(this.src.span(rl.line, at, at + inline.length), `write a space after @file, e.g. ${role} @file prompts/long.txt`);
      } else if (pathText === '') {
        this.error(this.src.span(rl.line, at, at + 5), `@file needs a path, e.g. ${role} @file prompts/long.txt`);
      } else {
        const quoted = pathText.startsWith('"') && pathText.endsWith('"') && pathText.length >= 2;
        const value = quoted ? pathText.slice(1, -1) : pathText;
        node.file = this.textValue(rl.line, pathStart, pathStart + pathText.length, value, quoted);
      }
      if (block) this.error(this.src.span(block.pieces[0].line, 0, this.src.line(block.pieces[0].line).length), `a ${role} turn read with @file takes no text below it; move the text into the file or drop @file`);
      return node;
    }
    let inlineValue: TextValue | undefined;
    if (inline.startsWith('"""')) {
      const close = inline.indexOf('"""', 3);
      inlineValue = this.textValue(rl.line, at + 3, at + close, inline.slice(3, close), true);
      if (close + 3 < inline.length) this.error(this.src.span(rl.line, at + close + 3, at + inline.length), 'unexpected text after the closing """');
      node.form = 'fenced';
    } else if (inline !== '') {
      const ts = rl.lex.tokens;
      const single = ts.length === 2 && ts[1].quoted && rl.lex.errors.length === 0 && ts[1].end === at + inline.length;
      inlineValue = single ? this.one(rl, ts[1]) : this.textValue(rl.line, at, at + inline.length, inline, false);
    }
    if (block) {
      const b = this.blockValue(block.pieces);
      if (inlineValue && b) {
        node.text = { ...b, text: `${inlineValue.text}\n${b.text}`, range: { start: inlineValue.range.start, end: b.range.end }, refs: [...inlineValue.refs, ...b.refs], fields: [...inlineValue.fields, ...b.fields] };
      } else node.text = inlineValue ?? b;
      if (!inlineValue) node.form = 'block';
    } else node.text = inlineValue;
    if (!node.text || (node.text.text === '' && !node.text.quoted)) {
      this.error(this.tokR(rl, rl.lex.tokens[0]), `${role} turn is empty; write the text after "${role}" or on indented lines below it`);
    }
    return node;
  }

  private stopSequences(rl: RawLine): StopSequencesNode {
    const ts = rl.lex.tokens;
    const first = ts[1];
    if (first && !first.quoted && (first.value === 'after' || first.value === 'errors')) {
      // `stop after 5m` indented under a block: the run's stop condition, not stop sequences.
      this.error(this.lineR(rl), `"stop ${first.value} ..." ends the run and is a top-level directive; move it out of the block (inside it, stop takes stop sequences, e.g. stop "\\n\\n")`);
      return { kind: 'stop_sequences', ...this.base(rl), values: [] };
    }
    const values = ts.slice(1).map((t) => this.one(rl, t));
    if (values.length === 0) this.missing(rl, 'stop needs at least one stop sequence, e.g. stop "\\n\\n" "END"');
    return { kind: 'stop_sequences', ...this.base(rl), values };
  }

  /** `body JSON` in a prompt, dataset or sse block, `message JSON` in a websocket block. */
  private body(rl: RawLine, name: 'body' | 'message', template = false): BodyNode {
    const pieces = rl.text?.pieces ?? [];
    const text = pieces.map((p) => p.text).join('\n');
    const first = pieces[0];
    const last = pieces[pieces.length - 1];
    const textRange = first ? this.src.between(first.line, first.start, last.line, last.start + last.text.trimEnd().length) : this.lineR(rl);
    const node: BodyNode = { kind: 'body', ...this.base(rl), text, textRange };
    const eg = name === 'message' ? 'message {"messages": "{{messages}}", "stream": true}' : template ? 'body {"inputs": "{{prompt}}", "stream": true}' : 'body {"top_k": 40}';
    if (text.trim() === '') {
      this.missing(rl, `${name} needs a JSON object, e.g. ${eg}`);
      return node;
    }
    if (rl.text && !rl.text.closed) {
      this.error(textRange, `unclosed "{" in ${name}; close the JSON object with "}"`);
      return node;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const pos = /at position (\d+)/.exec(msg);
      const clean = msg.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
      let range = textRange;
      if (pos) {
        let off = Number(pos[1]);
        for (const p of pieces) {
          if (off <= p.text.length) {
            range = this.src.span(p.line, p.start + off, p.start + off + 1);
            break;
          }
          off -= p.text.length + 1;
        }
      }
      this.error(range, `invalid JSON in ${name}: ${clean}`);
      return node;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      this.error(textRange, `${name} must be a JSON object, e.g. ${eg}`);
      return node;
    }
    if (template && !this.placeholdersOk(pieces, name)) return node;
    node.json = parsed as Record<string, unknown>;
    return node;
  }

  /** Reports the first `{{name}}` in a template that is no placeholder; true when all are known. */
  private placeholdersOk(pieces: TextPiece[], name: 'body' | 'message'): boolean {
    for (const p of pieces) {
      for (const m of p.text.matchAll(/\{\{([^{}]*)\}\}/g)) {
        const r = this.src.span(p.line, p.start + m.index, p.start + m.index + m[0].length);
        const word = m[1].trim();
        const known = (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(word);
        if (known && word !== m[1]) {
          this.error(r, `write "{{${word}}}" without spaces inside the braces`, { range: r, text: `{{${word}}}`, title: `Change to "{{${word}}}"` });
          return false;
        }
        if (known) {
          const whole = p.text[m.index - 1] === '"' && p.text[m.index + m[0].length] === '"';
          if (!whole && word !== 'prompt' && word !== 'model') {
            this.error(r, `{{${word}}} is replaced only as a whole JSON string: write "{{${word}}}" as the value on its own (only {{prompt}} and {{model}} are replaced inside longer text)`);
            return false;
          }
          continue;
        }
        const near = closest(m[1], TEMPLATE_PLACEHOLDERS);
        const list = TEMPLATE_PLACEHOLDERS.map((x) => `{{${x}}}`);
        if (near) this.error(r, `unknown placeholder "${m[0]}" in ${name}; did you mean "{{${near}}}"?`, { range: r, text: `{{${near}}}`, title: `Change to "{{${near}}}"` });
        else this.error(r, `unknown placeholder "${m[0]}" in ${name}; a template may use ${listOf(list)}`);
        return false;
      }
    }
    return true;
  }

  // ---- protocol options --------------------------------------------------------------------

  private thinkTags(rl: RawLine): ThinkTagsNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    const node: ThinkTagsNode = { kind: 'think_tags', ...this.base(rl) };
    const modes = Object.keys(THINK_TAG_MODES);
    const usage = 'think_tags OPEN CLOSE [auto|starts_in_thinking|starts_in_answer], e.g. think_tags <think> </think>, or think_tags off';
    const isMode = (i: number) => ts[i] !== undefined && !ts[i].quoted && Object.hasOwn(THINK_TAG_MODES, ts[i].value);
    if (!ts[1]) {
      this.missing(rl, `think_tags needs tags, a mode or off; write ${usage}`);
      return node;
    }
    if (!ts[1].quoted && ts[1].value === 'off') {
      if (this.extra(rl, 2, 'think_tags off on its own')) return node;
      node.off = true;
      node.parsed = true;
      return node;
    }
    let i = 1;
    if (!isMode(1)) {
      if (!ts[2] || isMode(2)) {
        // One word: a mode, misspelled, or a lone tag.
        const near = /^[A-Za-z_]+$/.test(ts[1].value) && !ts[1].quoted ? closest(ts[1].value, [...modes, 'off']) : undefined;
        const r = this.tokR(rl, ts[1]);
        if (near) this.error(r, `unknown think_tags mode "${ts[1].value}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
        else this.error(r, `think_tags needs both tags, the opening and the closing one, e.g. think_tags ${ts[1].raw} ${closingFor(ts[1].value)}`);
        return node;
      }
      for (const t of [ts[1], ts[2]]) {
        if (t.value === '') {
          this.error(this.tokR(rl, t), 'a think tag cannot be empty; write the tag, e.g. <think>');
          return node;
        }
      }
      if (ts[2].value === ts[1].value) {
        this.error(this.tokR(rl, ts[2]), `the closing tag must differ from the opening tag, e.g. think_tags ${ts[1].raw} ${closingFor(ts[1].value)}`);
        return node;
      }
      node.open = this.one(rl, ts[1]);
      node.close = this.one(rl, ts[2]);
      i = 3;
    }
    let mode: boolean | 'auto' = 'auto';
    if (ts[i]) {
      if (!isMode(i)) {
        const near = ts[i].quoted ? undefined : closest(ts[i].value, modes);
        const r = this.tokR(rl, ts[i]);
        if (near) this.error(r, `unknown think_tags mode "${ts[i].value}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
        else this.extra(rl, i, usage);
        node.open = node.close = undefined;
        return node;
      }
      node.mode = this.word(rl, ts[i]);
      mode = THINK_TAG_MODES[ts[i].value];
      i++;
    }
    if (this.extra(rl, i, usage)) {
      node.open = node.close = node.mode = undefined;
      return node;
    }
    node.starts_in_thinking = mode;
    node.parsed = true;
    return node;
  }

  private length(rl: RawLine): LengthNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    const node: LengthNode = { kind: 'length', ...this.base(rl) };
    const usage = 'length fails (an answer cut at max_tokens fails the request) or length warns (the default)';
    if (!ts[1]) {
      this.missing(rl, `length needs fails or warns; write ${usage}`);
      return node;
    }
    if (ts[1].quoted || (ts[1].value !== 'fails' && ts[1].value !== 'warns')) {
      this.extra(rl, 1, usage, ['fails', 'warns']);
      return node;
    }
    if (!this.extra(rl, 2, usage)) node.fails = ts[1].value === 'fails';
    return node;
  }

  /** `backoff BASE..CAP [skip]`, `backoff skip`, `backoff off`. */
  /** `server metrics URL [every DURATION]`: the Prometheus endpoint scraped during the run. */
  private serverMetrics(rl: RawLine): ServerMetricsNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    const node: ServerMetricsNode = { kind: 'server', ...this.base(rl) };
    const usage = 'server metrics URL [every DURATION], e.g. server metrics http://127.0.0.1:8000/metrics every 1s';
    if (!ts[1]) {
      this.missing(rl, `server needs "metrics" and a URL; write ${usage}`);
      return node;
    }
    if (ts[1].quoted || ts[1].value !== 'metrics') {
      const r = this.tokR(rl, ts[1]);
      const near = ts[1].quoted ? undefined : closest(ts[1].value, ['metrics']);
      if (near) this.error(r, `unexpected "${ts[1].raw}"; did you mean "metrics"?`, { range: r, text: 'metrics', title: 'Change to "metrics"' });
      else this.error(r, `unexpected "${ts[1].raw}"; write ${usage}`);
      return node;
    }
    if (!ts[2]) {
      this.missing(rl, `server metrics needs the URL of a Prometheus /metrics endpoint, or builtin: for the simulator; write ${usage}`);
      return node;
    }
    const v = this.one(rl, ts[2]);
    if (v.text !== 'builtin:' && !/^https?:\/\/[^\s/]+/.test(v.text) && !v.text.includes('${')) {
      this.error(v.range, `expected an http(s) URL like http://127.0.0.1:8000/metrics, or builtin:, got "${ts[2].raw}"`);
      return node;
    }
    node.url = v;
    let next = 3;
    if (ts[3]) {
      if (ts[3].quoted || ts[3].value !== 'every') {
        this.extra(rl, 3, usage, ['every']);
        return node;
      }
      const { q, next: n } = this.quantity(rl, 4, 'duration', 'server metrics every', 'e.g. every 1s');
      if (!q) return node;
      if (q.value < 100) {
        this.error(q.range, `scrape at most every 100ms, got "${ts[4].raw}"; e.g. every 1s`);
        return node;
      }
      node.every = q;
      next = n;
    }
    if (this.extra(rl, next, usage)) return node;
    node.parsed = true;
    return node;
  }

  private backoff(rl: RawLine): BackoffNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    const node: BackoffNode = { kind: 'backoff', ...this.base(rl) };
    const usage = 'backoff BASE..CAP [skip], e.g. backoff 100ms..10s, or backoff off';
    if (!ts[1]) {
      this.missing(rl, `backoff needs its wait bounds or off; write ${usage}`);
      return node;
    }
    if (!ts[1].quoted && ts[1].value === 'off') {
      if (!this.extra(rl, 2, usage)) node.off = node.parsed = true;
      return node;
    }
    let i = 1;
    if (ts[1].quoted || ts[1].value !== 'skip') {
      const t = ts[1];
      const dots = t.quoted ? -1 : t.value.indexOf('..');
      if (dots < 0) {
        const r = this.tokR(rl, t);
        const near = t.quoted ? undefined : closest(t.value, ['off', 'skip']);
        if (ts[2]?.value.startsWith('..')) this.error(this.tokensR(rl, 1), 'write the wait bounds as one word, without spaces, e.g. 100ms..10s');
        else if (!t.quoted && U.parseDuration(t.value).ok) this.error(r, `write the shortest and the longest wait, e.g. ${t.value}..10s`, { range: r, text: `${t.value}..10s`, title: `Change to "${t.value}..10s"` });
        else if (near) this.error(r, `unexpected "${t.raw}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
        else this.error(r, `expected the shortest and longest wait as BASE..CAP, e.g. 100ms..10s, got "${t.raw}"; or write ${usage}`);
        return node;
      }
      const lo = t.value.slice(0, dots);
      const hi = t.value.slice(dots + 2);
      const aRange = this.src.span(rl.line, t.start, t.start + lo.length);
      const bRange = this.src.span(rl.line, t.start + dots + 2, t.end);
      const a = U.parseDuration(lo);
      if (!a.ok) {
        this.error(aRange, lo === '' ? `expected the shortest wait before "..", e.g. 100ms..${hi}` : a.message);
        return node;
      }
      const b = U.parseDuration(hi);
      if (!b.ok) {
        this.error(bRange, hi === '' ? `expected the longest wait after "..", e.g. ${lo}..10s` : b.message);
        return node;
      }
      if (a.value <= 0) {
        this.error(aRange, `the shortest wait must be above 0, got ${lo}; write e.g. 100ms..${hi}, or backoff off to send without waiting`);
        return node;
      }
      if (b.value < a.value) {
        this.error(this.tokR(rl, t), `the range ${t.value} runs backwards; write the shorter wait first: ${hi}..${lo}`, { range: this.tokR(rl, t), text: `${hi}..${lo}`, title: `Change to "${hi}..${lo}"` });
        return node;
      }
      node.base = { value: a.value, text: lo, range: aRange };
      node.cap = { value: b.value, text: hi, range: bRange };
      i = 2;
    }
    if (ts[i] && !ts[i].quoted && ts[i].value === 'skip') node.skip = this.word(rl, ts[i++]);
    if (this.extra(rl, i, usage, ['skip'])) {
      node.base = node.cap = node.skip = undefined;
      return node;
    }
    node.parsed = true;
    return node;
  }

  /** `keep_alive on|off`. */
  private keepAlive(rl: RawLine): KeepAliveNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    const node: KeepAliveNode = { kind: 'keep_alive', ...this.base(rl) };
    const usage = 'keep_alive off (a fresh connection for every request) or keep_alive on (the default: connections are reused)';
    if (!ts[1]) {
      this.missing(rl, `keep_alive needs on or off; write ${usage}`);
      return node;
    }
    if (ts[1].quoted || (ts[1].value !== 'on' && ts[1].value !== 'off')) {
      this.extra(rl, 1, usage, ['on', 'off']);
      return node;
    }
    if (!this.extra(rl, 2, usage)) node.on = ts[1].value === 'on';
    return node;
  }

  private apiBlock(rl: RawLine, kind: 'sse' | 'websocket'): ApiBlockNode {
    const node: ApiBlockNode = { kind, ...this.base(rl), headerRange: this.lineR(rl), children: [], broken: false };
    const before = this.errors;
    const eg = kind === 'sse' ? 'answer token.text' : 'answer answer';
    this.extra(rl, 1, `${kind} on its own line, with its settings indented below, e.g. ${eg}`);
    if (rl.children.length === 0 && rl.lex.tokens.length === 1) {
      this.warning(this.lineR(rl), `"${kind}" with no lines below it changes nothing: to choose the protocol, write api ${kind}; to map its stream, indent lines below it, e.g. ${eg}`);
    }
    for (const c of rl.children) node.children.push(this.apiBlockLine(c, kind));
    node.broken = this.errors > before;
    return node;
  }

  private apiBlockLine(rl: RawLine, ctx: 'sse' | 'websocket'): ApiBlockChild {
    if (rl.misindented && !this.afterUnknownRun(rl)) this.misindented(rl);
    const kw = this.kw(rl);
    if (!Object.hasOwn(CONTEXT_KEYWORDS[ctx], kw)) return this.unknown(rl, ctx);
    if (!this.lexOk(rl)) return { kind: 'unknown', ...this.base(rl) };
    if (kw === 'body' || kw === 'message') return this.body(rl, kw, true);
    this.noBlock(rl);
    const name = kw as MappingLineName;
    const node: MappingLineNode = { kind: 'mapping', ...this.base(rl), name };
    const ts = rl.lex.tokens;
    if (name === 'done_data') {
      node.value = this.rest(rl, 1);
      if (!node.value) this.missing(rl, 'done_data needs the event data that ends the stream, e.g. done_data [DONE]');
      return node;
    }
    if (name === 'path') {
      const usage = 'path /PATH, e.g. path /generate_stream';
      if (!ts[1]) {
        this.missing(rl, `path needs the endpoint path; write ${usage}`);
        return node;
      }
      if (this.extra(rl, 2, usage)) return node;
      const v = this.one(rl, ts[1]);
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v.text)) {
        this.error(v.range, `path is the part after the target URL, e.g. path /generate_stream; put the server's URL in the target line`);
        return node;
      }
      node.value = v;
      return node;
    }
    const example = MAPPING_PATHS[name].example;
    const usage = `${name} PATH, e.g. ${name} ${example} (quote a path that holds spaces)`;
    if (!ts[1]) {
      this.missing(rl, `${name} needs a JSON path, e.g. ${name} ${example}`);
      return node;
    }
    if (this.extra(rl, 2, usage)) return node;
    const v = this.one(rl, ts[1]);
    const problem = v.refs.length === 0 ? jsonPathProblem(v.text) : undefined;
    if (problem) {
      this.error(v.range, `${problem}; write a JSON path like ${example} or choices[0].delta.content`);
      return node;
    }
    node.value = v;
    return node;
  }

  private tokenSpan(rl: RawLine, name: TokenSpanNode['name']): TokenSpanNode {
    const node: TokenSpanNode = { kind: 'token_span', ...this.base(rl), name };
    const ts = rl.lex.tokens;
    const usage = `${name} 16k..32k tokens or ${name} 256 tokens`;
    if (!ts[1]) {
      this.missing(rl, `${name} needs a token count; write ${usage}`);
      return node;
    }
    let next = 2;
    const spanText = ts[1].value;
    const dots = spanText.indexOf('..');
    const t = ts[1];
    const lo = dots >= 0 ? spanText.slice(0, dots) : spanText;
    const a = U.parseTokenCount(lo);
    const aRange = this.src.span(rl.line, t.start, t.start + lo.length);
    if (!a.ok) {
      this.error(aRange, a.message);
      return node;
    }
    node.min = { value: a.value, text: lo, range: aRange };
    node.max = node.min;
    if (dots >= 0) {
      const hi = spanText.slice(dots + 2);
      const b = U.parseTokenCount(hi);
      const bRange = this.src.span(rl.line, t.start + dots + 2, t.end);
      if (!b.ok) {
        this.error(bRange, hi === '' ? `expected a token count after "..", e.g. ${lo}..${lo}0` : b.message);
        node.min = node.max = undefined;
        return node;
      }
      node.max = { value: b.value, text: hi, range: bRange };
      if (b.value < a.value) {
        this.error(this.tokR(rl, t), `the range ${spanText} runs backwards; write the smaller count first`);
        node.min = node.max = undefined;
        return node;
      }
    }
    next = this.unitWord(rl, next, ['tokens', 'token']);
    if (this.extra(rl, next, usage, ['tokens'])) {
      node.min = node.max = undefined;
      return node;
    }
    if (name !== 'shared_prefix' && node.min.value < 1) {
      this.error(node.min.range, `${name} must be at least 1 token, got ${node.min.text}`);
      node.min = node.max = undefined;
    }
    return node;
  }

  // ---- load --------------------------------------------------------------------------------

  private load(rl: RawLine): TopNode {
    const ts = rl.lex.tokens;
    const node: LoadNode = { kind: 'load', ...this.base(rl), headerRange: this.lineR(rl), children: [], broken: true };
    if (!ts[1]) {
      this.missing(rl, `load needs a shape: ${listOf(LOAD_SHAPES)}, e.g. load users 8 for 5m`);
      return node;
    }
    node.shapeWord = this.word(rl, ts[1]);
    if (!(LOAD_SHAPES as readonly string[]).includes(ts[1].value)) {
      const near = closest(ts[1].value, LOAD_SHAPES);
      const r = this.tokR(rl, ts[1]);
      if (near) this.error(r, `unknown load shape "${ts[1].value}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else this.error(r, `unknown load shape "${ts[1].value}"; expected ${listOf(LOAD_SHAPES)}`);
      return node;
    }
    const shape = ts[1].value as LoadShape;
    node.shape = shape;
    const before = this.errors;
    switch (shape) {
      case 'users': {
        this.noBlock(rl);
        const usage = 'load users N for DURATION, e.g. load users 8 for 5m';
        const u = this.quantity(rl, 2, 'integer', 'the number of users');
        node.users = this.bounded(u.q, 'users', 1);
        let i = this.unitWord(rl, u.next, USERS_WORDS);
        if (ts[i]?.value === 'for') {
          const d = this.quantity(rl, i + 1, 'duration', 'the duration after "for"');
          node.duration = this.positive(d.q, 'the duration');
          i = d.next;
        }
        this.extra(rl, i, usage, ['for', 'users']);
        break;
      }
      case 'rate': {
        this.noBlock(rl);
        const usage = 'load rate R qpm|rps for DURATION [poisson|uniform], e.g. load rate 2 rps for 5m';
        const r = this.quantity(rl, 2, 'rate', 'the rate');
        node.rate = this.positive(r.q, 'the rate');
        let i = r.next;
        if (ts[i]?.value === 'for') {
          const d = this.quantity(rl, i + 1, 'duration', 'the duration after "for"');
          node.duration = this.positive(d.q, 'the duration');
          i = d.next;
        }
        if (ts[i]?.value === 'poisson' || ts[i]?.value === 'uniform') {
          node.arrival = ts[i].value as 'poisson' | 'uniform';
          i++;
        }
        this.extra(rl, i, usage, ['for', 'poisson', 'uniform']);
        break;
      }
      case 'replay': {
        this.noBlock(rl);
        const usage = 'load replay PATH [speed X] [from T] [to T], e.g. load replay traces/monday.jsonl speed 2x from 10m to 20m';
        if (!ts[2]) {
          this.missing(rl, `load replay needs a file; write ${usage}`);
          break;
        }
        node.path = this.one(rl, ts[2]);
        let i = 3;
        if (ts[i]?.value === 'speed') {
          const s = this.quantity(rl, i + 1, 'speed', 'the speed');
          node.speed = this.positive(s.q, 'the speed');
          i = s.next;
        }
        if (ts[i]?.value === 'from') {
          const f = this.quantity(rl, i + 1, 'duration', 'the start after "from"');
          node.from = f.q;
          i = f.next;
        }
        if (ts[i]?.value === 'to') {
          const t = this.quantity(rl, i + 1, 'duration', 'the end after "to"');
          node.to = this.positive(t.q, 'the end of the replay window');
          i = t.next;
        }
        this.extra(rl, i, usage, ['speed', 'from', 'to']);
        break;
      }
      case 'step':
      case 'stages': {
        this.extra(rl, 2, `load ${shape} on its own line, with its settings indented below`);
        if (rl.children.length === 0) {
          this.missing(rl, shape === 'step' ? 'load step needs indented lines below it: start, add ... every, max and hold' : 'load stages needs indented lines below it: ramp to ... over ... and hold');
        }
        for (const c of rl.children) node.children.push(shape === 'step' ? this.stepLine(c) : this.stageLine(c));
        break;
      }
    }
    node.broken = this.errors > before;
    return node;
  }

  private stepLine(rl: RawLine): LoadChild {
    if (rl.misindented && !this.afterUnknownRun(rl)) this.misindented(rl);
    const kw = this.kw(rl);
    if (!Object.hasOwn(CONTEXT_KEYWORDS.step, kw)) return this.unknown(rl, 'step');
    if (!this.lexOk(rl)) return { kind: 'unknown', ...this.base(rl) };
    this.noBlock(rl);
    const name = kw as StepLineNode['name'];
    const node: StepLineNode = { kind: 'step', ...this.base(rl), name };
    const ts = rl.lex.tokens;
    if (name === 'hold') {
      const d = this.quantity(rl, 1, 'duration', 'hold');
      node.duration = d.q;
      this.extra(rl, d.next, 'hold DURATION, e.g. hold 1m');
      return node;
    }
    const usage = name === 'add' ? 'add N users every DURATION, e.g. add 2 users every 30s' : `${name} N users, e.g. ${name} ${name === 'max' ? 16 : 2} users`;
    const u = this.quantity(rl, 1, 'integer', `the number of users after "${name}"`);
    node.users = this.bounded(u.q, `${name} users`, 1);
    let i = this.unitWord(rl, u.next, USERS_WORDS);
    if (name === 'add') {
      if (u.q && ts[i]?.value !== 'every') {
        if (ts[i]) this.extra(rl, i, usage, ['every', 'users']);
        else this.missing(rl, `add needs a step time; write ${usage}`);
        return node;
      }
      if (!u.q) return node;
      const d = this.quantity(rl, i + 1, 'duration', 'the step time after "every"');
      node.every = this.positive(d.q, 'the step time');
      i = d.next;
    }
    if (u.q) this.extra(rl, i, usage, name === 'add' ? ['every'] : ['users']);
    return node;
  }

  private stageLine(rl: RawLine): LoadChild {
    if (rl.misindented && !this.afterUnknownRun(rl)) this.misindented(rl);
    const kw = this.kw(rl);
    if (!Object.hasOwn(CONTEXT_KEYWORDS.stages, kw)) return this.unknown(rl, 'stages');
    if (!this.lexOk(rl)) return { kind: 'unknown', ...this.base(rl) };
    this.noBlock(rl);
    const node: StageNode = { kind: 'stage', ...this.base(rl) };
    const ts = rl.lex.tokens;
    if (kw === 'hold') {
      const d = this.quantity(rl, 1, 'duration', 'hold');
      const q = this.positive(d.q, 'hold');
      if (!this.extra(rl, d.next, 'hold DURATION, e.g. hold 2m') && q) node.stage = { kind: 'hold', for_ms: q.value };
      return node;
    }
    const usage = 'ramp to N users over DURATION or ramp to R qpm over DURATION';
    if (ts[1]?.value !== 'to') {
      if (ts[1]) this.extra(rl, 1, usage, ['to']);
      else this.missing(rl, `ramp needs a target; write ${usage}`);
      return node;
    }
    const t = ts[2];
    if (!t) {
      this.missing(rl, `ramp to needs a level; write ${usage}`);
      return node;
    }
    const unit = ts[3]?.value;
    let users: number | undefined;
    let perS: number | undefined;
    let i: number;
    const joinedRate = /^\d+(?:\.\d+)?(rps|qpm|\/s)$/.test(t.value);
    if (joinedRate || (U.isNumber(t.value) && unit !== undefined && U.RATE_UNIT_WORDS.includes(unit))) {
      const r = this.quantity(rl, 2, 'rate', 'the rate');
      const q = this.bounded(r.q, 'the rate', 0);
      perS = q?.value;
      i = r.next;
      if (!q) return node;
    } else {
      const u = this.quantity(rl, 2, 'integer', 'the number of users');
      if (!u.q) return node;
      users = u.q.value;
      i = u.next;
      if (ts[i] && USERS_WORDS.includes(ts[i].value)) i++;
      else if (!ts[i] || ts[i].value === 'over') {
        this.error(u.q.range, `say what ${u.q.text} counts: write ramp to ${u.q.text} users or ramp to ${u.q.text} qpm`);
        return node;
      }
    }
    if (ts[i]?.value !== 'over') {
      if (ts[i]) this.extra(rl, i, usage, ['over', 'users', 'qpm', 'rps']);
      else this.missing(rl, `ramp needs a time; write ${usage}`);
      return node;
    }
    const d = this.quantity(rl, i + 1, 'duration', 'the ramp time after "over"');
    if (this.extra(rl, d.next, usage) || !d.q) return node;
    node.stage = users !== undefined ? { kind: 'ramp_users', to: users, over_ms: d.q.value } : { kind: 'ramp_rate', to_per_s: perS!, over_ms: d.q.value };
    return node;
  }

  // ---- run control and output --------------------------------------------------------------

  private warmup(rl: RawLine): WarmupNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    const node: WarmupNode = { kind: 'warmup', ...this.base(rl) };
    const usage = 'warmup DURATION or warmup N requests, e.g. warmup 30s';
    if (ts[1] && !ts[1].quoted && (ts[1].value === 'requests' || ts[1].value === 'request')) {
      this.error(this.tokR(rl, ts[1]), 'the number of requests is missing; write e.g. warmup 20 requests');
      return node;
    }
    if (ts[1] && /^\d+$/.test(ts[1].value) && ts[2] && ['requests', 'request'].includes(ts[2].value)) {
      const q = this.quantity(rl, 1, 'integer', 'warmup');
      node.requests = this.bounded(q.q, 'warmup requests', 1);
      this.extra(rl, 3, usage);
      return node;
    }
    if (ts[1] && /^\d+$/.test(ts[1].value) && ts[2] && !U.DURATION_UNIT_WORDS.includes(ts[2].value)) {
      this.extra(rl, 2, usage, ['requests']);
      return node;
    }
    const d = this.quantity(rl, 1, 'duration', 'warmup');
    node.duration = d.q;
    this.extra(rl, d.next, usage);
    return node;
  }

  private stopCondition(rl: RawLine): StopNode {
    this.noBlock(rl);
    const ts = rl.lex.tokens;
    const node: StopNode = { kind: 'stop', ...this.base(rl) };
    const usage = 'stop after DURATION, stop after N requests or stop errors > P%';
    const first = ts[1]?.value;
    if (first === 'after') {
      if (ts[2] && !ts[2].quoted && (ts[2].value === 'requests' || ts[2].value === 'request')) {
        this.error(this.tokR(rl, ts[2]), 'the number of requests is missing; write e.g. stop after 1000 requests');
        return node;
      }
      if (ts[2] && /^\d+$/.test(ts[2].value) && ts[3] && ['requests', 'request'].includes(ts[3].value)) {
        const q = this.quantity(rl, 2, 'integer', 'the request count');
        node.condition = 'after_requests';
        node.value = this.bounded(q.q, 'the request count', 1);
        this.extra(rl, 4, usage);
        return node;
      }
      const d = this.quantity(rl, 2, 'duration', 'the time after "stop after"');
      node.condition = 'after_ms';
      node.value = this.positive(d.q, 'the time');
      this.extra(rl, d.next, usage, ['requests']);
      return node;
    }
    if (first === 'errors' || first === 'error_rate') {
      if (ts[2]?.value !== '>') {
        if (ts[2]) this.error(this.tokR(rl, ts[2]), `expected ">" after "${first}"; write stop errors > 5%`);
        else this.missing(rl, `write ${usage}`);
        return node;
      }
      const q = this.quantity(rl, 3, 'percent', 'the error share');
      node.condition = 'error_rate_above';
      node.value = q.q;
      this.extra(rl, q.next, usage);
      return node;
    }
    if (!ts[1]) this.missing(rl, `stop needs a condition; write ${usage}`);
    else this.extra(rl, 1, usage, ['after', 'errors']);
    return node;
  }

  private buckets(rl: RawLine): BucketsNode {
    this.noBlock(rl);
    const node: BucketsNode = { kind: 'buckets', ...this.base(rl), values: [] };
    const ts = rl.lex.tokens;
    if (ts.length < 2) this.missing(rl, 'buckets needs token counts in ascending order, e.g. buckets 4k 16k 32k');
    for (let i = 1; i < ts.length; i++) {
      const t = ts[i];
      const p = U.parseTokenCount(t.value);
      const range = this.tokR(rl, t);
      if (!p.ok) {
        this.error(range, p.message);
        return { ...node, values: [] };
      }
      const prev = node.values[node.values.length - 1];
      if (prev && p.value <= prev.value) {
        this.error(range, `buckets must ascend: ${t.value} is not above ${prev.text}`);
        return { ...node, values: [] };
      }
      if (p.value < 1) {
        this.error(range, `a bucket bound must be at least 1 token, got ${t.value}`);
        return { ...node, values: [] };
      }
      node.values.push({ value: p.value, text: t.value, range });
    }
    return node;
  }

  private trace(rl: RawLine): TraceNode {
    this.noBlock(rl);
    const node: TraceNode = { kind: 'trace', ...this.base(rl) };
    const ts = rl.lex.tokens;
    const modes = ['first', 'all', 'failures'];
    const usage = 'trace first N, trace all or trace failures';
    const m = ts[1]?.value;
    if (m === 'first') {
      const q = this.quantity(rl, 2, 'integer', 'the number of requests to trace', 'write e.g. trace first 200');
      const b = this.bounded(q.q, 'trace first', 1);
      if (!this.extra(rl, q.next, usage) && b) node.trace = { mode: 'first', n: b.value };
    } else if (m === 'all' || m === 'failures') {
      if (!this.extra(rl, 2, usage)) node.trace = { mode: m };
    } else if (m === undefined) this.missing(rl, `trace needs a mode; write ${usage}`);
    else this.extra(rl, 1, usage, modes);
    return node;
  }

  // ---- expect ------------------------------------------------------------------------------

  private expect(rl: RawLine): ExpectNode {
    const node: ExpectNode = { kind: 'expect', ...this.base(rl), lines: [], broken: false };
    const before = this.errors;
    const ts = rl.lex.tokens;
    if (ts.length > 1) {
      // One SLO on the expect line itself: `expect ttft p95 < 3s`.
      node.lines.push(this.expectLine(rl, ts[1].start));
      this.noBlock(rl);
    } else if (rl.children.length === 0) {
      this.missing(rl, 'expect needs SLO lines indented below it, e.g. ttft p95 < 2s');
    }
    if (ts.length === 1) {
      for (const c of rl.children) {
        if (c.misindented) this.misindented(c);
        if (!this.lexOk(c)) continue;
        node.lines.push(this.expectLine(c, c.indent));
        this.noBlock(c);
      }
    }
    node.broken = this.errors > before;
    return node;
  }

  /** `server NAME [STAT] OP VALUE` (see src/core/server-metrics/expect.ts). */
  private serverSlo(rl: RawLine, node: ExpectLineNode, at: number, end: number): ExpectLineNode {
    const line = this.src.line(rl.line);
    const usage = 'server FIGURE [STAT] OP VALUE, e.g. server kv_cache_usage max < 90% or server preemptions == 0';
    const m = /^(\s+)([^\s<>=!]+)(?:(\s+)([^\s<>=!]+))?\s*(<=|>=|==|<|>)\s*(.*)$/.exec(line.slice(at, end));
    if (!m) {
      this.error(node.range, `expected ${usage}, got "${node.text}"`);
      return node;
    }
    const nameAt = at + m[1]!.length;
    const nameR = this.src.span(rl.line, nameAt, nameAt + m[2]!.length);
    const statAt = nameAt + m[2]!.length + (m[3]?.length ?? 0);
    const statR = this.src.span(rl.line, statAt, statAt + (m[4]?.length ?? 0));
    const fig = parseServerFigure(m[2]!, m[4]);
    if (!fig.ok) {
      this.error(fig.onStat ? statR : nameR, fig.message);
      return node;
    }
    const valueText = m[6]!.trim();
    const valueAt = end - m[6]!.length;
    const valueR = this.src.span(rl.line, valueAt, end);
    const v = parseServerValue(fig.slo.name, valueText.replace(/[ \t]+/g, ''));
    if (!v.ok) {
      this.error(valueText === '' ? node.range : valueR, valueText === '' ? `expected a value after "${m[5]}"; write ${usage}` : v.message);
      return node;
    }
    node.value = { value: v.value, text: valueText, range: valueR };
    node.parsed = { metric: 'server', op: m[5] as Comparison, value: v.value, server: fig.slo };
    return node;
  }

  private expectLine(rl: RawLine, from: number): ExpectLineNode {
    const line = this.src.line(rl.line);
    const end = rl.lex.contentEnd;
    const content = line.slice(from, end);
    const node: ExpectLineNode = {
      kind: 'expect_line',
      range: this.src.span(rl.line, from, end),
      keyword: { text: '', range: this.src.span(rl.line, from, from) },
      text: content,
    };
    let at = from;
    const skip = () => {
      while (at < end && (line[at] === ' ' || line[at] === '\t')) at++;
    };
    const wordAt = (): Word | undefined => {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(line.slice(at, end));
      if (!m) return undefined;
      const w = { text: m[0], range: this.src.span(rl.line, at, at + m[0].length) };
      at += m[0].length;
      return w;
    };
    const metricWord = wordAt();
    const metrics = Object.keys(METRICS) as Metric[];
    const usage = 'METRIC [STAT] OP VALUE, e.g. ttft p95 < 2s';
    if (!metricWord) {
      this.error(node.range, `expected an SLO line like ttft p95 < 2s, got "${content}"`);
      return node;
    }
    node.keyword = metricWord;
    node.metric = metricWord;
    if (!Object.hasOwn(METRICS, metricWord.text)) {
      const near = closest(metricWord.text, metrics);
      if (near) this.error(metricWord.range, `unknown metric "${metricWord.text}"; did you mean "${near}"?`, { range: metricWord.range, text: near, title: `Change to "${near}"` });
      else this.error(metricWord.range, `unknown metric "${metricWord.text}"; expected ${listOf(metrics)}`);
      return node;
    }
    const metric = metricWord.text as Metric;
    if (metric === 'server') return this.serverSlo(rl, node, at, end);
    const dist = METRICS[metric].distribution;
    skip();
    let statWord = wordAt();
    let stat: Stat | undefined;
    let group: string | undefined;
    if (statWord && metric === 'accuracy' && statWord.text === 'for') {
      // `accuracy for Algebra >= 80%`, `accuracy for level 5 >= 50%` (docs/accuracy.md)
      const g = /^\s*(?:"([^"]+)"|([^<>=!"]+?))\s*(?=<|>|=|!)/.exec(line.slice(at, end));
      if (!g || (g[1] ?? g[2] ?? '').trim() === '') {
        this.error(statWord.range, 'accuracy for needs a subject or a level, e.g. accuracy for Algebra >= 80% or accuracy for level 5 >= 50%');
        return node;
      }
      group = (g[1] ?? g[2]!).trim();
      at += g[0].length;
      statWord = undefined;
    }
    if (statWord) {
      node.stat = statWord;
      if (!dist) {
        this.error(statWord.range, `"${metric}" takes no statistic; write e.g. ${exampleSlo(metric)}`);
        return node;
      }
      if (!(STATS as readonly string[]).includes(statWord.text)) {
        this.error(statWord.range, `unknown statistic "${statWord.text}"; use ${listOf(STATS)}`);
        return node;
      }
      stat = statWord.text as Stat;
      skip();
    }
    const opM = /^(<=|>=|==|=<|=>|!=|<|>|=)/.exec(line.slice(at, end));
    if (!opM) {
      const r = this.src.span(rl.line, at, at < end ? at + 1 : at);
      if (dist && !stat) this.error(metricWord.range, `"${metric}" needs a statistic before the comparison, e.g. ${exampleSlo(metric)}`);
      else this.error(at < end ? r : node.range, `expected a comparison (<, <=, >, >= or ==) after "${line.slice(from, at).trim()}"; write ${usage}`);
      return node;
    }
    const opRange = this.src.span(rl.line, at, at + opM[1].length);
    node.op = { text: opM[1], range: opRange };
    const fixes: Record<string, string> = { '=<': '<=', '=>': '>=', '=': '==' };
    if (Object.hasOwn(fixes, opM[1])) {
      const f = fixes[opM[1]];
      this.error(opRange, `write "${f}" instead of "${opM[1]}"`, { range: opRange, text: f, title: `Change to "${f}"` });
      return node;
    }
    if (opM[1] === '!=') {
      this.error(opRange, '"!=" is not a comparison an SLO can use; use <, <=, >, >= or ==');
      return node;
    }
    if (dist && !stat) {
      this.error(metricWord.range, `"${metric}" needs a statistic before the comparison, e.g. ${exampleSlo(metric)}`);
      return node;
    }
    at += opM[1].length;
    skip();
    const valueText = line.slice(at, end);
    const valueRange = this.src.span(rl.line, at, end);
    if (valueText === '') {
      this.error(opRange, `expected a value after "${opM[1]}", e.g. ${exampleSlo(metric)}`);
      return node;
    }
    const compact = valueText.replace(/[ \t]+/g, '');
    const parsed = sloValue(metric, compact);
    if (!parsed.ok) {
      this.error(valueRange, parsed.message);
      return node;
    }
    node.value = { value: parsed.value, text: valueText, range: valueRange };
    node.parsed = { metric, stat, op: opM[1] as Comparison, value: parsed.value };
    if (group !== undefined) node.parsed.group = group;
    return node;
  }
}

// ---- helpers without parser state -------------------------------------------------------------

/** Why a JSON path of an sse or websocket block is malformed, or undefined (the check the protocols layer's mappingErrors makes). */
export function jsonPathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'empty JSON path';
  const e = new JsonPath(path).error;
  return e === undefined ? undefined : `malformed JSON path: ${e}`;
}

/** The closing tag that goes with an opening one: <think> gives </think>. */
function closingFor(open: string): string {
  const m = /^([<\[{(])(.*)$/.exec(open);
  return m ? `${m[1]}/${m[2]}` : `/${open}`;
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

function example(kind: Kind, what: string): string {
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

function kwExample(kw: string): string {
  if (kw === 'model') return 'e.g. model meta-llama/Llama-3.1-8B-Instruct';
  if (kw === 'tokenizer') return 'e.g. tokenizer Qwen/Qwen3-8B';
  return 'e.g. key ${secret:OPENAI_API_KEY}';
}

function exampleSlo(metric: Metric): string {
  const ex: Record<Metric, string> = {
    ttft: 'ttft p95 < 2s',
    ttfa: 'ttfa p95 < 5s',
    e2e: 'e2e p99 < 30s',
    token_rate: 'token_rate p50 >= 20/s',
    itl: 'itl p99 < 200ms',
    qpm: 'qpm >= 60',
    rps: 'rps >= 1',
    success: 'success >= 99%',
    error_rate: 'error_rate < 1%',
    accuracy: 'accuracy >= 80%',
    server: 'server kv_cache_usage max < 90%',
  };
  return ex[metric];
}

function sloValue(metric: Metric, text: string): U.Parsed<number> {
  switch (metric) {
    case 'ttft':
    case 'ttfa':
    case 'e2e':
    case 'itl':
      return U.parseDuration(text);
    case 'token_rate':
      return U.parseTokenRate(text);
    case 'qpm': {
      if (/^\d+(\.\d+)?$/.test(text)) return { ok: true, value: Number(text) };
      const r = U.parseRate(text);
      return r.ok ? { ok: true, value: r.value * 60 } : { ok: false, message: `expected requests per minute like 60 or 60 qpm, got "${text}"` };
    }
    case 'rps': {
      if (/^\d+(\.\d+)?$/.test(text)) return { ok: true, value: Number(text) };
      const r = U.parseRate(text);
      return r.ok ? r : { ok: false, message: `expected requests per second like 2 or 2 rps, got "${text}"` };
    }
    case 'success':
    case 'error_rate':
    case 'accuracy':
      return U.parsePercent(text);
    case 'server':
      return U.parseDecimal(text, 'value');
  }
}

/** Checks a target written without variables; targets with `${...}` are checked after resolving. */
export function checkTarget(text: string): { message: string; fix?: string } | undefined {
  if (text.includes('${')) return undefined;
  if (text.startsWith('builtin:')) {
    const profile = text.slice(8);
    const q = profile.indexOf('?');
    const name = q < 0 ? profile : profile.slice(0, q);
    if (!/^[A-Za-z0-9_-]+$/.test(name)) return { message: `expected a simulator profile after builtin:, e.g. builtin:reasoning, got "${text}"` };
    if (!Object.hasOwn(PROFILES, name)) {
      const near = closest(name, Object.keys(PROFILES));
      const known = Object.keys(PROFILES).join(', ');
      return near
        ? { message: `unknown simulator profile "${name}"; did you mean "${near}"?`, fix: `builtin:${near}${q < 0 ? '' : profile.slice(q)}` }
        : { message: `unknown simulator profile "${name}"; the built-in profiles are ${known}` };
    }
    if (q >= 0) {
      try {
        resolveProfile(profile);
      } catch (e) {
        return { message: `${(e as Error).message}; see docs/simulator.md for the options` };
      }
    }
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon > 0) {
    const scheme = text.slice(0, colon);
    const near = closest(scheme, ['builtin', 'http', 'https', 'ws', 'wss']);
    if (near && near !== scheme) return { message: `unknown target scheme "${scheme}:"; did you mean "${near}:"?`, fix: near + text.slice(colon) };
  }
  if (!/^(https?|wss?):\/\//.test(text)) return { message: `expected a URL like http://127.0.0.1:8000 or builtin:PROFILE, got "${text}"` };
  try {
    new URL(text);
  } catch {
    return { message: `"${text}" is not a valid URL` };
  }
  return undefined;
}

