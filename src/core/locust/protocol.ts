/**
 * The Locust master <-> worker protocol, as llmload's worker speaks it. Tested against Locust 2.12.1,
 * the version Debian bookworm ships as python3-locust (its sources under
 * /usr/lib/python3/dist-packages/locust/: rpc/protocol.py, rpc/zmqrpc.py, runners.py, stats.py).
 *
 * Transport: ZeroMQ. The master binds a ROUTER socket (default port 5557); each worker connects a
 * DEALER socket whose routing id is its client id (`<hostname>_<32 hex>`). Every message is one
 * frame: the MessagePack encoding of the array `[type, data, node_id]`, node_id being the worker's
 * client id in both directions.
 *
 * Worker -> master:
 *   client_ready       data: version string, or -1 (any master accepts -1 without a version warning)
 *   heartbeat          every 1 s: { state, current_cpu_usage (% of one core), current_memory_usage (bytes) };
 *                      after 3 missed seconds (HEARTBEAT_LIVENESS) the master marks the worker `missing`
 *   spawning           on every spawn message, before acting on it
 *   spawning_complete  { user_classes_count, user_count } once the users run
 *   stats              every 3 s: { stats: [StatsEntry], stats_total: StatsEntry, errors: {key: StatsError},
 *                      user_classes_count, user_count }; entries are deltas since the last report
 *   client_stopped     after a `stop`, then client_ready again
 *   quit               the worker leaves (the master forgets it; the last one to leave stops the test)
 * Master -> worker:
 *   ack                { index } (the worker's 0-based index) in answer to client_ready
 *   spawn              { timestamp (epoch s), user_classes_count: {UserClass: n}, host, stop_timeout,
 *                      parsed_options }: the absolute user count of this worker; a timestamp not newer
 *                      than the last one seen is stale and ignored
 *   stop, quit, reconnect (close the socket, open a new one with the same id)
 *   heartbeat          newer masters only (2.2x); a worker that saw one and then none for 60 s quits.
 *                      2.12.1 sends none, so the timeout is armed by the first master heartbeat.
 *
 * StatsEntry (stats.py): { name, method, last_request_timestamp, start_time, num_requests,
 * num_none_requests, num_failures, total_response_time, max_response_time, min_response_time,
 * total_content_length, response_times: {rounded ms: count}, num_reqs_per_sec: {epoch s: count},
 * num_fail_per_sec: {epoch s: count} }. The three dicts have INTEGER keys on the wire: Python's
 * master sorts and compares them as numbers. @msgpack/msgpack writes every JS object key as a
 * string, so those dicts travel as `IntKeyMap`s, framed here (map header + keys and values, each
 * value encoded by @msgpack/msgpack).
 */
import { decode, encode } from '@msgpack/msgpack';

export const LOCUST_VERSION_TESTED = '2.12.1';
export const DEFAULT_MASTER_PORT = 5557;
export const HEARTBEAT_INTERVAL_MS = 1000;
/** WORKER_REPORT_INTERVAL in runners.py. */
export const STATS_INTERVAL_MS = 3000;
/** MASTER_HEARTBEAT_TIMEOUT of newer Locust versions. */
export const MASTER_HEARTBEAT_TIMEOUT_MS = 60_000;
/** CONNECT_TIMEOUT and CONNECT_RETRY_COUNT in runners.py: client_ready is sent again until an ack comes. */
export const CONNECT_TIMEOUT_MS = 5000;
export const CONNECT_RETRIES = 60;

/** Worker states as runners.py names them. */
export type WorkerState = 'ready' | 'spawning' | 'running' | 'cleanup' | 'stopping' | 'stopped' | 'missing';

export interface LocustMessage {
  type: string;
  data: unknown;
  node_id: string | null;
}

/** A dict with integer keys (response_times, num_reqs_per_sec, num_fail_per_sec). */
export class IntKeyMap extends Map<number, number> {
  /** Adds `n` to the count at `key`. */
  bump(key: number, n = 1): void {
    this.set(key, (this.get(key) ?? 0) + n);
  }
}

