/**
 * A sweep in the CI outputs (JUnit `<system-out>` and a property, the Markdown job summary): the
 * answer in one sentence and one row per step with its per-step SLOs, met or broken. The verdict's
 * test cases are the expectations themselves (the capacity line among them; see
 * ../metrics/sweep-verdict.ts); these rows say how each level fared.
 */
import type { SweepSummary } from '../metrics/capacity';
import { capacitySentence, levelText } from '../metrics/capacity-text';
import { formatValue } from '../metrics/expectations';

export interface SweepCiRow {
  level: string;
  requests: number;
  rps: string;
  ttft_p95: string;
  /** `met`, or the SLOs that broke with their values. */
  slos: string;
  /** `capacity`, `saturated`, or empty. */
  mark: string;
}

export function sweepCiRows(s: SweepSummary): SweepCiRow[] {
  return s.steps.map((st, i) => ({
    level: levelText(s.over, st.level),
    requests: st.requests,
    rps: st.throughput_rps.toFixed(2),
    ttft_p95: st.ttft_ms.p95 === null ? '-' : formatValue('ttft', st.ttft_ms.p95),
    slos: st.slo_met ? 'met' : st.requests === 0 ? 'not measured' : `broken: ${st.slos.filter((x) => !x.pass).map((x) => `${x.text} (${x.actual_text})`).join(', ')}`,
    mark: s.capacity?.step === i ? 'capacity' : s.saturated_at?.step === i ? 'saturated' : '',
  }));
}

/** The sweep as plain lines for a text block: the sentence, then a line per step. */
export function sweepCiLines(s: SweepSummary): string[] {
  return [
    `sweep: ${capacitySentence(s)}`,
    ...sweepCiRows(s).map((r) => `  ${r.level}: ${r.requests} requests, ${r.rps} req/s, TTFT p95 ${r.ttft_p95}, SLOs ${r.slos}${r.mark ? ` <- ${r.mark}` : ''}`),
  ];
}
