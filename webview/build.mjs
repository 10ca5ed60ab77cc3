// Builds the results webview app (panel and HTML report share it): one browser IIFE and one CSS
// file into dist/webview/. Called by scripts/build.mjs and by tests that need the bundle.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export async function buildWebview(opts = {}) {
  await build({
    absWorkingDir: root,
    entryPoints: [
      { in: 'webview/src/main.ts', out: 'app' },
      { in: 'webview/src/styles.css', out: 'app' },
    ],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    outdir: 'dist/webview',
    entryNames: '[name]',
    minify: opts.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    tsconfig: 'webview/tsconfig.json',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildWebview();
