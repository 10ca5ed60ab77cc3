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

/** A message with every absolute path inside the current directory shown relative to it (as shownPath does). */
export function inCwd(message: string, cwd: string = process.cwd()): string {
  const prefix = cwd.endsWith(path.sep) ? cwd : cwd + path.sep;
  if (path.parse(cwd).root === cwd) return message; // at the root every path is "inside": leave them absolute
  return message.split(prefix).join('');
}
