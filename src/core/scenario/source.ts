/**
 * The scenario text split into lines, and helpers that build ranges on it. Every range the parser
 * reports is made here, so every range lies inside the text.
 */
import type { Range } from './diagnostics';

export class Source {
  readonly lines: string[];

  constructor(readonly text: string) {
    this.lines = text.split(/\r\n|\r|\n/);
  }

  get lineCount(): number {
    return this.lines.length;
  }

  line(i: number): string {
    return this.lines[i] ?? '';
  }

  /** A range on one line, clamped to the line. */
  span(line: number, start: number, end: number): Range {
    const l = Math.max(0, Math.min(line, this.lines.length - 1));
    const len = this.line(l).length;
    const s = Math.max(0, Math.min(start, len));
    const e = Math.max(s, Math.min(end, len));
    return { start: { line: l, character: s }, end: { line: l, character: e } };
  }

  /** A range across lines, clamped to the text. */
  between(startLine: number, startChar: number, endLine: number, endChar: number): Range {
    const a = this.span(startLine, startChar, startChar);
    const b = this.span(endLine, endChar, endChar);
    if (b.start.line < a.start.line || (b.start.line === a.start.line && b.start.character < a.start.character)) {
      return { start: a.start, end: a.start };
    }
    return { start: a.start, end: b.end };
  }

  /** The whole line, without leading indentation and without a trailing comment or whitespace. */
  lineContent(line: number, start: number, end: number): Range {
    return this.span(line, start, end);
  }

  /** The start of the text: where file-wide diagnostics go when there is no better place. */
  get origin(): Range {
    return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  }
}

/** Merge two ranges into the smallest range covering both. */
export function cover(a: Range, b: Range): Range {
  const start = before(a.start, b.start) ? a.start : b.start;
  const end = before(a.end, b.end) ? b.end : a.end;
  return { start, end };
}

function before(p: { line: number; character: number }, q: { line: number; character: number }): boolean {
  return p.line < q.line || (p.line === q.line && p.character < q.character);
}

export function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

export function isBlank(line: string): boolean {
  return indentOf(line) === line.length;
}
