// Runs every test/unit/**/*.test.ts with Node's own test runner, TypeScript loaded through tsx.
// Optional arguments filter the files by substring: `node scripts/run-tests.mjs sse scenario`.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

// The report and panel tests render pages in Debian's Chromium (/usr/bin/chromium). On a fresh
// machine, where we are root with apt-get, install it once; elsewhere say how.
const CHROMIUM = '/usr/bin/chromium';
function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!root || !apt) {
    console.error(`note: ${CHROMIUM} is missing, so the browser tests will fail; install it with: sudo apt-get install -y chromium`);
    return;
  }
  console.error('installing Debian chromium for the browser tests (once)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? find(p) : e.name.endsWith('.test.ts') ? [p] : [];
  });
}
const filters = process.argv.slice(2);
const files = find('test/unit').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
if (files.some((f) => /report|panel-view/.test(f))) ensureChromium();
// The tests' temporary files (run folders, captures, JUnit files, browser profiles) go into one
// folder of this run, through TMPDIR, which the test processes and all they start inherit: removed
// when every test passed, kept and named when one failed, so a failure's files can be looked at.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmload-tests-'));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env: { ...process.env, TMPDIR: tmp } });
if (r.status === 0) rmSync(tmp, { recursive: true, force: true });
else console.error(`the tests' temporary files are kept in ${tmp}`);
process.exit(r.status ?? 1);
