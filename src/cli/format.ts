/** How the CLI shows numbers, progress lines and the summary table. */
import type { Progress } from '../core/messages';
import type { Percentiles } from '../core/metrics/histogram';
import { accuracyText } from '../core/grade/format';
import type { Summary } from '../core/metrics/summary';

export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  return v >= 10_000 ? `${(v / 1000).toFixed(1)}s` : v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(v < 10 ? 2 : 0)}ms`;
}

function num(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? '-' : v.toFixed(digits);
}

function pct(v: number | null): string {
  return v === null ? '-' : `${(v * 100).toFixed(v === 1 ? 0 : 2)}%`;
}

export function progressLine(p: Progress): string {
  // A load ended only by a stop condition (`stop after 1000 requests`) has no planned length.
  const planned = Number.isFinite(p.planned_s) ? `/${p.planned_s.toFixed(0)}s` : '';
  const t = `${p.elapsed_s.toFixed(0).padStart(3)}s${planned}`;
  return `[${t}] users ${p.active_users}/${p.target_users}  in flight ${p.in_flight}  ok ${p.ok}  failed ${p.failed}  qpm ${p.qpm.toFixed(0)}  ttft p95 ${ms(p.ttft_p95_ms)}  tok/s p50 ${num(p.token_rate_p50)}`;
}

function row(name: string, p: Percentiles, f: (v: number | null) => string): string {
  const cells = [p.p50, p.p90, p.p95, p.p99, p.max, p.mean].map((v) => f(v).padStart(9));
  return `  ${name.padEnd(16)}${cells.join('')}`;
}

export function summaryText(s: Summary, dir: string): string {
  const lines: string[] = [];
  const r = s.requests;
  lines.push('');
  lines.push(`${s.scenario}  (${s.target}, ${s.duration_s.toFixed(1)}s, ${s.ended_by})`);
  lines.push(
    `  requests ${r.total}  ok ${r.ok}  failed ${r.failed}${r.cancelled ? `  cancelled ${r.cancelled}` : ''}${r.warmup ? `  warmup ${r.warmup}` : ''}` +
      `  success ${pct(s.success_rate)}  qpm ${s.qpm.toFixed(1)}  rps ${s.rps.toFixed(2)}  output tok/s ${s.output_tokens_per_s.toFixed(1)}`,
  );
  lines.push(`  ${''.padEnd(16)}${['p50', 'p90', 'p95', 'p99', 'max', 'mean'].map((h) => h.padStart(9)).join('')}`);
  lines.push(row('ttft', s.ttft_ms, ms));
  lines.push(row('ttfa', s.ttfa_ms, ms));
  lines.push(row('e2e', s.e2e_ms, ms));
  if (s.thinking_ms.p50 !== null) lines.push(row('thinking', s.thinking_ms, ms));
  lines.push(row('token rate /s', s.token_rate, (v) => num(v)));
  if (s.itl_ms && s.itl_ms.p50 !== null) lines.push(row('itl', s.itl_ms, ms));
  if (s.schedule_lag_ms && s.schedule_lag_ms.p50 !== null) lines.push(row('schedule lag', s.schedule_lag_ms, ms));
  const errs = Object.entries(s.errors);
  if (errs.length > 0) {
    lines.push('  errors:');
    for (const [k, n] of errs) lines.push(`    ${k.padEnd(20)}${String(n).padStart(7)}  ${s.error_samples[k as keyof typeof s.error_samples] ?? ''}`.trimEnd());
  }
  for (const [k, n] of Object.entries(s.warnings)) lines.push(`  warning: ${n} request(s) ended by ${k}`);
  if (s.client?.bottleneck) lines.push(`  !! WARNING: ${s.client.warning ?? 'the client may have been the bottleneck'}`);
  if (s.buckets && s.buckets.some((b) => b.requests > 0)) {
    lines.push(`  by input tokens ${['requests', 'success', 'ttft p50', 'ttft p95', 'e2e p95', 'tok/s p50'].map((h) => h.padStart(10)).join('')}`);
    for (const b of s.buckets) {
      const cells = [String(b.requests), pct(b.success_rate), ms(b.ttft_ms.p50), ms(b.ttft_ms.p95), ms(b.e2e_ms.p95), num(b.token_rate.p50)];
      lines.push(`    ${b.label.padEnd(12)}${cells.map((c) => c.padStart(10)).join('')}`);
    }
  }
  lines.push(...accuracyText(s.accuracy));
  const acc = s.token_accounting;
  if (acc && acc.input.diff_pct !== null && Math.abs(acc.input.diff_pct) >= 1) {
    lines.push(`  note: the server counted ${acc.input.diff_pct > 0 ? '+' : ''}${acc.input.diff_pct.toFixed(1)}% input tokens against the tokenizer (${acc.input.requests} requests)`);
  }
  if (s.expectations.length > 0) {
    lines.push('  expectations:');
    for (const e of s.expectations) lines.push(`    ${e.pass ? 'PASS' : 'FAIL'}  ${e.text.padEnd(28)} actual ${e.actual_text}`);
  }
  lines.push(`results: ${dir}`);
  return lines.join('\n');
}
