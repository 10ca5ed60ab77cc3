/**
 * How the CLI prints a path: relative to the current directory when the path is inside it (what
 * the user can paste into the next command from where they stand), absolute otherwise (never
 * `../../x`, which reads differently from every other directory). The current directory itself is `.`.
 */
import path from 'node:path';

export function shownPath(p: string, cwd: string = process.cwd()): string {
  const abs = path.resolve(cwd, p);
  const rel = path.relative(cwd, abs);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) return abs;
  return rel;
}
