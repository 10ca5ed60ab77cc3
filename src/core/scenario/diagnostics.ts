/** Positions are 0-based (line, character), as in VS Code and LSP; they are printed 1-based. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  range: Range;
  message: string;
  /** A replacement the editor can offer as a quick fix. */
  fix?: { range: Range; text: string; title: string };
}

/** `FILE:LINE:COL: error: MESSAGE`, with 1-based line and column. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message}`;
}
