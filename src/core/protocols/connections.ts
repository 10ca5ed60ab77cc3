/**
 * What the HTTP client knows about its connections: which socket each request went out on, whether
 * that socket had carried a response before (a reused keep-alive connection), and whether the
 * server closes its connections right after each response (llama.cpp's server does, while it
 * advertises `Keep-Alive: timeout=5`). A request sent on such a socket just before the server's
 * FIN arrives fails with no response byte; it never reached the model, so the client sends it again
 * on a fresh connection and counts a retry.
 *
 * undici tells no handler which socket it writes to. Its `undici:client:sendHeaders` diagnostics
 * message carries the socket, and is published synchronously inside the same call that first
 * calls the handler's onRequestStart (client-h1 writeH1): the handler says "the next socket is
 * mine" in onRequestStart and the subscriber hands it over. One message per request, not per read.
 */
import dc from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/** One client's connection counts; summed over load threads into summary.json's `connections`. */
export interface ConnectionStats {
  /** Connections opened. */
  opened: number;
  /** Responses that ended (any status). */
  responses: number;
  /** Connections the server closed within CLOSE_AFTER_RESPONSE_MS of a response's end, or announced with `Connection: close`. */
  closed_after_response: number;
  /** Requests sent again on a fresh connection after a reused one failed before any response byte. */
  retries: number;
  /** False when the scenario turned keep-alive off (`keep_alive off`). */
  keep_alive: boolean;
}

export function emptyConnectionStats(keep_alive = true): ConnectionStats {
  return { opened: 0, responses: 0, closed_after_response: 0, retries: 0, keep_alive };
}

/** A FIN this soon after a response's end is the server closing after the response, not an idle timeout. */
export const CLOSE_AFTER_RESPONSE_MS = 1000;

/** Per socket: how many requests it carried and where its last response stands. */
export interface SocketInfo {
  readonly stats: ConnectionStats;
  requests: number;
  /** A response is arriving on it now. */
  responding: boolean;
  /** performance.now() when its last response ended; -1 before any. */
  lastEnd: number;
  /** Its close after a response was counted already. */
  counted: boolean;
  /** A request was written and no byte of its response was read yet: a `100 Continue` there is skipped. */
  awaitingStatus: boolean;
}

const sockets = new WeakMap<Socket, SocketInfo>();

export interface SocketWaiter {
  /** The socket undici writes this request to, right after onRequestStart. */
  onSocket(socket: Socket): void;
  /** The request's path, to check the hand-over. */
  readonly path: string;
}

let waiting: SocketWaiter | undefined;
let subscribed = false;

function onSendHeaders(message: unknown): void {
  const w = waiting;
  if (!w) return;
  waiting = undefined;
  const m = message as { request?: { path?: unknown }; socket?: Socket };
  if (m.socket && m.request?.path === w.path) w.onSocket(m.socket);
}

/** Called in onRequestStart: the next request undici writes is this waiter's. */
export function expectSocket(w: SocketWaiter): void {
  if (!subscribed) {
    subscribed = true;
    dc.subscribe('undici:client:sendHeaders', onSendHeaders);
  }
  waiting = w;
}

/**
 * The socket a request goes out on, registered with the client's stats on first sight. Returns
 * the socket's info with `requests` counted before this one (0: a fresh connection). `undici`:
 * the socket is undici's, whose reads get the `100 Continue` filter below (llmload's own pool
 * reads interim responses itself and never calls the socket's read()).
 */
export function socketInfo(socket: Socket, stats: ConnectionStats, undici: boolean): SocketInfo {
  let info = sockets.get(socket);
  if (!info) {
    const created: SocketInfo = { stats, requests: 0, responding: false, lastEnd: -1, counted: false, awaitingStatus: false };
    info = created;
    sockets.set(socket, created);
    stats.opened++;
    // The server's FIN (or reset) after a response and before another one started: it closed after the response.
    const closedByServer = (): void => {
      if (!created.responding && !created.counted && created.lastEnd >= 0 && performance.now() - created.lastEnd <= CLOSE_AFTER_RESPONSE_MS) {
        created.counted = true;
        created.stats.closed_after_response++;
      }
    };
    if (undici) skipContinue(socket, created);
    socket.once('end', closedByServer);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') closedByServer();
    });
  }
  return info;
}

