/**
 * The first parsing pass: groups lines into blocks by indentation. Blank lines and `#` comment
 * lines are skipped, except inside text blocks, which are captured raw: the indented lines under a
 * `system`/`user`/`assistant` turn, a `"""` fenced block, and the JSON lines of a `body`.
 * It never recurses, so any nesting depth is safe.
 */
import { lexLine, type LexedLine } from './lexer';
import { indentOf, isBlank, type Source } from './source';

/** One captured line of a text block: its text from `start` on the source line. */
export interface TextPiece {
  line: number;
  start: number;
  text: string;
}

export interface RawText {
  kind: 'indented' | 'fenced' | 'json';
  pieces: TextPiece[];
  /** For fenced blocks: false when no closing `"""` was found. */
  closed: boolean;
  /** Where the opening `"""` is. */
  opener?: { line: number; start: number; end: number };
}

export interface RawLine {
  line: number;
  indent: number;
  lex: LexedLine;
  children: RawLine[];
  text?: RawText;
  /** Last line and character the directive covers, block included. */
  endLine: number;
  endChar: number;
  /** Set when the line's indentation does not match its siblings. */
  misindented?: boolean;
}

export const TEXT_KEYWORDS = new Set(['system', 'user', 'assistant']);

/**
 * Splits the file into lines with their indented blocks. `directiveWords` are the words a line may
 * start with that end an unclosed """ text block (blocks/registry.ts gives them).
 */
export function buildStructure(src: Source, directiveWords: ReadonlySet<string>): RawLine[] {
  const root: RawLine[] = [];
  // Top-level lines belong at column 0. A line indented unlike its siblings is flagged once; the
  // block then follows the new indentation, so one stray indent gives one diagnostic.
  const stack: { indent: number; node: RawLine | null; childIndent?: number }[] = [{ indent: -1, node: null, childIndent: 0 }];
  const n = src.lineCount;
  let i = 0;
  while (i < n) {
    const text = src.line(i);
    if (isBlank(text) || text[indentOf(text)] === '#') {
      i++;
      continue;
    }
    const indent = indentOf(text);
    const lex = lexLine(text, indent);
    const rl: RawLine = { line: i, indent, lex, children: [], endLine: i, endChar: lex.contentEnd };
    while (stack.length > 1 && stack[stack.length - 1].indent >= indent) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent.childIndent === undefined) parent.childIndent = indent;
    else if (parent.childIndent !== indent) {
      rl.misindented = true;
      if (parent.node) parent.childIndent = indent;
    }
    (parent.node ? parent.node.children : root).push(rl);
    stack.push({ indent, node: rl });
    i++;

    const kw = lex.tokens[0]?.value;
    if (kw !== undefined && TEXT_KEYWORDS.has(kw)) i = captureText(src, rl, i, directiveWords);
    else if (kw === 'body' || kw === 'message') i = captureJson(src, rl, i);
    else continue;
    // A captured block ends the directive; extend the ranges of its ancestors below.
  }
  for (const top of root) extend(top);
  return root;
}

/** Sets endLine/endChar of every node to cover its children, without recursion. */
function extend(top: RawLine): void {
  const order: RawLine[] = [];
  const todo = [top];
  while (todo.length) {
    const r = todo.pop()!;
    order.push(r);
    for (const c of r.children) todo.push(c);
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const r = order[k];
    for (const c of r.children) {
      if (c.endLine > r.endLine || (c.endLine === r.endLine && c.endChar > r.endChar)) {
        r.endLine = c.endLine;
        r.endChar = c.endChar;
      }
    }
  }
}

