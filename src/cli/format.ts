/** How the CLI shows numbers, progress lines and the summary table. */
import type { Progress } from '../core/messages';
import type { Percentiles } from '../core/metrics/histogram';
import { accuracyText } from '../core/grade/format';
import type { Summary } from '../core/metrics/summary';
import { cacheNotes } from '../core/viewmodel/buckets';
import type { ReadinessWait } from '../core/run/readiness';
import type { TargetCheck } from '../core/run/target-check';
import { serverLines } from '../core/server-metrics/verdict';
import { runVerdict } from '../core/metrics/expectations';
import { goodputText } from '../core/viewmodel/goodput-card';
import { sweepLines } from './sweep-text';

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

/** The outages of a run and what backoff held back (see docs/metrics.md, "Outages and backoff"). */
export function outageLines(s: Summary): string[] {
  const t = s.outage_totals;
  if (!t) return [];
  const sec = (v: number): string => `${(v / 1000).toFixed(1)}s`;
  const held = `${t.held_back} request(s) held back by backoff ${t.backoff}`;
  if (!s.outages || s.outages.length === 0) return t.held_back > 0 ? [`  ${held}`] : [];
  const lines = [`  outages: ${t.outages}, down ${sec(t.down_ms)} in all, ${t.failed} failed with no answer; ${held}`];
  for (const o of s.outages.slice(0, 10)) {
    const kinds = Object.entries(o.kinds).map(([k, n]) => `${k} ${n}`).join(', ');
    const end = o.recovered ? sec(o.end_ms) : `${sec(o.end_ms)} (run end, not recovered)`;
    lines.push(`    ${sec(o.start_ms)} - ${end}: ${sec(o.end_ms - o.start_ms)} down, ${o.failed} failed (${kinds}), ${o.held_back} held back`);
  }
  if (s.outages.length > 10) lines.push(`    ... and ${s.outages.length - 10} more in summary.json`);
  return lines;
}

/** `waiting for the target to be ready: /health 503 Loading model (12 s of 120 s)` */
export function readinessLine(w: ReadinessWait): string {
  return `waiting for the target to be ready: ${w.status} (${Math.round(w.waited_ms / 1000)} s of ${Math.round(w.timeout_ms / 1000)} s)`;
}

/** What the checks before the run found, for people: a wait, the server's limit, prompts over a limit. */
export function targetCheckLines(c: TargetCheck): string[] {
  const lines: string[] = [];
  const r = c.server.readiness;
  if (r?.checked && r.waited_for) lines.push(`the target is ready (${r.endpoint} 200) after ${(r.waited_ms / 1000).toFixed(1)} s of ${r.waited_for}`);
  if (c.server.limit) lines.push(`the server's context limit: ${c.server.limit.source}`);
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  return lines;
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
  lines.push(...outageLines(s));
  lines.push(...serverLines(s));
  if (s.client?.bottleneck) lines.push(`  !! WARNING: ${s.client.warning ?? 'the client may have been the bottleneck'}`);
  const prio = s.client?.thread_priority;
  if (prio && prio.raised < prio.threads) lines.push(`  note: thread_priority high: ${prio.raised} of ${prio.threads} load threads raised${prio.error ? ` (${prio.error})` : ''}; the others ran at the normal priority`);
  if (s.connections?.note) lines.push(`  note: ${s.connections.note}`);
  if (s.buckets && s.buckets.some((b) => b.requests > 0)) {
    // The cached share of input tokens, when the server reported it: a mostly cached bucket's TTFT is not prefill.
    const cached = s.buckets.some((b) => b.cached_share !== null && b.cached_share !== undefined);
    const heads = ['requests', 'success', 'ttft p50', 'ttft p95', 'e2e p95', 'tok/s p50', ...(cached ? ['cached'] : [])];
    lines.push(`  by input tokens ${heads.map((h) => h.padStart(10)).join('')}`);
    for (const b of s.buckets) {
      const cells = [String(b.requests), pct(b.success_rate), ms(b.ttft_ms.p50), ms(b.ttft_ms.p95), ms(b.e2e_ms.p95), num(b.token_rate.p50)];
      if (cached) cells.push(b.cached_share === null || b.cached_share === undefined ? '-' : `${Math.round(b.cached_share * 100)}%`);
      lines.push(`    ${b.label.padEnd(12)}${cells.map((c) => c.padStart(10)).join('')}`);
    }
  }
  for (const note of cacheNotes(s)) lines.push(`  note: ${note}`);
  lines.push(...accuracyText(s.accuracy));
  if (s.goodput) lines.push(`  goodput ${goodputText(s.goodput)}`);
  if (s.sessions) {
    // Multi-turn sessions: TTFT and cached share per turn, where prefix-cache reuse shows.
    lines.push(`  sessions: ${s.sessions.started} started, ${s.sessions.ended_by_failure} ended by a failed turn`);
    lines.push(`  by turn         ${['requests', 'failed', 'ttft p50', 'ttft p95', 'cached'].map((h) => h.padStart(10)).join('')}`);
    for (const t of s.sessions.turns.slice(0, 20)) {
      const cells = [String(t.requests), String(t.failed), ms(t.ttft_ms.p50), ms(t.ttft_ms.p95), t.cached_share === null ? '-' : `${Math.round(t.cached_share * 100)}%`];
      lines.push(`    ${`turn ${t.turn}`.padEnd(12)}${cells.map((c) => c.padStart(10)).join('')}`);
    }
    if (s.sessions.turns.length > 20) lines.push(`    … ${s.sessions.turns.length - 20} more turns in summary.json`);
  }
  const acc = s.token_accounting;
  if (acc && acc.input.diff_pct !== null && Math.abs(acc.input.diff_pct) >= 1) {
    lines.push(`  note: the server counted ${acc.input.diff_pct > 0 ? '+' : ''}${acc.input.diff_pct.toFixed(1)}% input tokens against the tokenizer (${acc.input.requests} requests)`);
  }
  if (s.sweep) lines.push(...sweepLines(s.sweep));
  // A stopped run's expectations are not judged: never PASS (runVerdict in core/metrics/expectations).
  const verdict = runVerdict(s);
  if (s.expectations.length > 0) {
    lines.push('  expectations:');
    for (const e of verdict.expectations) lines.push(`    ${e.state === 'pass' ? 'PASS' : e.state === 'fail' ? 'FAIL' : '-   '}  ${e.text.padEnd(28)} actual ${e.actual_text}`);
  }
  if (s.expectations.length > 0 || !verdict.judged) lines.push(`verdict: ${verdict.label}, ${verdict.text}`);
  lines.push(`results: ${dir}`);
  return lines.join('\n');
}
