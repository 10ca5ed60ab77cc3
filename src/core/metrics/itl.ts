/**
 * Inter-token latency, per phase. Per packet: the gap between two consecutive output packets of the
 * same phase (thinking or answer); the first packet of a phase has no gap. Per token: a packet that
 * carries n tokens spreads its gap evenly over them (n intervals of gap / n). Where packets do not say how many tokens they carry, n is the request's server-counted
 * output tokens divided by its output packets (never below 1), so the figure is an estimate and is
 * labelled as such.
 */
import type { Packet } from '../protocols/types';

export type Phase = 'thinking' | 'answer';

export interface ItlSink {
  /** One gap between two packets of a phase, ms. */
  packetGap(phase: Phase, gap_ms: number): void;
  /** One per-token interval of a phase, ms, `count` times. */
  tokenGap(phase: Phase, gap_ms: number, count: number): void;
}

/** Average tokens per output packet: from the server's count when given, else 1. */
export function tokensPerPacket(packets: readonly Packet[], serverOutputTokens: number | undefined): number {
  if (serverOutputTokens === undefined) return 1;
  let n = 0;
  for (const p of packets) if (p.kind === 'thinking' || p.kind === 'answer') n++;
  return n === 0 ? 1 : Math.max(1, serverOutputTokens / n);
}

/** Feeds every inter-token gap of one request's packets into `sink`. */
export function feedItl(packets: readonly Packet[], serverOutputTokens: number | undefined, sink: ItlSink): void {
  const perPacket = tokensPerPacket(packets, serverOutputTokens);
  const last: Record<Phase, number | null> = { thinking: null, answer: null };
  for (const p of packets) {
    if (p.kind !== 'thinking' && p.kind !== 'answer') continue;
    const prev = last[p.kind];
    last[p.kind] = p.t_ms;
    if (prev === null) continue;
    const gap = p.t_ms - prev;
    sink.packetGap(p.kind, gap);
    const n = Math.round(perPacket);
    if (n <= 1) {
      sink.tokenGap(p.kind, gap, 1);
    } else {
      sink.tokenGap(p.kind, gap / n, n);
    }
  }
}
