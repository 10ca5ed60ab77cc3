/**
 * How many load threads a run gets. Each load thread is an event loop that timestamps packets as
 * they arrive; a thread busier than about half the time makes packets wait behind each other, and
 * a thread more than the load needs only competes with the server for the cores when both run on
 * one machine. So the count comes from the load the plan will make — streams in flight, packets
 * and requests per second, estimated from users or rate, expected answer lengths and the target's
 * speed — not from the core count alone; a target on the same machine (loopback, the built-in
 * simulator) is left a core unless the load needs it. The scenario's `threads N` (or a caller's
 * count, e.g. the bench) overrides the estimate. Pure: the runner gives it the plan and schedule.
 */
import type { RunPlan } from '../scenario/plan';
import { peakRate, peakUsers, type Schedule } from '../load/shape';
import { resolveProfile } from '../sim/profiles';
import type { LoadEstimate, ThreadChoice } from '../types/client-threads';

/** CPU of a load thread per SSE packet (decode, timestamps, histograms), seconds; measured ~1.4 µs on long fast streams (docs/performance.md), with margin. */
export const PACKET_CPU_S = 2e-6;
/**
 * CPU of a load thread per socket read, seconds: a server that decodes tokens one by one sends
 * each packet as it is made, so each arrives in a read of its own (the event loop's wake-up, the
 * HTTP client's stream machinery); measured 4-10 µs a packet with thousands of slow streams.
 */
export const READ_CPU_S = 5e-6;
/** A stream faster than this many packets per second delivers them several to a read. */
export const SINGLE_READ_MAX_PACKETS_PER_S = 1000;
/** CPU of a load thread per request (building and sending it, the HTTP response head, its record), seconds; measured ~100-150 µs. */
export const REQUEST_CPU_S = 150e-6;
/** The share of a core one load thread should be busy at the expected load: above it, packets queue and are stamped late. */
export const THREAD_BUSY_TARGET = 0.5;
/** Open streams one thread holds at most (sockets, timers, per-stream state) before another thread is added. */
export const STREAMS_PER_THREAD = 4000;
/** Expected answer length when the plan sets no max_tokens and the target is not the simulator. */
export const DEFAULT_ANSWER_TOKENS = 256;
/** Packets per second of one stream from a URL target, when nothing tells: a fast server's decode speed. */
export const DEFAULT_STREAM_PACKETS_PER_S = 100;
/** Time to the first packet from a URL target, when nothing tells, seconds. */
export const DEFAULT_FIRST_PACKET_S = 0.2;

export type { LoadEstimate, ThreadChoice, ThreadsChosenBy } from '../types/client-threads';

/** True for the built-in simulator and URLs on a loopback host (localhost, 127.x.x.x, ::1, 0.0.0.0). */
export function isLocalTarget(url: string | undefined, builtin: boolean): boolean {
  if (builtin) return true;
  if (!url) return false;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === '0.0.0.0' || host === '::';
}

/** What one stream of the target looks like: answer packets, packets per second, time to the first packet. */
interface StreamShape {
  packets: number;
  packets_per_s: number;
  first_packet_s: number;
}

function meanMaxTokens(plan: RunPlan): number | undefined {
  const set = plan.prompts.map((p) => p.params.max_tokens).filter((x): x is number => typeof x === 'number' && x > 0);
  return set.length > 0 ? set.reduce((a, b) => a + b, 0) / set.length : undefined;
}

function streamShape(plan: RunPlan, simProfile: string | undefined): StreamShape {
  const maxTokens = meanMaxTokens(plan);
  if (simProfile !== undefined) {
    try {
      const p = resolveProfile(simProfile);
      const answer = (p.answer_tokens[0] + p.answer_tokens[1]) / 2;
      const tokens = Math.min(answer, maxTokens ?? answer);
      const perChunk = Math.max(1, p.tokens_per_chunk);
      return { packets: tokens / perChunk + 3, packets_per_s: p.decode_tokens_per_s / perChunk, first_packet_s: p.overhead_ms / 1000 };
    } catch {
      // an unknown profile fails later with its own message; size as for a URL target
    }
  }
  return { packets: (maxTokens ?? DEFAULT_ANSWER_TOKENS) + 3, packets_per_s: DEFAULT_STREAM_PACKETS_PER_S, first_packet_s: DEFAULT_FIRST_PACKET_S };
}

/**
 * The peak load of a schedule: a closed loop keeps `users` streams open (less the think time);
 * an open loop starts `rate` requests a second, each open for a stream's expected duration; a
 * replay sends its log's requests at their average rate.
 */
export function estimateLoad(plan: RunPlan, schedule: Schedule, simProfile?: string): LoadEstimate {
  const s = streamShape(plan, simProfile);
  const streamS = s.first_packet_s + s.packets / Math.max(1e-3, s.packets_per_s);
  let requests: number;
  let streams: number;
  if (schedule.kind === 'closed') {
    const users = peakUsers(schedule) ?? 1;
    const cycle = streamS + plan.think_ms / 1000;
    requests = users / cycle;
    streams = users * (streamS / cycle);
  } else {
    requests = schedule.kind === 'open' ? peakRate(schedule) : schedule.sends.length / Math.max(1, schedule.end_ms / 1000);
    streams = requests * streamS;
  }
  const packets = requests * s.packets;
  const reads = s.packets_per_s <= SINGLE_READ_MAX_PACKETS_PER_S ? packets : Math.min(packets, streams * SINGLE_READ_MAX_PACKETS_PER_S);
  return { streams: Math.ceil(streams), requests_per_s: round(requests), packets_per_s: round(packets), reads_per_s: round(reads) };
}

