import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const CORE = path.join(__dirname, '..', '..', 'src', 'core');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** An import, export-from, require or import() of the `vscode` module (or a path inside it). */
const VSCODE_IMPORT = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|\bimport\s+)['"]vscode(?:\/[^'"]*)?['"]/;

test('the pattern finds each way of importing vscode, and not the word in text', () => {
  for (const s of [`import * as vscode from 'vscode';`, `import type { Uri } from "vscode";`, `const v = require('vscode');`, `await import('vscode')`, `import 'vscode';`, `export { Uri } from 'vscode';`]) assert.match(s, VSCODE_IMPORT, s);
  for (const s of [`// runs outside vscode`, `const name = 'vscode';`, `import x from './vscode-like';`]) assert.doesNotMatch(s, VSCODE_IMPORT, s);
});

test('nothing in src/core imports vscode (docs/architecture.md)', () => {
  const files = tsFiles(CORE);
  assert.ok(files.length > 100, 'the core was found');
  const offenders = files.filter((f) => VSCODE_IMPORT.test(fs.readFileSync(f, 'utf8'))).map((f) => path.relative(CORE, f));
  assert.deepEqual(offenders, []);
});
