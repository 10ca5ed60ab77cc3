/**
 * The lines of a prompt or dataset block that build the request: turns (`system`, `user`,
 * `assistant`), `max_tokens`, `temperature`, `top_p`, `seed`, `stop` sequences, `body`, and the
 * numeric settings of datasets (`sample`, `count`, `shuffle`, `unique`); `weight` on the block's
 * own line. A block's own lines (a dataset's `answer`, `input`...) come through its `own` parser.
 */
import type { Message, RequestParams, Role } from '../plan';
import { example, type Kind } from '../line-reader';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import { notFound } from '../resolve-core';
import type { RawLine } from '../structure';
import { closest } from '../suggest';
import type { DatasetChild, DatasetFormat, PromptChild, Quantity, SettingName, SettingNode, StopSequencesNode, TextValue, TurnNode } from '../tree';
import { parseBody, resolveBodyJson } from './body';
import { parseSession } from './session-line';

export const PARAMS: Record<string, string> = {
  max_tokens: 'Most output tokens per request: max_tokens 512',
  temperature: 'Sampling temperature, 0 to 2',
  top_p: 'Nucleus sampling mass, above 0 up to 1',
  stop: 'Stop sequences: stop "\\n\\n" "END"',
  body: 'Raw JSON merged into the request body: body {"top_k": 40}',
};

export const TURNS: Record<string, string> = {
  system: 'A system turn: text on the line, an indented block, a """ block, or @file PATH',
  user: 'A user turn: text on the line, an indented block, a """ block, or @file PATH',
  assistant: 'An assistant turn: text on the line, an indented block, a """ block, or @file PATH',
};