export interface StatsEntryWire {
  name: string;
  method: string;
  last_request_timestamp: number | null;
  start_time: number;
  num_requests: number;
  num_none_requests: number;
  num_failures: number;
  total_response_time: number;
  max_response_time: number;
  min_response_time: number | null;
  total_content_length: number;
  response_times: IntKeyMap;
  num_reqs_per_sec: IntKeyMap;
  num_fail_per_sec: IntKeyMap;
}

export interface StatsErrorWire {
  name: string;
  method: string;
  error: string;
  occurrences: number;
}

export interface SpawnData {
  timestamp: number;
  user_classes_count: Record<string, number>;
  host?: string | null;
  stop_timeout?: number | null;
  parsed_options?: Record<string, unknown>;
}

/** One message as its single ZeroMQ frame. */
export function encodeMessage(type: string, data: unknown, nodeId: string): Uint8Array {
  const parts: Uint8Array[] = [];
  writeValue([type, data, nodeId], parts);
  return concat(parts);
}

/** Throws on a frame that is not a Locust message. */
export function decodeMessage(frame: Uint8Array): LocustMessage {
  const v = decode(frame);
  if (!Array.isArray(v) || v.length !== 3 || typeof v[0] !== 'string') throw new Error('not a Locust message: expected [type, data, node_id]');
  return { type: v[0], data: v[1], node_id: typeof v[2] === 'string' ? v[2] : null };
}

/** Arrays, plain objects and IntKeyMaps framed here; every other value encoded by @msgpack/msgpack. */
function writeValue(v: unknown, out: Uint8Array[]): void {
  if (Array.isArray(v)) {
    out.push(header(v.length, 0x90, 0xdc));
    for (const x of v) writeValue(x, out);
  } else if (v instanceof Map) {
    out.push(header(v.size, 0x80, 0xde));
    for (const [k, x] of v) {
      out.push(encode(k));
      writeValue(x, out);
    }
  } else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    out.push(header(entries.length, 0x80, 0xde));
    for (const [k, x] of entries) {
      out.push(encode(k));
      writeValue(x, out);
    }
  } else {
    out.push(encode(v === undefined ? null : v));
  }
}

/** A fixarray/fixmap header (n < 16), else array16/map16 (`wide`) or the 32-bit form (`wide + 1`). */
function header(n: number, fix: number, wide: number): Uint8Array {
  if (n < 16) return Uint8Array.of(fix | n);
  if (n < 0x10000) return Uint8Array.of(wide, n >> 8, n & 0xff);
  return Uint8Array.of(wide + 1, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Python 3's round(x, ndigits) for ndigits <= 0: to the nearest multiple of 10^-ndigits, a tie going
 * to the even multiple (round(145.0, -1) == 140, round(2.5) == 2).
 */
export function pyRound(x: number, ndigits = 0): number {
  const p = 10 ** -ndigits;
  const q = x / p;
  const f = Math.floor(q);
  // A tie only when x itself is exactly halfway (the division may round a near-tie onto .5).
  if (q - f === 0.5 && (f + 0.5) * p === x) return (f % 2 === 0 ? f : f + 1) * p;
  return Math.round(q) * p;
}

/**
 * The response_times key of a response time in ms, as StatsEntry._log_response_time rounds it:
 * to 1 ms below 100 ms, 10 ms below 1 s, 100 ms below 10 s, 1 s above.
 */
export function responseTimeKey(ms: number): number {
  if (ms < 100) return pyRound(ms);
  if (ms < 1000) return pyRound(ms, -1);
  if (ms < 10_000) return pyRound(ms, -2);
  return pyRound(ms, -3);
}

/** `HOST[:PORT]` (an IPv6 host in brackets: `[::1]:5557`); port 5557 when none is given. */
export function parseMasterAddress(s: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m || !m[1]) throw new Error(`--master wants HOST or HOST:PORT (e.g. 10.0.0.5:5557), got "${s}"`);
  const port = m[2] === undefined ? DEFAULT_MASTER_PORT : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--master port must be 1-65535, got "${m[2]}"`);
  return { host: m[1], port };
}
