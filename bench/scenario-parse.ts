/**
 * Scenario parser benchmark: parse (and parse + resolve) time of a generated 10,000-line scenario,
 * against JSON.parse of a JSON document of the same size, measured in this process. The median of
 * several runs after a warm-up. Goal (issue 3): no pause a user would notice while typing.
 */
import { parseScenario, resolvePlan } from '../src/core/scenario';
import { benchRow, type BenchRow } from './bench-kit';


/** A realistic scenario of about `lines` lines: settings, many prompts with every text form, an expect block. */
export function generateScenario(lines: number): string {
  const out: string[] = [
    '# Generated for the parser benchmark',
    'scenario "Benchmark: ${NAME}"',
    'var NAME big',
    'target http://127.0.0.1:8000/v1',
    'api openai-chat',
    'model bench-model',
    'timeout 2m',
    'timeout ttft 30s',
    'header X-Bench yes',
    'load step',
    '  start 2 users',
    '  add 2 users every 30s',
    '  max 64 users',
    '  hold 5m',
    'buckets 1k 4k 16k 32k',
    'trace first 500',
    '',
  ];
  let i = 0;
  while (out.length < lines - 30) {
    out.push(`prompt "prompt ${i}" weight ${1 + (i % 5)}`);
    out.push('  system You are a helpful assistant. # not a comment in text');
    if (i % 3 === 0) {
      out.push('  user');
      for (let k = 0; k < 6; k++) out.push(`    Paragraph line ${k} of prompt ${i} for ${'${NAME}'}, with some words to read.`);
    } else if (i % 3 === 1) {
      out.push('  user """');
      for (let k = 0; k < 5; k++) out.push(`    Fenced line ${k} of prompt ${i}: "quotes" and {braces}.`);
      out.push('    """');
    } else out.push(`  user Question ${i}: what is ${i} times ${i + 1}?`);
    out.push(`  max_tokens ${(i % 4) + 1}k`);
    out.push('  temperature 0.7');
    out.push('  stop "\\n\\n" END');
    out.push(`  body {"top_k": ${i % 50}, "tags": ["bench", "${'${NAME}'}"]}`);
    out.push('');
    i++;
  }
  while (out.length < lines - 9) out.push('# padding to the exact line count');
  out.push('expect', '  ttft p95 < 2s', '  ttfa p99 < 10s', '  e2e p99 < 60s', '  token_rate p50 >= 20/s', '  itl p99 < 250ms', '  qpm >= 100', '  success >= 99%', '  error_rate < 1%');
  return out.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void, runs: number): number {
  fn(); // warm-up
  const ts: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

export async function run(): Promise<BenchRow[]> {
  const text = generateScenario(10_000);
  const lineCount = text.split('\n').length - 1;
  // A JSON document of the same size: an array of objects with string fields.
  const items: { id: number; text: string }[] = [];
  let json = '[]';
  for (let k = 0; json.length < text.length; k++) {
    items.push({ id: k, text: `Paragraph line ${k} with some words to read and a few more.` });
    if (k % 100 === 0) json = JSON.stringify(items);
  }
  json = JSON.stringify(items);
  const runs = 15;
  const parse = time(() => parseScenario(text, '/bench/s.llmload'), runs);
  const { tree } = parseScenario(text, '/bench/s.llmload');
  const full = time(() => {
    const p = parseScenario(text, '/bench/s.llmload');
    resolvePlan(p.tree, { file: '/bench/s.llmload', env: {}, readFile: () => undefined });
  }, runs);
  const jsonMs = time(() => JSON.parse(json), runs);
  const split = time(() => text.split(/\r\n|\r|\n/), runs);
  void tree;
  const size = `${Math.round(text.length / 1024)} KB`;
  return [
    benchRow(`scenario parse, ${lineCount} lines (${size})`, parse, 'ms', `JSON.parse, ${Math.round(json.length / 1024)} KB`, jsonMs),
    benchRow(`scenario parse + resolve, ${lineCount} lines`, full, 'ms', `JSON.parse, ${Math.round(json.length / 1024)} KB`, jsonMs),
    benchRow(`scenario parse, ${lineCount} lines`, parse, 'ms', 'split into lines', split),
  ];
}

if (require.main === module) {
  run().then((rows) => console.table(rows));
}
