/**
 * The packet timeline's layout, computed from a request's packets and its record: packets placed
 * on a time axis in one lane per kind, markers (sent, first packet, TTFT, TTFA, done), the thinking
 * and answer phases as bands, and stalls (gaps between packets above a threshold). Pure data: the
 * view only maps milliseconds to pixels.
 */
import type { RequestRecord } from '../metrics/record';
import type { TimelinePacket } from '../messages';

export const LANE_ORDER = ['thinking', 'answer', 'tool_call', 'stats', 'heartbeat', 'error', 'done', 'other'] as const;

export type MarkerId = 'sent' | 'first_packet' | 'ttft' | 'ttfa' | 'done';

export interface TimelineMarker {
  id: MarkerId;
  label: string;
  t_ms: number;
}

export interface TimelineBand {
  phase: 'thinking' | 'answer';
  from_ms: number;
  to_ms: number;
}

export interface TimelineStall {
  from_ms: number;
  to_ms: number;
  gap_ms: number;
}

export interface TimelinePoint {
  /** Index in the packet list (arrival order). */
  index: number;
  t_ms: number;
  kind: string;
  bytes: number;
  lane: number;
}

/** The server's side of the client's wait (requests.jsonl `server`): queue then prefill, ending at TTFT. */
export interface TimelineServerSpans {
  queue: { from_ms: number; to_ms: number };
  prefill: { from_ms: number; to_ms: number };
  cached_tokens?: number;
}

export interface TimelineLayout {
  end_ms: number;
  /** Present when the server reported its prefill time for this request. */
  server?: TimelineServerSpans;
  lanes: string[];
  points: TimelinePoint[];
  markers: TimelineMarker[];
  bands: TimelineBand[];
  stalls: TimelineStall[];
  stall_threshold_ms: number;
}

/** Default stall threshold: five times the median gap between packets, at least 250 ms. */
export function defaultStallThreshold(packets: readonly TimelinePacket[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < packets.length; i++) gaps.push(packets[i]!.t_ms - packets[i - 1]!.t_ms);
  if (gaps.length === 0) return 250;
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)]!;
  return Math.max(250, median * 5);
}

export function timelineLayout(
  input: readonly TimelinePacket[],
  record: (Pick<RequestRecord, 'ttft_ms' | 'ttfa_ms' | 'e2e_ms'> & Partial<Pick<RequestRecord, 'server'>>) | null,
  opts: { stallMs?: number } = {},
): TimelineLayout {
  const packets = input.map((p, index) => ({ ...p, index })).sort((a, b) => a.t_ms - b.t_ms || a.index - b.index);
  const kindsSeen = new Set(packets.map((p) => p.kind));
  const lanes: string[] = LANE_ORDER.filter((k) => kindsSeen.has(k));
  for (const k of kindsSeen) if (!lanes.includes(k)) lanes.push(k);

  const points: TimelinePoint[] = packets.map((p) => ({ index: p.index, t_ms: p.t_ms, kind: p.kind, bytes: p.bytes, lane: lanes.indexOf(p.kind) }));

  let firstThinking: number | null = null;
  let lastThinking: number | null = null;
  let firstAnswer: number | null = null;
  let lastAnswer: number | null = null;
  for (const p of packets) {
    if (p.kind === 'thinking') {
      firstThinking ??= p.t_ms;
      lastThinking = p.t_ms;
    } else if (p.kind === 'answer') {
      firstAnswer ??= p.t_ms;
      lastAnswer = p.t_ms;
    }
  }
  const lastPacket = packets.length ? packets[packets.length - 1]!.t_ms : 0;
  const end = Math.max(record?.e2e_ms ?? 0, lastPacket);

  const markers: TimelineMarker[] = [{ id: 'sent', label: 'sent', t_ms: 0 }];
  if (packets.length) markers.push({ id: 'first_packet', label: 'first packet', t_ms: packets[0]!.t_ms });
  const ttft = record?.ttft_ms ?? (firstThinking !== null && firstAnswer !== null ? Math.min(firstThinking, firstAnswer) : (firstThinking ?? firstAnswer));
  if (ttft !== null && ttft !== undefined) markers.push({ id: 'ttft', label: 'TTFT', t_ms: ttft });
  const ttfa = record?.ttfa_ms ?? firstAnswer;
  if (ttfa !== null && ttfa !== undefined) markers.push({ id: 'ttfa', label: 'TTFA', t_ms: ttfa });
  if (record || packets.length) markers.push({ id: 'done', label: 'done', t_ms: record?.e2e_ms ?? lastPacket });

  const bands: TimelineBand[] = [];
  if (firstThinking !== null) bands.push({ phase: 'thinking', from_ms: firstThinking, to_ms: firstAnswer ?? lastThinking! });
  if (firstAnswer !== null) bands.push({ phase: 'answer', from_ms: firstAnswer, to_ms: lastAnswer! });

  const threshold = opts.stallMs ?? defaultStallThreshold(packets);
  const stalls: TimelineStall[] = [];
  for (let i = 1; i < packets.length; i++) {
    const gap = packets[i]!.t_ms - packets[i - 1]!.t_ms;
    if (gap > threshold) stalls.push({ from_ms: packets[i - 1]!.t_ms, to_ms: packets[i]!.t_ms, gap_ms: gap });
  }
  const layout: TimelineLayout = { end_ms: end, lanes, points, markers, bands, stalls, stall_threshold_ms: threshold };
  const sv = record?.server;
  if (sv?.prefill_ms !== undefined && ttft !== null && ttft !== undefined) {
    const start = Math.max(0, ttft - sv.prefill_ms);
    layout.server = { queue: { from_ms: 0, to_ms: start }, prefill: { from_ms: start, to_ms: ttft } };
    if (sv.cached_tokens !== undefined) layout.server.cached_tokens = sv.cached_tokens;
  }
  return layout;
}

/** The visible window after zooming by `factor` (< 1 zooms in) around `center_ms`, kept inside [0, end]. */
export function zoomWindow(view: { from_ms: number; to_ms: number }, center_ms: number, factor: number, end_ms: number): { from_ms: number; to_ms: number } {
  const full = Math.max(end_ms, 1e-6);
  const width = Math.min(full, Math.max(full / 1000, (view.to_ms - view.from_ms) * factor));
  const ratio = view.to_ms > view.from_ms ? (center_ms - view.from_ms) / (view.to_ms - view.from_ms) : 0.5;
  let from = center_ms - width * Math.min(1, Math.max(0, ratio));
  from = Math.min(Math.max(0, from), full - width);
  return { from_ms: from, to_ms: from + width };
}

/** The assembled thinking and answer text of a packet list, in arrival order. */
export function assembleText(packets: readonly TimelinePacket[]): { thinking: string; answer: string } {
  let thinking = '';
  let answer = '';
  for (const p of packets) {
    if (p.kind === 'thinking') thinking += p.text;
    else if (p.kind === 'answer') answer += p.text;
  }
  return { thinking, answer };
}