function captureText(src: Source, rl: RawLine, next: number, directiveWords: ReadonlySet<string>): number {
  const line = src.line(rl.line);
  const kwEnd = rl.lex.tokens[0].end;
  let at = kwEnd;
  while (at < line.length && (line[at] === ' ' || line[at] === '\t')) at++;
  const inline = line.slice(at);
  if (inline.startsWith('"""') && inline.indexOf('"""', 3) < 0) {
    // A fenced block: runs to the first line ending in """. Its lines may start at any column, but
    // a line at or left of the turn that starts with a directive word ends it unclosed, so a
    // forgotten """ cannot swallow the prompts after it.
    const opener = { line: rl.line, start: at, end: at + 3 };
    const pieces: TextPiece[] = [];
    const first = inline.slice(3);
    if (first.trim() !== '') pieces.push({ line: rl.line, start: at + 3, text: first });
    let j = next;
    let closed = false;
    while (j < src.lineCount) {
      const t = src.line(j);
      const ind = indentOf(t);
      if (!isBlank(t) && ind <= rl.indent && directiveWords.has(/^[A-Za-z_]+/.exec(t.slice(ind))?.[0] ?? '')) break;
      if (t.trimEnd().endsWith('"""')) {
        closed = true;
        break;
      }
      j++;
    }
    for (let k = next; k < j; k++) pieces.push({ line: k, start: 0, text: src.line(k) });
    if (closed) {
      const last = src.line(j).trimEnd();
      const before = last.slice(0, -3);
      if (before.trim() !== '') pieces.push({ line: j, start: 0, text: before });
      rl.text = { kind: 'fenced', pieces, closed: true, opener };
      rl.endLine = j;
      rl.endChar = last.length;
      return j + 1;
    }
    while (pieces.length && pieces[pieces.length - 1].text.trim() === '' && pieces[pieces.length - 1].line !== rl.line) pieces.pop();
    rl.text = { kind: 'fenced', pieces, closed: false, opener };
    setEnd(src, rl, pieces);
    return pieces.length && pieces[pieces.length - 1].line !== rl.line ? pieces[pieces.length - 1].line + 1 : next;
  }
  // An indented block: every following line that is blank or indented deeper than the turn.
  let j = next;
  let last = next - 1;
  while (j < src.lineCount) {
    const t = src.line(j);
    if (isBlank(t)) {
      j++;
      continue;
    }
    if (indentOf(t) > rl.indent) {
      last = j;
      j++;
    } else break;
  }
  if (last >= next) {
    const pieces: TextPiece[] = [];
    for (let k = next; k <= last; k++) pieces.push({ line: k, start: 0, text: src.line(k) });
    rl.text = { kind: 'indented', pieces, closed: true };
    setEnd(src, rl, pieces);
  }
  return last + 1;
}

function setEnd(src: Source, rl: RawLine, pieces: TextPiece[]): void {
  for (let k = pieces.length - 1; k >= 0; k--) {
    if (pieces[k].text.trim() !== '') {
      rl.endLine = pieces[k].line;
      rl.endChar = src.line(pieces[k].line).trimEnd().length;
      return;
    }
  }
}

/** `body {...}` (or a websocket `message {...}`) on one line, or opened on the body line and closed on a later one, or indented below. */
function captureJson(src: Source, rl: RawLine, next: number): number {
  const line = src.line(rl.line);
  let at = rl.lex.tokens[0].end;
  while (at < line.length && (line[at] === ' ' || line[at] === '\t')) at++;
  const pieces: TextPiece[] = [];
  let depth = 0;
  const state = { inString: false, escape: false };
  if (at < line.length) {
    pieces.push({ line: rl.line, start: at, text: line.slice(at) });
    depth = braceDepth(line.slice(at), 0, state);
  }
  let j = next;
  const indented = pieces.length === 0;
  while (j < src.lineCount) {
    if (!indented && depth <= 0) break;
    const t = src.line(j);
    const trimmed = t.trim();
    const deeper = indentOf(t) > rl.indent;
    if (!isBlank(t) && !deeper && !(!indented && (trimmed.startsWith('}') || trimmed.startsWith(']')))) break;
    pieces.push({ line: j, start: 0, text: t });
    depth = braceDepth(t, depth, state);
    j++;
  }
  while (pieces.length > 1 && pieces[pieces.length - 1].text.trim() === '') {
    pieces.pop();
    j--;
  }
  rl.text = { kind: 'json', pieces, closed: depth <= 0 };
  if (pieces.length) setEnd(src, rl, pieces);
  return Math.max(next, j);
}

function braceDepth(text: string, depth: number, st: { inString: boolean; escape: boolean }): number {
  for (const c of text) {
    if (st.inString) {
      if (st.escape) st.escape = false;
      else if (c === '\\') st.escape = true;
      else if (c === '"') st.inString = false;
    } else if (c === '"') st.inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return depth;
}
