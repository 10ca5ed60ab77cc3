/**
 * Tokenizer benchmark: load time of each bundled tokenizer and the time to count a ~100k-token
 * text once loaded, first count of that text (cold caches) and again (warm), each against
 * Hugging Face's Rust tokenizers (Node bindings) on the same file and text, in this process.
 * Target (issue 6): 100k tokens counted in <= 300 ms once the tokenizer is loaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { BUNDLED_FAMILIES, clearTokenizerCache, loadTokenizer } from '../src/core/tokenize';
import { locateBundled } from '../src/core/tokenize/bundled';
import { benchRow, type BenchRow } from './bench-kit';

const root = path.resolve(__dirname, '..');

const row = (name: string, value: number, unit: string, baseline_name: string, baseline: number): BenchRow => benchRow(name, value, unit, baseline_name, baseline, 1);

/** Source-like English text (TypeScript's DOM typings) with some CJK and emoji lines, ~100k tokens. */
function benchText(): string {
  const dom = readFileSync(require.resolve('typescript/lib/lib.dom.d.ts'), 'utf8');
  const extra = '\n// 数据中心的吞吐量 👍 résumé naïve 東京 서울\n';
  let text = '';
  for (let i = 0; text.length < 420_000; i += 20_000) text += dom.slice(i, i + 20_000) + extra;
  return text;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dist = path.join(root, 'dist');
  const codeDir = existsSync(path.join(dist, 'tokenizers')) ? dist : undefined;
  const text = benchText();
  for (const family of BUNDLED_FAMILIES.filter((f) => f.name !== 'deepseek-r1')) {
    clearTokenizerCache();
    const files = locateBundled(family, codeDir);
    if (!files) throw new Error(`no files for ${family.name}`);
    const plainJson = locateBundled(family)!.tokenizerJson; // the Rust binding reads uncompressed JSON

    let t = performance.now();
    const tok = await loadTokenizer(family.name, { codeDir });
    const loadMs = performance.now() - t;
    t = performance.now();
    const rust = RustTokenizer.fromFile(plainJson);
    const rustLoadMs = performance.now() - t;
    rows.push(row(`tokenize.load.${family.name}`, loadMs, 'ms', 'rust-tokenizers.load', rustLoadMs));

    t = performance.now();
    const n = tok.count(text);
    const countMs = performance.now() - t;
    t = performance.now();
    const rn = (await rust.encode(text, null, { addSpecialTokens: false })).getLength();
    const rustMs = performance.now() - t;
    if (rn !== n) throw new Error(`${family.name}: llmload counts ${n} tokens, Rust tokenizers ${rn}`);
    const per100k = (ms: number) => (ms * 100_000) / n;
    t = performance.now();
    tok.count(text);
    const warmMs = performance.now() - t;
    t = performance.now();
    await rust.encode(text, null, { addSpecialTokens: false });
    const rustWarmMs = performance.now() - t;
    rows.push(row(`tokenize.count_100k.${family.name}`, per100k(countMs), 'ms', 'rust-tokenizers.count_100k', per100k(rustMs)));
    rows.push(row(`tokenize.count_100k_again.${family.name}`, per100k(warmMs), 'ms', 'rust-tokenizers.count_100k_again', per100k(rustWarmMs)));
    rows.push(row(`tokenize.tokens_per_s.${family.name}`, (n / countMs) * 1000, 'tokens/s', 'rust-tokenizers.tokens_per_s', (n / rustMs) * 1000));
  }
  return rows;
}

if (require.main === module) {
  run().then(
    (rows) => console.table(rows),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
