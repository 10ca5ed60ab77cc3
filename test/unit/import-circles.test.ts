// The import-circle check of `npm test` (scripts/check-circles.mjs): it finds a circle, type-only
// imports included, says which files make it, and src/core has none beyond the allow-list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ALLOW_FILE, CORE_DIR, checkCircles, circleKey, circleText, readAllowList } from '../../scripts/check-circles.mjs';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/circles');

test('a circle with a type-only edge is found, with its files in order', async () => {
  const r = await checkCircles(FIXTURE);
  assert.equal(r.ok, false);
  assert.deepEqual(r.fresh, ['a.ts > b.ts']);
  assert.deepEqual(r.skipped, []);
  assert.match(r.report, /1 import circle\(s\) in test\/fixtures\/circles/);
  assert.match(r.report, /1\) a\.ts > b\.ts > a\.ts/);
});

test('the command fails on the fixture and names the circle', () => {
  const r = spawnSync(process.execPath, ['scripts/check-circles.mjs', 'test/fixtures/circles'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /a\.ts > b\.ts > a\.ts/);
});

test('an allowed circle passes; an allowed circle that is gone fails and asks for its line to go', async () => {
  assert.equal((await checkCircles(FIXTURE, ['b.ts > a.ts'].map((l) => circleKey(l.split(' > '))))).ok, true);
  const stale = await checkCircles(FIXTURE, ['a.ts > b.ts', 'b.ts > c.ts']);
  assert.equal(stale.ok, false);
  assert.deepEqual(stale.stale, ['b.ts > c.ts']);
  assert.match(stale.report, /no longer exist; delete their lines from scripts\/circles-allowed\.txt/);
});

test('a circle of three files through an import() type is found whichever file it starts from', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmload-circles-'));
  try {
    writeFileSync(path.join(dir, 'x.ts'), "import { y } from './y';\nexport const x = y + 1;\nexport type X = number;\n");
    writeFileSync(path.join(dir, 'y.ts'), "import type { Z } from './z';\nexport const y = 1;\nexport type Y = Z;\n");
    writeFileSync(path.join(dir, 'z.ts'), "export type Z = import('./x').X;\n");
    const r = await checkCircles(dir);
    assert.deepEqual(r.fresh, ['x.ts > y.ts > z.ts']);
    assert.equal(circleKey(['z.ts', 'x.ts', 'y.ts']), 'x.ts > y.ts > z.ts');
    assert.equal(circleText(['y.ts', 'z.ts', 'x.ts']), 'x.ts > y.ts > z.ts > x.ts');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('src/core has no import circle beyond the allow-list, which holds only other branches\' circles', async () => {
  const allowed = readAllowList(ALLOW_FILE);
  for (const c of allowed) assert.match(c, /^(compare\/|sim\/)/, `only compare/ and sim/ circles may be allowed: ${c}`);
  const r = await checkCircles(CORE_DIR, allowed);
  assert.equal(r.ok, true, r.report);
});