const round = (x: number): number => Math.round(x * 10) / 10;

export interface ThreadSizingInput {
  cores: number;
  /** The plan's expected load; absent for external load, whose users are unknown in advance. */
  load?: LoadEstimate;
  local_target: boolean;
  /** A count the scenario (`threads N`) or the caller asked for. */
  requested?: { threads: number; by: 'scenario' | 'caller' };
  /** The most threads that can have work: the peak users of a closed loop, the sends of a replay. */
  most_useful?: number;
}

/** The CPU a load thread needs for a load, in cores. */
export function loadCpu(load: LoadEstimate): number {
  return load.packets_per_s * PACKET_CPU_S + load.reads_per_s * READ_CPU_S + load.requests_per_s * REQUEST_CPU_S;
}

/** The rule (see the file's comment and docs/performance.md, "Load threads"). */
export function chooseThreads(i: ThreadSizingInput): ThreadChoice {
  const cores = Math.max(1, Math.floor(i.cores));
  const base = { local_target: i.local_target, cores, ...(i.load ? { estimate: i.load } : {}) };
  const cap = (n: number): number => Math.max(1, Math.floor(i.most_useful !== undefined ? Math.min(n, i.most_useful) : n));
  if (i.requested) {
    const threads = cap(i.requested.threads);
    const by = i.requested.by === 'scenario' ? `the scenario's threads ${i.requested.threads}` : `the caller asked for ${i.requested.threads}`;
    const capped = threads < i.requested.threads ? ` (only ${threads} can have work: ${i.most_useful} users or sends)` : '';
    return { threads, chosen_by: i.requested.by, reason: `${by}${capped}`, ...base };
  }
  if (!i.load) return { threads: 1, chosen_by: 'auto', reason: 'external load (users set by a master, unknown in advance): one thread; write threads N for more', ...base };
  const cpu = loadCpu(i.load);
  const byCpu = Math.ceil(cpu / THREAD_BUSY_TARGET);
  const byStreams = Math.ceil(i.load.streams / STREAMS_PER_THREAD);
  const needed = Math.max(1, byCpu, byStreams);
  const what = `expected ${i.load.streams} streams in flight, ${fmt(i.load.packets_per_s)} packets/s and ${fmt(i.load.requests_per_s)} requests/s, about ${cpu.toFixed(2)} of a core`;
  const spare = i.local_target && cores >= 2 ? 1 : 0;
  const room = cores - spare;
  let threads: number;
  let why: string;
  if (needed <= room) {
    threads = needed;
    why = spare ? `; one core left to the server on this machine` : '';
  } else if (needed <= cores) {
    threads = needed;
    why = spare ? `; the load needs every core, the server on this machine shares them` : '';
  } else {
    threads = cores;
    why = `; capped at the ${cores} cores`;
  }
  const capped = cap(threads);
  const userCap = capped < threads ? `; only ${capped} can have work (${i.most_useful} users or sends)` : '';
  return { threads: capped, chosen_by: 'auto', reason: `${what}: ${needed} thread${needed === 1 ? '' : 's'} at ${THREAD_BUSY_TARGET * 100}% busy each${why}${userCap}`, ...base };
}

const fmt = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString('en-US') : String(x));

/** The most threads that can have work: a closed loop's peak users, a replay's sends; open loops have no bound. */
export function mostUsefulThreads(schedule: Schedule): number | undefined {
  if (schedule.kind === 'closed') return peakUsers(schedule) ?? 1;
  if (schedule.kind === 'replay') return schedule.sends.length;
  return undefined;
}

/** The one-line form for the CLI's start line: `2 load threads (auto: ...)`. */
export function threadChoiceLine(c: ThreadChoice): string {
  return `${c.threads} load thread${c.threads === 1 ? '' : 's'} (${c.chosen_by}: ${c.reason})`;
}

export interface SizeThreadsOptions {
  cores: number;
  /** The URL the load goes to (after any override). */
  baseUrl: string;
  /** A count the program starting the run asked for (RunOptions.workers). */
  requested?: number;
  /** The user count comes from outside (a Locust master). */
  external?: boolean;
  /** The built-in simulator's profile, when the run started one as its target. */
  simProfile?: string;
}

/** The thread choice for a plan: the caller's count, else the scenario's `threads N`, else the auto rule. */
export function sizeThreads(plan: RunPlan, schedule: Schedule, o: SizeThreadsOptions): ThreadChoice {
  const requested =
    o.requested !== undefined ? { threads: o.requested, by: 'caller' as const } : plan.threads !== undefined ? { threads: plan.threads, by: 'scenario' as const } : undefined;
  return chooseThreads({
    cores: o.cores,
    local_target: isLocalTarget(o.baseUrl, o.simProfile !== undefined),
    requested,
    load: o.external ? undefined : estimateLoad(plan, schedule, o.simProfile),
    most_useful: o.external ? undefined : mostUsefulThreads(schedule),
  });
}