const HTTP_1 = Buffer.from('HTTP/1.');
const HEAD_END = Buffer.from('\r\n\r\n');

/** `b` without the `100 Continue` responses it starts with (the same buffer when there are none). */
export function afterContinues(b: Buffer): Buffer {
  let d = b;
  // "HTTP/1.1 100 ": the status code sits at bytes 9-11.
  while (d.length >= 13 && d.subarray(0, 7).equals(HTTP_1) && d[9] === 0x31 && d[10] === 0x30 && d[11] === 0x30 && d[12] === 0x20) {
    const end = d.indexOf(HEAD_END);
    if (end < 0) return d;
    d = d.subarray(end + 4);
  }
  return d;
}

/**
 * undici reads a `100 Continue` it did not ask for as a broken response and closes the socket, yet
 * a server may send one before its real response (RFC 9110 lets it). The socket's read() is
 * wrapped to drop it: one flag test per read, and a look at the bytes only at a response's start.
 */
function skipContinue(socket: Socket, info: SocketInfo): void {
  const read = socket.read;
  socket.read = function (this: Socket, size?: number): unknown {
    const d = read.call(this, size) as Buffer | null;
    if (d === null || !info.awaitingStatus || !Buffer.isBuffer(d)) return d;
    const rest = afterContinues(d);
    if (rest === d) {
      info.awaitingStatus = false;
      return d;
    }
    if (rest.length > 0) {
      info.awaitingStatus = false;
      return rest;
    }
    return this.read(size);
  } as Socket['read'];
}

/** A request was written to the socket: the next bytes are its response. */
export function requestSent(info: SocketInfo): void {
  info.awaitingStatus = true;
}

/** A response started arriving on the socket. */
export function responseStarted(info: SocketInfo): void {
  info.responding = true;
  info.counted = false;
}

/** A response ended on the socket; `closing`: it said `Connection: close`. */
export function responseEnded(info: SocketInfo, closing: boolean): void {
  info.responding = false;
  info.lastEnd = performance.now();
  info.stats.responses++;
  if (closing && !info.counted) {
    info.counted = true;
    info.stats.closed_after_response++;
  }
}

/** Sums the counts of several clients (one per load thread). */
export function mergeConnectionStats(all: ReadonlyArray<ConnectionStats | undefined>): ConnectionStats | undefined {
  let sum: ConnectionStats | undefined;
  for (const s of all) {
    if (!s) continue;
    sum ??= emptyConnectionStats(s.keep_alive);
    sum.opened += s.opened;
    sum.responses += s.responses;
    sum.closed_after_response += s.closed_after_response;
    sum.retries += s.retries;
    sum.keep_alive &&= s.keep_alive;
  }
  return sum;
}

/** Fewer responses than this say nothing about how the server handles connections. */
const MIN_RESPONSES = 3;

/** The server closed the connection after (nearly) every response. */
export function closesAfterEachResponse(s: ConnectionStats): boolean {
  return s.responses >= MIN_RESPONSES && s.closed_after_response >= 0.8 * s.responses;
}

/** Every request opened a connection of its own: the server closed after each response, or the scenario turned keep-alive off. */
export function connectsPerRequest(s: ConnectionStats | undefined): boolean {
  return s !== undefined && (!s.keep_alive || closesAfterEachResponse(s));
}

/** The one line the run reports about its connections, or undefined when there is nothing to say. */
export function connectionNote(s: ConnectionStats | undefined): string | undefined {
  if (!s || !s.keep_alive) return undefined;
  const retried = s.retries > 0 ? ` ${s.retries} request${s.retries === 1 ? ' was' : 's were'} sent on a connection the server was closing and retried on a fresh one (not counted as failures);` : '';
  if (closesAfterEachResponse(s)) {
    return `the server closes connections after each response; llmload reconnects each time.${retried} \`keep_alive off\` in the scenario opens a fresh connection for every request and avoids the retries`;
  }
  if (s.retries > 0) return retried.trim().replace(/;$/, '');
  return undefined;
}

/** summary.json's `connections`: the counts and, when there is one, the note. */
export interface ConnectionSummary extends ConnectionStats {
  note?: string;
}

export function connectionSummary(s: ConnectionStats): ConnectionSummary {
  const note = connectionNote(s);
  return note ? { ...s, note } : { ...s };
}
