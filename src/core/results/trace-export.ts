/**
 * Turns a run's records and packets into a Chrome / Perfetto trace (the JSON "Trace Event
 * Format"): one track per request, a slice per phase (wait, thinking, answer) inside a slice for the
 * whole request, and an instant event per packet. Opens in ui.perfetto.dev or chrome://tracing.
 */
import type { RequestRecord } from '../metrics/record';
import type { PacketKind } from '../protocols/types';

export interface PacketLine {
  request: number;
  t_ms: number;
  kind: PacketKind;
  bytes: number;
  text: string;
}

export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: 't';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  metadata: Record<string, unknown>;
}

const PID = 1;
/** Text kept in a packet event's args. */
const TEXT_LIMIT = 200;

function us(ms: number): number {
  return Math.round(ms * 1000);
}

/** Phase slices of one request, from its record (ms since the request was sent). */
export function phases(r: RequestRecord, packets: readonly PacketLine[] | undefined): Array<{ name: string; start: number; end: number }> {
  const out: Array<{ name: string; start: number; end: number }> = [];
  const firstOut = r.ttft_ms;
  out.push({ name: 'wait', start: 0, end: firstOut ?? r.e2e_ms });
  if (firstOut === null) return out;
  let lastThinking: number | null = null;
  let lastAnswer: number | null = null;
  for (const p of packets ?? []) {
    if (p.kind === 'thinking') lastThinking = p.t_ms;
    else if (p.kind === 'answer') lastAnswer = p.t_ms;
  }
  if (r.thinking_ms !== null) {
    const end = r.ttfa_ms ?? lastThinking ?? firstOut + r.thinking_ms;
    out.push({ name: 'thinking', start: firstOut, end });
  }
  if (r.ttfa_ms !== null) out.push({ name: 'answer', start: r.ttfa_ms, end: lastAnswer ?? r.e2e_ms });
  return out;
}

export function buildChromeTrace(records: readonly RequestRecord[], packets: ReadonlyMap<number, PacketLine[]>, meta: Record<string, unknown>): ChromeTrace {
  const ev: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: PID, tid: 0, args: { name: 'llmload run' } }];
  for (const r of records) {
    const tid = r.id + 1;
    const base = r.offset_ms;
    ev.push({ name: 'thread_name', ph: 'M', pid: PID, tid, args: { name: `#${r.id} ${r.prompt}` } });
    ev.push({
      name: `request ${r.id}`,
      cat: r.status,
      ph: 'X',
      pid: PID,
      tid,
      ts: us(base),
      dur: us(r.e2e_ms),
      args: {
        prompt: r.prompt,
        status: r.status,
        error: r.error?.kind,
        response_id: r.response_id,
        start_ms: r.start_ms,
        ttft_ms: r.ttft_ms,
        ttfa_ms: r.ttfa_ms,
        output_tokens: r.output_tokens,
        token_rate: r.token_rate,
      },
    });
    const ps = packets.get(r.id);
    for (const ph of phases(r, ps)) {
      ev.push({ name: ph.name, cat: 'phase', ph: 'X', pid: PID, tid, ts: us(base + ph.start), dur: us(Math.max(0, ph.end - ph.start)) });
    }
    for (const p of ps ?? []) {
      ev.push({ name: p.kind, cat: 'packet', ph: 'i', s: 't', pid: PID, tid, ts: us(base + p.t_ms), args: { bytes: p.bytes, text: p.text.slice(0, TEXT_LIMIT) } });
    }
  }
  return { traceEvents: ev, displayTimeUnit: 'ms', metadata: meta };
}
