/**
 * Multi-turn sessions in Compare: TTFT p50 and p95 of each turn number both runs have (turn 1
 * against turn 1, ...), from summary.json `sessions`, judged like every other timing row: the
 * percentile bootstrap on the per-request samples of requests.jsonl, here only the requests of
 * that turn (significance.ts hands them to the same test as the run's TTFT). Turn 1 sends no
 * history, so a prefix cache shows as later turns getting better while turn 1 stays the same.
 *
 * Also what differs between the two runs' sessions (turns per session, think time between turns),
 * for the differences Compare lists above its table.
 */
import type { Summary } from '../metrics/summary';
import type { RunPlan } from '../scenario/plan';
import type { DiffInterval } from './bootstrap';
import { applyNoise, noiseBand } from './noise';
import type { CompareRow } from './row';
import type { RunSamples } from './samples';

/** The figure id of a per-turn TTFT row (its `turn` says which turn). */
export const TURN_TTFT = 'turn_ttft_ms';
/** Turns compared, as many as the CLI summary and the panel list. */
export const TURNS_COMPARED = 20;
const TURN_STATS = ['p50', 'p95'] as const;

type Values = (a: number | null, b: number | null, better: 'lower' | 'higher') => Pick<CompareRow, 'abs' | 'rel' | 'verdict'>;

/** Rows `turn N ttft p50` / `p95` for each turn either run has (at most TURNS_COMPARED), each with the noise band of that turn's requests. */
export function turnCompareRows(a: Summary, b: Summary, compareValues: Values): CompareRow[] {
  const ta = a.sessions?.turns ?? [];
  const tb = b.sessions?.turns ?? [];
  if (ta.length === 0 && tb.length === 0) return [];
  const numbers = [...new Set([...ta, ...tb].map((t) => t.turn))].sort((x, y) => x - y).slice(0, TURNS_COMPARED);
  const rows: CompareRow[] = [];
  for (const n of numbers) {
    const x = ta.find((t) => t.turn === n);
    const y = tb.find((t) => t.turn === n);
    const turnRows = TURN_STATS.map((stat): CompareRow => {
      const va = x?.ttft_ms[stat] ?? null;
      const vb = y?.ttft_ms[stat] ?? null;
      return { metric: TURN_TTFT, turn: n, label: `turn ${n} ttft ${stat}`, name: `Turn ${n}: time to first token, ${stat}`, stat, unit: 'ms', better: 'lower', a: va, b: vb, ...compareValues(va, vb, 'lower') };
    });
    // Without samples, a turn's rows keep the noise band of its own request counts (fewer than the run's).
    applyNoise(turnRows, noiseBand(x?.ok ?? 0, y?.ok ?? 0));
    rows.push(...turnRows);
  }
  return rows;
}

type Test = { run(level: number): DiffInterval; base: number } | { untested: string } | null;

/**
 * The interval test of a per-turn row: `test` (significance.ts's own) on the TTFT samples of that
 * turn's requests alone, with a seed of its own. Null when the row is not a per-turn row.
 */
export function turnTest(r: CompareRow, a: RunSamples, b: RunSamples, seed: number, test: (r: CompareRow, a: RunSamples, b: RunSamples, seed: number) => Test): Test {
  if (r.metric !== TURN_TTFT || r.turn === undefined) return null;
  const sa = a.turns?.get(r.turn);
  const sb = b.turns?.get(r.turn);
  if (!sa || !sb) return { untested: `a run has no requests of turn ${r.turn} in its requests.jsonl` };
  const { turn: _, ...rest } = r;
  return test({ ...rest, metric: 'ttft_ms' }, sa, sb, seed * 31 + r.turn);
}

/**
 * The sessions a plan holds, in words: `3 turns, think 2s`, or each kind with its count of prompts
 * (`3 turns, think 0ms ×480; 2 turns, think 0ms ×20`) when conversations differ; a dataset's
 * `sessions` line when its records were not read into prompts.
 */
function sessionsText(p: Partial<RunPlan> | undefined, dur: (ms: number) => string): string {
  const kinds = new Map<string, number>();
  for (const x of Array.isArray(p?.prompts) ? p!.prompts : []) {
    if (!x.session) continue;
    const k = `${x.session.turns} turns, think ${dur(x.session.think_ms ?? p?.think_ms ?? 0)}`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  if (kinds.size === 0) {
    for (const d of Array.isArray(p?.datasets) ? p!.datasets : []) {
      if (d.kind !== 'sharegpt' || !d.sessions) continue;
      kinds.set(`${d.sessions.turns !== undefined ? `${d.sessions.turns} turns` : 'turns as recorded'}, think ${dur(d.sessions.think_ms ?? p?.think_ms ?? 0)}`, 1);
    }
  }
  if (kinds.size <= 1) return [...kinds.keys()][0] ?? 'none';
  return [...kinds].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ×${n}`).join('; ');
}

/** The turns the run reached (from summary.json): `turns 1..4`. */
function turnsReached(s: Summary | null | undefined): string {
  const t = s?.sessions?.turns ?? [];
  return t.length ? `turns 1..${Math.max(...t.map((x) => x.turn))}` : 'none';
}

/** What differs in the runs' sessions: their turns and think times as planned, and the turns the runs reached. */
export function sessionDifferences(
  a: { plan?: Partial<RunPlan> | null; summary?: Summary | null },
  b: { plan?: Partial<RunPlan> | null; summary?: Summary | null },
  dur: (ms: number) => string,
): Array<{ what: string; a: string; b: string }> {
  const out: Array<{ what: string; a: string; b: string }> = [];
  const sa = sessionsText(a.plan ?? undefined, dur);
  const sb = sessionsText(b.plan ?? undefined, dur);
  if (sa !== sb) out.push({ what: 'sessions', a: sa, b: sb });
  const ra = turnsReached(a.summary);
  const rb = turnsReached(b.summary);
  if (ra !== rb) out.push({ what: 'turns reached', a: ra, b: rb });
  return out;
}
