/**
 * Backoff after failures that got no answer from the model: the policy a closed-loop user (or an
 * open-loop load that skips while the target is down) follows so that a server that is down,
 * restarting or shedding load is not flooded. Pure: the caller gives the random numbers and the
 * clock, so the waits are tested exactly.
 *
 * Jitter: "decorrelated" (each wait drawn uniformly from [base, 3 x the previous wait], capped).
 * Unlike full jitter, no wait is ever shorter than `base`, which gives a hard bound on failing
 * traffic: one user sends at most one failing request per `base`, so N users send at most
 * N / base failing requests per second, whatever the server does (the default: N x 10/s).
 */
import type { RecordDigest } from '../metrics/record';

export interface BackoffPolicy {
  /** The shortest wait after a failure, ms; also the wait that the first failure starts from. */
  base_ms: number;
  /** The longest wait the jitter may draw, ms (a longer `Retry-After` is still honoured). */
  cap_ms: number;
}

/** `backoff 100ms..10s`: what a scenario without a `backoff` line gets. */
export const DEFAULT_BACKOFF: BackoffPolicy = { base_ms: 100, cap_ms: 10_000 };

/** The fields of a record that say whether the model answered. */
export type OutcomeFields = Pick<RecordDigest, 'status' | 'error' | 'http_status' | 'packets'>;

/** HTTP statuses that mean "not now" rather than "not this request": rate limited, or the server (or a proxy before it) is not serving. */
const UNAVAILABLE = new Set([429, 502, 503, 504]);

/** No output packet (thinking, answer, tool call): a role-only chunk, a heartbeat or stats are no answer. */
function noOutput(packets: OutcomeFields['packets']): boolean {
  return !packets.thinking && !packets.answer && !packets.tool_call;
}

/**
 * True for a failure that got no answer from the model: the connection was refused, reset or timed
 * out before any output (`connect`, `timeout_ttft`; `disconnect` or `timeout_total` before any
 * thinking, answer or tool-call packet), or the server said it cannot serve now (HTTP 429, 502, 503, 504). Other
 * failures (a 400, a broken stream, an empty answer) mean the server answered: no backoff for them.
 */
export function isNoAnswerFailure(r: OutcomeFields): boolean {
  if (r.status !== 'error' || !r.error) return false;
  if (r.http_status !== null && UNAVAILABLE.has(r.http_status)) return true;
  switch (r.error.kind) {
    case 'http_429':
    case 'connect':
    case 'timeout_ttft':
      return true;
    case 'disconnect':
    case 'timeout_total':
      return noOutput(r.packets);
    default:
      return false;
  }
}

/**
 * A `Retry-After` header value in ms from now: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`, against `nowEpochMs`). Undefined when absent or malformed; a
 * date in the past is 0.
 */
export function retryAfterMs(value: string | undefined, nowEpochMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  if (!/[A-Za-z]/.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowEpochMs);
}

/** One client's backoff state (a closed-loop user's, or an open-loop thread's). */
export class Backoff {
  private prev: number;
  /** Consecutive no-answer failures since the last answer. */
  failures = 0;

  constructor(
    readonly policy: BackoffPolicy,
    private readonly random: () => number,
  ) {
    this.prev = policy.base_ms;
  }

  /**
   * A no-answer failure: returns how long to wait before the next request, ms. Decorrelated
   * jitter: uniform in [base, min(cap, 3 x previous wait)]; a `Retry-After` (ms) longer than that
   * is waited out in full.
   */
  fail(retryAfter?: number): number {
    const { base_ms, cap_ms } = this.policy;
    this.failures++;
    const hi = Math.min(cap_ms, Math.max(base_ms, this.prev * 3));
    const wait = Math.min(cap_ms, base_ms + this.random() * (hi - base_ms));
    this.prev = wait;
    return retryAfter !== undefined && retryAfter > wait ? retryAfter : wait;
  }

  /** The server answered: the next failure starts again from `base`. */
  succeed(): void {
    this.failures = 0;
    this.prev = this.policy.base_ms;
  }
}

/** The policy as a scenario writes it: `100ms..10s`. */
export function formatPolicy(p: BackoffPolicy): string {
  const d = (ms: number): string => (ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
  return `${d(p.base_ms)}..${d(p.cap_ms)}`;
}

/** A request held back by backoff: a user's wait after a no-answer failure, or a skipped open-loop arrival (`wait_ms` 0). */
export interface HeldBack {
  /** On the run's clock, ms. */
  t_ms: number;
  wait_ms: number;
}
