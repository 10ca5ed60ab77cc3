/**
 * `npm run bench`: runs every bench module (bench/*.ts exporting `run(): Promise<BenchRow[]>`) in
 * one invocation and prints one table of ratios. A module that fails to load or run is skipped,
 * and the table says so. Never part of `npm test`.
 */
import os from 'node:os';
import type { BenchRow } from './bench-kit';

const MODULES = ['./scenario-parse', './tokenize', './load-bench', './client-floor', './redact-micro', './locust-fleet', './mirror-overhead'];

const loadAvg = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return String(Math.round(x * 1000) / 1000);
}

async function main(): Promise<void> {
  const rows: Array<BenchRow & { module: string }> = [];
  const skipped: string[] = [];
  /** Each module's load average at its start and end: other processes on the cores skew every figure. */
  const loads: string[] = [];
  const only = process.argv.slice(2);
  for (const name of MODULES) {
    if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
    let mod: { run?: () => Promise<BenchRow[]> };
    try {
      mod = (await import(name)) as { run?: () => Promise<BenchRow[]> };
    } catch (e) {
      skipped.push(`${name}: failed to load (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    if (typeof mod.run !== 'function') {
      skipped.push(`${name}: exports no run()`);
      continue;
    }
    console.log(`== ${name.slice(2)} ==`);
    const before = loadAvg();
    console.log(`[${name.slice(2)}] load average (1/5/15 min) at the start: ${before}`);
    try {
      for (const r of await mod.run()) rows.push({ ...r, module: name.slice(2) });
    } catch (e) {
      skipped.push(`${name}: failed (${(e as Error).message.split('\n')[0]})`);
    }
    const after = loadAvg();
    console.log(`[${name.slice(2)}] load average (1/5/15 min) at the end: ${after}`);
    loads.push(`${name.slice(2)}: ${before} -> ${after}`);
  }
  const head = ['module', 'measure', 'value', 'unit', 'baseline', 'baseline value', 'ratio'];
  const cells = rows.map((r) => [r.module, r.name, fmt(r.value), r.unit, r.baseline_name, fmt(r.baseline), Number.isFinite(r.ratio) ? `${r.ratio}x` : 'n/a']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i >= 2 && i !== 3 && i !== 4 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ');
  console.log('');
  console.log(`bench on ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
  for (const s of skipped) console.log(`skipped ${s}`);
  console.log('');
  console.log(`machine load average (1/5/15 min) at each module's start -> end, on ${os.availableParallelism()} cores:`);
  for (const l of loads) console.log(`  ${l}`);
  console.log('Rows marked [TARGET ...] carry issue 20\'s targets: (a) llmload requests per CPU-second >= 3x Locust\'s, (a) llmload req/s >= 0.5x wrk\'s, (c) TTFT error p99 <= 5 ms at 2,000 streams; and issue 19\'s: the mirror adds <= 1 ms to TTFT at p99 (each request less its own time in the server).');
  // worker threads and servers are closed by each module; nothing should keep the process alive
  process.exit(0);
}

void main();
