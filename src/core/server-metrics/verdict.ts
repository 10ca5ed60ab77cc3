/**
 * What the CLI summary and the panel's cards say about the server: did requests queue there, and
 * the server's own figures in one line each. Pure text from summary.json.
 */
import type { Summary } from '../metrics/summary';

const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(1)}ms`);
const pct = (v: number | undefined): string => (v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);

/** The queueing verdict: from the scraped metrics, else from the per-request timings. */
export function queueVerdict(s: Summary): { queued: boolean; text: string } | undefined {
  const m = s.server_metrics;
  const t = s.server_timing;
  const share = t?.queue_share;
  if (m && m.queued !== null) {
    const why = [m.waiting ? `waiting up to ${m.waiting.max}` : '', m.queue_ms?.p95 !== undefined ? `queue p95 ${ms(m.queue_ms.p95)}` : '', share !== undefined ? `${pct(share)} of TTFT` : ''].filter(Boolean).join(', ');
    return { queued: m.queued, text: m.queued ? `the server queued requests (${why})` : `no queueing at the server (${why})` };
  }
  if (share !== undefined && t?.queue_ms) {
    const queued = share >= 0.2;
    const text = `${pct(share)} of TTFT was waiting at the server (queue p95 ${ms(t.queue_ms.p95)}, prefill p95 ${ms(t.prefill_ms?.p95)})`;
    return { queued, text: queued ? `the server queued requests: ${text}` : `little queueing at the server: ${text}` };
  }
  return undefined;
}

/** Lines for the CLI's run summary. */
export function serverLines(s: Summary): string[] {
  const lines: string[] = [];
  const m = s.server_metrics;
  if (m) {
    const head = `  server metrics (${m.engine ?? 'unknown engine'}, ${m.scrapes - m.failed_scrapes}/${m.scrapes} scrapes ok)`;
    const figs = [
      m.running ? `running max ${m.running.max}` : '',
      m.waiting ? `waiting max ${m.waiting.max}` : '',
      m.kv_cache_usage ? `KV-cache max ${pct(m.kv_cache_usage.max)}` : '',
      m.prefix_hit_rate !== undefined ? `prefix hits ${pct(m.prefix_hit_rate)}` : '',
      m.preemptions !== undefined ? `preemptions ${m.preemptions}` : '',
      m.ttft_ms?.p95 !== undefined ? `server TTFT p95 ${ms(m.ttft_ms.p95)}` : '',
    ].filter(Boolean);
    lines.push(figs.length ? `${head}: ${figs.join(', ')}` : head);
    if (m.failed_scrapes > 0) lines.push(`    ${m.failed_scrapes} scrape(s) failed, first: ${m.scrape_errors[0]?.error ?? ''}`);
  }
  const t = s.server_timing;
  if (t) {
    const p = (name: string, x: { p50: number | null; p95: number | null } | undefined): string => (x ? `${name} p50 ${ms(x.p50)} p95 ${ms(x.p95)}` : '');
    const parts = [p('prompt', t.prompt_ms), p('queue', t.queue_ms), t.cached_tokens ? `cached tokens p50 ${t.cached_tokens.p50 ?? '-'}` : ''].filter(Boolean);
    lines.push(`  server timings (${t.requests} requests): ${parts.join(', ')}`);
  }
  const v = queueVerdict(s);
  if (v) lines.push(`  ${v.text}`);
  return lines;
}

/** The panel's server card: a short value and label, or undefined when the run has no server figures. */
export function serverCard(s: Summary): { value: string; label: string } | undefined {
  const v = queueVerdict(s);
  if (!v) return undefined;
  return { value: v.queued ? 'queued' : 'no queue', label: `server · ${v.text.replace(/^[^(:]*[(:]\s*/, '').replace(/\)$/, '')}` };
}
