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

/** The same in words, for the CLI summary and (without the conditions) the CI job summary's figures: `34 of 66 (51.5%) met ttft < 1s and tpot < 50ms · 1.23 rps · 456.7 output tokens/s`. */
export function goodputText(g: GoodputSummary | undefined, opts: { conditions?: boolean } = {}): string | undefined {
  if (!g) return undefined;
  const met = opts.conditions === false ? '' : ` met ${g.conditions}`;
  return `${g.requests} of ${g.of} (${fmtPct(g.share)})${met} · ${fmtNum(g.rps, 2)} rps · ${fmtNum(g.tokens_per_s)} output tokens/s`;
}
