/** The panel's goodput card: the good share as its value, the count, rate and conditions as its label. */
import type { GoodputSummary } from '../types/goodput';
import { fmtNum, fmtPct } from './format';

export function goodputCard(g: GoodputSummary | undefined): { label: string; value: string; title: string } | undefined {
  if (!g) return undefined;
  return {
    value: fmtPct(g.share),
    label: `goodput · ${g.requests} of ${g.of} · ${fmtNum(g.rps, 2)} rps`,
    title: `Requests that succeeded and met ${g.conditions}; failed requests count in the share. ${fmtNum(g.tokens_per_s)} output tokens/s from them.`,
  };
}
