/** The sweep part of the CLI's summary: one row per step, then the answer in one sentence. */
import type { SweepSummary } from '../core/metrics/capacity';
import { capacitySentence, levelText } from '../core/metrics/capacity-text';
import { formatValue } from '../core/metrics/expectations';

const ms = (v: number | null): string => (v === null ? '-' : formatValue('ttft', v));

export function sweepLines(s: SweepSummary): string[] {
  const heads = ['requests', 'rps', 'ttft p50', 'ttft p95', 'tpot p50', 'errors', 'SLOs'];
  const title = s.search ? `sweep search (${s.search.probes} probes of at most ${s.planned_steps}, first ${s.settle_s}s of each not measured)` : `sweep (${s.steps.length} of ${s.planned_steps} steps, first ${s.settle_s}s of each not measured)`;
  const lines = [`  ${title} ${heads.map((h) => h.padStart(9)).join('')}`];
  s.steps.forEach((st, i) => {
    const mark = (s.capacity?.step === i ? ' <- capacity' : s.saturated_at?.step === i ? ' <- saturated' : '') + (st.probe ? ` (probe ${st.probe.order}${st.probe.passed ? '' : ', failed'})` : '');
    const cells = [String(st.requests), st.throughput_rps.toFixed(2), ms(st.ttft_ms.p50), ms(st.ttft_ms.p95), ms(st.tpot_ms.p50), st.error_rate === null ? '-' : `${(st.error_rate * 100).toFixed(1)}%`, st.slo_met ? 'met' : 'BROKEN'];
    lines.push(`    ${levelText(s.over, st.level).padEnd(12)}${cells.map((c) => c.padStart(9)).join('')}${mark}`);
  });
  if (s.slo_not_per_step.length > 0) lines.push(`  note: judged over the whole run only, not per step: ${s.slo_not_per_step.join(', ')}`);
  lines.push(capacitySentence(s));
  return lines;
}