export function parseSetting(p: ParseCore, rl: RawLine, name: SettingName): SettingNode {
  const node: SettingNode = { kind: 'setting', ...p.base(rl), name };
  if (name === 'shuffle' || name === 'unique') {
    p.extra(rl, 1, `${name} on its own`);
    node.value = { value: 1, text: name, range: p.tokR(rl, rl.lex.tokens[0]) };
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
  const { q, next } = p.quantity(rl, 1, kind, name);
  if (p.extra(rl, next, `${name} ${example(kind, name).replace(/^write /, '').replace(/^e\.g\. /, '')}`)) return node;
  if (name === 'top_p') node.value = q && q.value === 0 ? (p.error(q.range, `top_p must be above 0 and at most 1, got ${q.text}`), undefined) : p.bounded(q, name, min, max, minText);
  else node.value = p.bounded(q, name, min, max, minText);
  return node;
}

/** Optional `weight N` at token i. */
export function parseWeight(p: ParseCore, rl: RawLine, i: number, usage: string): { q?: Quantity; bad: boolean } {
  const ts = rl.lex.tokens;
  if (!ts[i]) return { bad: false };
  if (ts[i].value !== 'weight') {
    p.extra(rl, i, usage, ['weight']);
    return { bad: true };
  }
  const { q, next } = p.quantity(rl, i + 1, 'decimal', 'weight');
  if (p.extra(rl, next, usage)) return { q, bad: true };
  const piece = p.positive(q, 'weight');
  return { q: piece, bad: !piece };
}

/** A line inside a prompt or dataset block. */
/**
 * A line inside a prompt or dataset block: `words` are the block's words, `own` parses the lines
 * only that block has (undefined for a word it leaves to this function).
 */
export function parseBlockChild(
  p: ParseCore,
  rl: RawLine,
  ctx: 'prompt' | DatasetFormat,
  words: Record<string, string>,
  own?: (p: ParseCore, rl: RawLine, kw: string) => DatasetChild | undefined,
): DatasetChild {
  if (rl.misindented && !p.afterUnknownRun(rl)) p.misindented(rl);
  const kw = p.kw(rl);
  if (!Object.hasOwn(words, kw)) return p.unknown(rl, ctx);
  if (kw === 'system' || kw === 'user' || kw === 'assistant') return parseTurn(p, rl, kw);
  if (!p.lexOk(rl)) return { kind: 'unknown', ...p.base(rl) };
  if (kw !== 'body') p.noBlock(rl);
  switch (kw) {
    case 'max_tokens':
    case 'temperature':
    case 'top_p':
    case 'seed':
    case 'sample':
    case 'count':
    case 'shuffle':
    case 'unique':
      return parseSetting(p, rl, kw);
    case 'stop':
      return parseStopSequences(p, rl);
    case 'body':
      return parseBody(p, rl, 'body');
    case 'session':
    case 'sessions':
      return parseSession(p, rl);
    default:
      return own?.(p, rl, kw) ?? p.unknown(rl, ctx);
  }
}

export function parseTurn(p: ParseCore, rl: RawLine, role: Role): TurnNode {
  const node: TurnNode = { kind: 'turn', ...p.base(rl), role, form: 'inline' };
  const line = p.src.line(rl.line);
  let at = rl.lex.tokens[0].end;
  while (at < line.length && (line[at] === ' ' || line[at] === '\t')) at++;
  const inline = line.slice(at).replace(/[ \t]+$/, '');
  const block = rl.text;
  if (block?.kind === 'fenced') {
    node.form = 'fenced';
    if (!block.closed) {
      const o = block.opener!;
      p.error(p.src.span(o.line, o.start, o.end), `unclosed """ text block; end it with a line holding """`);
    }
    node.text = p.blockValue(block.pieces);
    if (!node.text && block.closed) p.error(p.tokR(rl, rl.lex.tokens[0]), `${role} turn is empty; write its text between the """ lines`);
    return node;
  }
  const at1 = /^@([A-Za-z]+)\b/.exec(inline);
  if (at1 && at1[1] !== 'file' && closest(at1[1], ['file'])) {
    const r = p.src.span(rl.line, at, at + at1[0].length);
    p.error(r, `unknown include "${at1[0]}"; did you mean "@file"? (to start the text with @, put it in quotes)`, { range: r, text: '@file', title: 'Change to "@file"' });
    return node;
  }
  if (inline.startsWith('@file')) {
    node.form = 'file';
    const after = inline.slice(5);
    const pathStart = at + 5 + (after.length - after.trimStart().length);
    const pathText = after.trim();
    if (after !== '' && !/^[ \t]/.test(after)) {
      p.error(p.src.span(rl.line, at, at + inline.length), `write a space after @file, e.g. ${role} @file prompts/long.txt`);
    } else if (pathText === '') {
      p.error(p.src.span(rl.line, at, at + 5), `@file needs a path, e.g. ${role} @file prompts/long.txt`);
    } else {
      const quoted = pathText.startsWith('"') && pathText.endsWith('"') && pathText.length >= 2;
      const value = quoted ? pathText.slice(1, -1) : pathText;
      node.file = p.textValue(rl.line, pathStart, pathStart + pathText.length, value, quoted);
    }
    if (block) p.error(p.src.span(block.pieces[0].line, 0, p.src.line(block.pieces[0].line).length), `a ${role} turn read with @file takes no text below it; move the text into the file or drop @file`);
    return node;
  }
  let inlineValue: TextValue | undefined;
  if (inline.startsWith('"""')) {
    const close = inline.indexOf('"""', 3);
    inlineValue = p.textValue(rl.line, at + 3, at + close, inline.slice(3, close), true);
    if (close + 3 < inline.length) p.error(p.src.span(rl.line, at + close + 3, at + inline.length), 'unexpected text after the closing """');
    node.form = 'fenced';
  } else if (inline !== '') {
    const ts = rl.lex.tokens;
    const single = ts.length === 2 && ts[1].quoted && rl.lex.errors.length === 0 && ts[1].end === at + inline.length;
    inlineValue = single ? p.one(rl, ts[1]) : p.textValue(rl.line, at, at + inline.length, inline, false);
  }
  if (block) {
    const b = p.blockValue(block.pieces);
    if (inlineValue && b) {
      node.text = { ...b, text: `${inlineValue.text}\n${b.text}`, range: { start: inlineValue.range.start, end: b.range.end }, refs: [...inlineValue.refs, ...b.refs], fields: [...inlineValue.fields, ...b.fields] };
    } else node.text = inlineValue ?? b;
    if (!inlineValue) node.form = 'block';
  } else node.text = inlineValue;
  if (!node.text || (node.text.text === '' && !node.text.quoted)) {
    p.error(p.tokR(rl, rl.lex.tokens[0]), `${role} turn is empty; write the text after "${role}" or on indented lines below it`);
  }
  return node;
}

export function parseStopSequences(p: ParseCore, rl: RawLine): StopSequencesNode {
  const ts = rl.lex.tokens;
  const first = ts[1];
  if (first && !first.quoted && (first.value === 'after' || first.value === 'errors')) {
    // `stop after 5m` indented under a block: the run's stop condition, not stop sequences.
    p.error(p.lineR(rl), `"stop ${first.value} ..." ends the run and is a top-level directive; move it out of the block (inside it, stop takes stop sequences, e.g. stop "\\n\\n")`);
    return { kind: 'stop_sequences', ...p.base(rl), values: [] };
  }
  const values = ts.slice(1).map((t) => p.one(rl, t));
  if (values.length === 0) p.missing(rl, 'stop needs at least one stop sequence, e.g. stop "\\n\\n" "END"');
  return { kind: 'stop_sequences', ...p.base(rl), values };
}

// ---- resolution --------------------------------------------------------------------------------

export function resolveMessages(r: Resolution, turns: TurnNode[]): Message[] | undefined {
  const out: Message[] = [];
  let failed = false;
  for (const t of turns) {
    let content: string | undefined;
    if (t.form === 'file') {
      const rel = r.text(t.file);
      if (rel === undefined) {
        failed = true;
        continue;
      }
      const abs = r.abs(rel);
      content = r.read(abs)?.replace(/(\r?\n)+$/, '');
      if (content === undefined) {
        r.error(t.file!.range, notFound(rel, abs));
        failed = true;
        continue;
      }
    } else {
      content = r.text(t.text);
      if (content === undefined) {
        failed = true;
        continue;
      }
    }
    out.push({ role: t.role, content });
  }
  return failed ? undefined : out;
}

export function resolveParams(r: Resolution, children: readonly (PromptChild | DatasetChild)[]): { params: RequestParams; body?: Record<string, unknown> } {
  const params: RequestParams = {};
  let body: Record<string, unknown> | undefined;
  const seen = new Map<string, number>();
  for (const c of children) {
    const label = c.kind === 'setting' ? c.name : c.kind === 'stop_sequences' ? 'stop' : c.kind === 'body' ? 'body' : c.kind === 'answer' ? 'answer' : c.kind === 'token_span' ? c.name : c.kind === 'grade_option' ? c.name : undefined;
    if (label === undefined) continue;
    if (r.repeated(seen, label, c, `"${label}" line`)) continue;
    if (c.kind === 'setting' && c.value) {
      if (c.name === 'max_tokens' || c.name === 'temperature' || c.name === 'top_p' || c.name === 'seed') params[c.name] = c.value.value;
    } else if (c.kind === 'stop_sequences' && c.values.length) {
      const stops = c.values.map((v) => r.text(v));
      if (stops.every((s) => s !== undefined)) params.stop = stops as string[];
    } else if (c.kind === 'body' && c.json) body = resolveBodyJson(r, c);
  }
  return { params, body };
}
