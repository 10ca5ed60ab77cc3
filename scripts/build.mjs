// Bundles the CLI, the worker threads, the engine process and the VS Code extension with esbuild,
// and copies the bundled tokenizers' files into dist/tokenizers.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  outdir: 'dist',
};

const entries = [
  { cli: 'src/cli/main.ts' },
  { 'load-worker': 'src/core/load/worker.ts' },
  { 'engine-process': 'src/extension/engine-process.ts' },
  { 'tokenize-worker': 'src/core/tokenize/worker.ts' },
  { 'language-worker': 'src/extension/language/worker.ts' },
  { 'mirror-worker': 'src/core/mirror/worker.ts' },
];
await Promise.all([
  // zeromq loads its prebuilt native addon from its own package folder: required at run time, never bundled.
  ...entries.map((entryPoints) => build({ ...common, entryPoints, external: ['zeromq'] })),
  build({ ...common, entryPoints: { extension: 'src/extension/extension.ts' }, external: ['vscode'] }),
]);

// The results webview app (browser IIFE + CSS into dist/webview/), shared by the panel and HTML reports.
await (await import('../webview/build.mjs')).buildWebview();

const tokenizers = path.join(root, 'scripts', 'bundle-tokenizers.mjs');
if (existsSync(tokenizers)) {
  const r = spawnSync(process.execPath, [tokenizers], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
