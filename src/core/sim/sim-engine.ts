/**
 * The one interface between the simulator's front ends and whatever times the responses. The
 * front ends (HTTP in server.ts, WebSocket in websocket.ts) parse a request, `core.prepare` plans
 * it with the engine's help (prompt limit, prefix cache, chunking), and the player (player.ts)
 * hands the planned response to `serve`; the engine then says when the first token is out, when
 * each planned chunk is due and when the response is done. Two members:
 * - timed-engine.ts: the fast profiles: serving slots, a timer per response, batch slowdown;
 * - deployment-engine.ts: the engine profiles: the step-by-step engine model (engine/deployment.ts).
 */
import type { FaultRequest } from './faults';
import type { Generation } from './generation';
import type { SimProfile } from './profiles';

/** One planned response handed to an engine to time. */
export interface ServeJob {
  gen: Generation;
  /** The response's profile (with any reasoning-format override). */
  profile: SimProfile;
  fault?: FaultRequest;
  /** True for a stream (chunks one by one as they are due); false for one body (all chunks at the end). */
  streaming: boolean;
  /** Output tokens as planned, before an answer was fitted to a known question (what the fast profiles' /metrics counts). */
  plannedOutputTokens: number;
}

/** What an engine tells the player about one response. */
export interface ServeEvents {
  /** The first output token is decoded: the wait (and its keep-alives) ends, the first-token time is taken. */
  firstToken(): void;
  /** The next `count` planned chunks are due now. */
  chunks(count: number): void;
  /** Every planned chunk is out; or the engine refused the request (`error`). */
  done(error?: string): void;
}

/** One response while an engine serves it. */
export interface Serving {
  /** Prompt tokens served from the prefix cache (as the engine found them). */
  readonly cachedTokens: number;
  /** The response stopped producing output (a mid-stream fault): no more events; the engine may free what the request holds. */
  halt(): void;
  /** The response is over, in any way: no more events, everything it holds is freed. */
  cancel(): void;
}

export interface SimEngine {
  /** Why a prompt of this many tokens cannot be served (a 400's message), or undefined when it fits. */
  promptError(promptTokens: number): string | undefined;
  /** Prompt tokens the prefix cache serves for this prompt, and the cache keys the engine wants back on the generation. */
  prefix(promptText: string, promptTokens: number, profile: SimProfile): { cachedTokens: number; keys?: number[] };
  /** The profile to plan a response with (the engine model emits one token per step, so one token per chunk). */
  planningProfile(profile: SimProfile): SimProfile;
  /** Starts timing one response. */
  serve(job: ServeJob, events: ServeEvents): Serving;
  /** Requests waiting per serving slot now (0 when none wait). */
  pressure(): number;
  /** The engine's Prometheus exposition text (vLLM's metric names). */
  metricsText(model: string): string;
  /** Stops the engine's clock (the server is closing). */
  stop(): void;
}

/** Timers that all end together: a response's or an engine request's. */
export class Timers {
  done = false;
  private readonly set = new Set<NodeJS.Timeout>();

  /** Runs `fn` after `ms` unless cleared first. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.set.delete(t);
      if (!this.done) fn();
    }, Math.max(0, ms));
    this.set.add(t);
  }

  /** Clears every timer; returns false when they were cleared already. */
  clear(): boolean {
    if (this.done) return false;
    this.done = true;
    for (const t of this.set) clearTimeout(t);
    this.set.clear();
    return true;
  }
}
