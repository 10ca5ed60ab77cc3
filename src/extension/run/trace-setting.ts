/** The llmload.traceSampling setting as a TracePlan; undefined = the scenario's own `trace` line. No `vscode` import. */
import type { TracePlan } from '../../core/scenario/plan';

export function traceFromSetting(v: string): TracePlan | undefined {
  const t = v.trim().toLowerCase();
  if (t === 'all') return { mode: 'all' };
  if (t === 'failures') return { mode: 'failures' };
  const m = /^first\s*(\d+)$/.exec(t);
  if (m && Number(m[1]) > 0) return { mode: 'first', n: Number(m[1]) };
  return undefined;
}
