/**
 * What each client costs per request (issue 20): from a run's completed requests, wall time and
 * the client's CPU time (user + system of all its processes and threads, from the OS), the
 * throughput, CPU time per 1,000 requests and requests per CPU-second, and the bench rows that
 * compare llmload with Locust per CPU-second and with wrk's throughput.
 */
import { benchRow, type BenchRow } from './bench-kit';

export type Tool = 'llmload' | 'Locust' | 'wrk';

/** One measured run of a client. */
export interface ClientCost {
  tool: Tool;
  /** Completed requests (streams read to the end). */
  requests: number;
  /** Wall seconds of the load. */
  seconds: number;
  /** CPU seconds of the client over the load. */
  cpuS: number;
}

export interface Efficiency extends ClientCost {
  /** Requests per second. */
  perS: number;
  /** CPU time per 1,000 requests, ms. */
  cpuMsPer1k: number;
  /** Requests per CPU-second: the per-core measure. */
  perCpuS: number;
  /** CPU used, % of one core. */
  cpuPct: number;
}

export function efficiency(c: ClientCost): Efficiency {
  const ok = c.requests > 0 && c.cpuS > 0;
  return {
    ...c,
    perS: c.seconds > 0 ? c.requests / c.seconds : NaN,
    cpuMsPer1k: ok ? (c.cpuS / c.requests) * 1e6 : NaN,
    perCpuS: ok ? c.requests / c.cpuS : NaN,
    cpuPct: c.seconds > 0 ? (c.cpuS / c.seconds) * 100 : NaN,
  };
}

/** The element with the highest finite `by`, or undefined. */
export function bestBy<T>(xs: readonly T[], by: (x: T) => number): T | undefined {
  let best: T | undefined;
  for (const x of xs) if (Number.isFinite(by(x)) && (best === undefined || by(x) > by(best))) best = x;
  return best;
}

const f = (x: number | undefined, d = 0): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

/** A fixed-width table of each tool's best round, for the log. */
export function costTable(rounds: readonly Efficiency[]): string[] {
  const head = ['tool', 'rounds', 'req/s (best)', 'CPU % of one core', 'CPU-ms per 1,000 req', 'req per CPU-second (best)'];
  const lines = [head];
  for (const tool of ['llmload', 'Locust', 'wrk'] as const) {
    const mine = rounds.filter((r) => r.tool === tool);
    if (mine.length === 0) continue;
    const fast = bestBy(mine, (r) => r.perS);
    const lean = bestBy(mine, (r) => r.perCpuS);
    lines.push([tool, String(mine.length), f(fast?.perS), f(lean?.cpuPct), f(lean?.cpuMsPer1k, 1), f(lean?.perCpuS)]);
  }
  const w = head.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
}

/**
 * The rows of one part: requests per CPU-second and CPU per 1,000 requests against Locust and wrk,
 * and throughput against wrk's ceiling. `targets` marks the rows that carry the targets
 * (part (a): >= 3x Locust per CPU-second, >= 50% of wrk's throughput).
 */
export function costRows(part: string, rounds: readonly Efficiency[], targets: boolean): BenchRow[] {
  const lean = (t: Tool): Efficiency | undefined => bestBy(rounds.filter((r) => r.tool === t), (r) => r.perCpuS);
  const fast = (t: Tool): Efficiency | undefined => bestBy(rounds.filter((r) => r.tool === t), (r) => r.perS);
  const l = lean('llmload');
  const mark = (t: string): string => (targets ? ` [TARGET ${t}]` : '');
  return [
    benchRow(`${part}, llmload requests per CPU-second${mark('>= 3x')}`, l?.perCpuS ?? NaN, 'req/CPU-s', 'Locust req/CPU-s', lean('Locust')?.perCpuS ?? NaN),
    benchRow(`${part}, llmload CPU-ms per 1,000 requests`, l?.cpuMsPer1k ?? NaN, 'CPU-ms/1k', 'Locust CPU-ms/1k', lean('Locust')?.cpuMsPer1k ?? NaN),
    benchRow(`${part}, llmload CPU-ms per 1,000 requests`, l?.cpuMsPer1k ?? NaN, 'CPU-ms/1k', 'wrk CPU-ms/1k', lean('wrk')?.cpuMsPer1k ?? NaN),
    benchRow(`${part}, llmload req/s${mark('>= 0.5x')}`, fast('llmload')?.perS ?? NaN, 'req/s', 'wrk req/s (ceiling)', fast('wrk')?.perS ?? NaN),
  ];
}
