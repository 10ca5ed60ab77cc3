// A bundled load worker gets its process's Node flags without tsx's loader flags (a run from
// TypeScript sources would load tsx's hooks in every load thread for nothing); other flags stay,
// and without tsx flags the worker inherits as usual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledWorkerExecArgv } from '../../src/core/load/worker-exec-argv';

test('tsx loader flags are left out, in both spellings, and nothing else', () => {
  assert.deepEqual(bundledWorkerExecArgv(['--import', 'tsx', '--cpu-prof', '--cpu-prof-dir=/tmp/p']), ['--cpu-prof', '--cpu-prof-dir=/tmp/p']);
  assert.deepEqual(bundledWorkerExecArgv(['--import=tsx', '--enable-source-maps']), ['--enable-source-maps']);
  assert.deepEqual(bundledWorkerExecArgv(['--require', 'tsx/cjs', '--loader', '/x/node_modules/tsx/dist/loader.mjs', '--import', './other.mjs']), ['--import', './other.mjs']);
});

test('without tsx flags the worker inherits (undefined), whatever else is there', () => {
  assert.equal(bundledWorkerExecArgv([]), undefined);
  assert.equal(bundledWorkerExecArgv(['--import', './my-hooks.mjs', '--max-old-space-size=4096']), undefined);
});
