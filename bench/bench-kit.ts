/**
 * What every bench module shares: the row `npm run bench` prints (bench/run.ts), how a row is
 * rounded, numbers read from the environment, and the plan of a plain loopback run.
 */
import type { RunPlan } from '../src/core/scenario/plan';

/** One measured figure beside its baseline; `ratio` is value / baseline. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baseline_name: string;
  baseline: number;
  ratio: number;
}

/** A row with value and baseline rounded to `decimals` and the ratio to 2 (NaN without a baseline above 0). */
export function benchRow(name: string, value: number, unit: string, baseline_name: string, baseline: number, decimals = 2): BenchRow {
  const f = 10 ** decimals;
  const r = (x: number): number => Math.round(x * f) / f;
  return { name, value: r(value), unit, baseline_name, baseline: r(baseline), ratio: baseline > 0 ? Math.round((value / baseline) * 100) / 100 : NaN };
}

/** The number in environment variable `name`, or `dflt` when it is unset. */
export const envNumber = (name: string, dflt: number): number => (process.env[name] ? Number(process.env[name]) : dflt);

/** A closed-loop run of one short chat prompt against a URL target; `over` replaces any field. */
export function benchPlan(over: Partial<RunPlan>): RunPlan {
  return {
    scenario: 'bench',
    file: '',
    target: { kind: 'url', url: 'http://127.0.0.1:1/v1' },
    api: 'openai-chat',
    model: 'bench',
    timeouts: { total_ms: 120_000 },
    headers: {},
    prompts: [{ name: 'hello', weight: 1, messages: [{ role: 'user', content: 'Hello' }], params: {} }],
    datasets: [],
    load: { kind: 'users', users: 1, duration_ms: 1000 },
    think_ms: 0,
    buckets: [],
    trace: { mode: 'first', n: 20 },
    expectations: [],
    seed: 1,
    ...over,
  };
}
