// Bundles the CLI, the load worker, the engine process and the VS Code extension with esbuild.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
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
};

await Promise.all([
  build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: { 'load-worker': 'src/core/load/worker.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: { 'engine-process': 'src/extension/engine-process.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode'] }),
]);
