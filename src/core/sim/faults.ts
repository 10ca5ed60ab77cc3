/**
 * Fault selection: a request asks for one with the `x-llmload-sim-fault: <kind>[=<number>]` header,
 * or the profile's `fault_rates` draw one from the simulator's seeded generator.
 */
import { FAULT_KINDS, type FaultKind, type SimProfile } from './profiles';
import type { Rng } from './random';

export const FAULT_HEADER = 'x-llmload-sim-fault';

export interface FaultRequest {
  kind: FaultKind;
  /** slow_ttft: extra prefill ms; mid-stream faults: output chunks before the fault; http_429: retry-after seconds. */
  arg?: number;
}

/** Faults that strike in the middle of a stream, after some output chunks. */
export const MID_STREAM_FAULTS: ReadonlySet<FaultKind> = new Set<FaultKind>(['reset', 'stall', 'disconnect', 'bad_stream', 'stream_error']);

/** Parses the fault header; an unknown kind or a bad argument gives an error message. */
export function parseFaultHeader(value: string): FaultRequest | { error: string } {
  const text = value.trim();
  const eq = text.indexOf('=');
  const kind = (eq < 0 ? text : text.slice(0, eq)).trim();
  if (!FAULT_KINDS.includes(kind as FaultKind)) {
    return { error: `unknown fault "${kind}" in ${FAULT_HEADER}; known faults: ${FAULT_KINDS.join(', ')}` };
  }
  if (eq < 0) return { kind: kind as FaultKind };
  const arg = Number(text.slice(eq + 1).trim());
  if (!Number.isFinite(arg) || arg < 0) return { error: `fault argument must be a number >= 0 in ${FAULT_HEADER}: "${value}"` };
  return { kind: kind as FaultKind, arg };
}

/** Draws at most one fault from the profile's rates (one draw per request, so rates add up). */
export function drawFault(profile: SimProfile, rng: Rng): FaultRequest | undefined {
  const rates = Object.entries(profile.fault_rates) as [FaultKind, number][];
  if (rates.length === 0) return undefined;
  let u = rng.next();
  for (const [kind, rate] of rates) {
    if (u < rate) return { kind };
    u -= rate;
  }
  return undefined;
}
