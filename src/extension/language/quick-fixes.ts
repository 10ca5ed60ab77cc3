/**
 * Quick fixes for the scenario's diagnostics: every "did you mean" gets one. A diagnostic that
 * carries its own fix (most do) uses it; otherwise the misspelt word (the first quoted word of the
 * message) is found inside the diagnostic's range and replaced by the suggestion. No `vscode` import.
 */
import type { Diagnostic, Range } from '../../core/scenario/diagnostics';

export interface QuickFix {
  title: string;
  range: Range;
  text: string;
}

const DID_YOU_MEAN = /did you mean "([^"]+)"/;

export function quickFixFor(d: Diagnostic, text: string): QuickFix | undefined {
  if (d.fix) return { title: d.fix.title, range: d.fix.range, text: d.fix.text };
  const m = DID_YOU_MEAN.exec(d.message);
  if (!m) return undefined;
  const suggestion = m[1]!;
  const wrong = /"([^"]+)"/.exec(d.message)?.[1];
  if (!wrong || wrong === suggestion) return undefined;
  const lines = text.split(/\r\n|\r|\n/);
  // Look for the misspelt word within the diagnostic's lines (on its first line from its start column).
  for (let line = d.range.start.line; line <= d.range.end.line && line < lines.length; line++) {
    const from = line === d.range.start.line ? d.range.start.character : 0;
    const to = line === d.range.end.line && d.range.end.character > from ? d.range.end.character : lines[line]!.length;
    const at = lines[line]!.slice(0, Math.max(to, from + wrong.length)).indexOf(wrong, from);
    if (at >= 0) {
      // "rps:" style suggestions keep the word's own trailing punctuation as written.
      return { title: `Change to "${suggestion}"`, range: { start: { line, character: at }, end: { line, character: at + wrong.length } }, text: suggestion };
    }
  }
  return undefined;
}
