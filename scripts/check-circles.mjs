// The import-circle check of `npm test`: no file of src/core may reach itself again through its
// imports. Type-only imports (`import type`, `import('./x').T`) count too: a circle of types is
// still two layers that each need the other. The graph comes from madge (detective-typescript
// reads every import form); the circles it finds, minus those listed in
// scripts/circles-allowed.txt, fail the check with one readable line each.
//
//   node scripts/check-circles.mjs            checks src/core against the allow-list
//   node scripts/check-circles.mjs DIR        checks DIR, no allow-list
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CORE_DIR = path.join(ROOT, 'src/core');
export const ALLOW_FILE = path.join(ROOT, 'scripts/circles-allowed.txt');

/** One circle as a stable key: its files rotated to start at the smallest name, then ` > ` between them. */
export function circleKey(files) {
  let start = 0;
  for (let i = 1; i < files.length; i++) if (files[i] < files[start]) start = i;
  return [...files.slice(start), ...files.slice(0, start)].join(' > ');
}

/** How a circle reads in a message: `a.ts > b.ts > a.ts` (back to where it started). */
export function circleText(files) {
  const key = circleKey(files).split(' > ');
  return [...key, key[0]].join(' > ');
}

/**
 * Every import circle madge finds among the .ts files under `dir` (paths relative to `dir`), as
 * keys (circleKey). Files madge could not read are returned in `skipped`: a file it cannot read
 * hides its imports, so the caller treats them as a failure too.
 */
export async function findCircles(dir) {
  const graph = await madge(dir, {
    fileExtensions: ['ts'],
    tsConfig: path.join(ROOT, 'tsconfig.json'),
    // Count type-only imports (madge's default; said here so no config file can turn it off).
    detectiveOptions: { ts: { skipTypeImports: false, skipAsyncImports: false } },
  });
  return { circles: graph.circular().map(circleKey), skipped: graph.warnings().skipped, files: Object.keys(graph.obj()).length };
}

/** The allowed circles: one key per line (`a.ts > b.ts`, in any rotation), `#` starts a comment. */
export function readAllowList(file = ALLOW_FILE) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '')
    .map((l) => circleKey(l.split(/\s*>\s*/)));
}

/**
 * The check's verdict for `dir`: the circles not allowed, the allowed ones no longer there (their
 * line should go), the unreadable files, and the report to print.
 */
export async function checkCircles(dir, allowed = []) {
  const { circles, skipped, files } = await findCircles(dir);
  const allow = new Set(allowed);
  const found = new Set(circles);
  const fresh = circles.filter((c) => !allow.has(c));
  const stale = allowed.filter((c) => !found.has(c));
  const rel = path.relative(ROOT, dir) || '.';
  const lines = [];
  if (fresh.length > 0) {
    lines.push(`${fresh.length} import circle(s) in ${rel} (type-only imports count):`);
    fresh.forEach((c, i) => lines.push(`  ${i + 1}) ${circleText(c.split(' > '))}`));
    lines.push('Cut each one: move the shared type or function to a module below both files (see docs/architecture.md, "Import rules").');
  }
  if (stale.length > 0) {
    lines.push(`${stale.length} allowed circle(s) no longer exist; delete their lines from ${path.relative(ROOT, ALLOW_FILE)}:`);
    stale.forEach((c) => lines.push(`  ${c}`));
  }
  if (skipped.length > 0) lines.push(`madge could not read ${skipped.length} file(s), so their imports were not checked: ${skipped.join(', ')}`);
  const ok = lines.length === 0;
  if (ok) lines.push(`no import circles in ${rel} (${files} files)${allowed.length ? ` beyond the ${allowed.length} allowed in ${path.relative(ROOT, ALLOW_FILE)}` : ''}`);
  return { ok, fresh, stale, skipped, report: lines.join('\n') };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ? path.resolve(process.argv[2]) : CORE_DIR;
  const allowed = process.argv[2] ? [] : readAllowList();
  // No top-level await: the unit test loads this file through require().
  checkCircles(dir, allowed).then((r) => {
    (r.ok ? console.log : console.error)(r.report);
    process.exitCode = r.ok ? 0 : 1;
  });
}
