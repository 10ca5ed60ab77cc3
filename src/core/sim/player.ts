/**
 * Plays one planned response as its engine (sim-engine.ts) times it: sends the opening frames and
 * keep-alives while the client waits, each planned chunk when the engine says it is due (chunks
 * due together go out as one chunk per phase), then the closing frames. Mid-stream faults strike
 * after a set number of chunks. The peer going away, or the server's close(), ends the response
 * and frees what the engine holds for it. Frames go to a FrameSink, so the same player serves HTTP
 * responses and WebSocket messages; a non-streaming response is one JSON body at the end.
 */
import type { ServerResponse } from 'node:http';
import type { FinishSummary, SimApi, ResponseContext, StreamEncoder } from './apis/types';
import { MID_STREAM_FAULTS, type FaultRequest } from './faults';
import type { Chunk, Generation } from './generation';
import type { SimProfile } from './profiles';
import { wallClockMs } from './send-log';
import { Timers, type ServeEvents, type Serving, type SimEngine } from './sim-engine';

/** Where a streamed response's frames go: an HTTP response body or a WebSocket. */
export interface FrameSink {
  /** Called once before the first frame (HTTP: the 200 status line and headers). */
  open(): void;
  write(frame: string): void;
  /** Ends the response normally. */
  end(): void;
  /** Ends the response before its done marker so the peer can tell (HTTP: end the body; WebSocket: close the connection). */
  endEarly(): void;
  /** Cuts the connection abruptly (TCP reset). */
  reset(): void;
  /** Stops the response now (abort, server closing). */
  destroy(): void;
  /** True once the peer is gone or the response has ended. */
  readonly finished: boolean;
  /** Calls `fn` when the peer goes away or the response ends. */
  onClose(fn: () => void): void;
}

export interface RunningResponse {
  /** Stops the response now: timers cleared, engine request freed, connection destroyed. */
  abort(): void;
  /** Resolves when the response has ended in any way. */
  readonly ended: Promise<void>;
}

/** What both kinds of response are played with. */
interface PlayJob {
  gen: Generation;
  fault?: FaultRequest;
  engine: SimEngine;
  /** The response's send-time list (frames are appended as they are written). */
  sendTimes: number[];
  /** Output tokens as planned before an answer was fitted (see ServeJob). */
  plannedOutputTokens: number;
}

export interface StreamJob extends PlayJob {
  sink: FrameSink;
  encoder: StreamEncoder;
  profile: SimProfile;
}

export interface CompleteJob extends PlayJob {
  res: ServerResponse;
  api: SimApi;
  ctx: ResponseContext;
  headers: Record<string, string>;
}

const now = (): number => performance.now();

/** One response's own timers (keep-alive, a late socket close), its engine request and its phase times, all ended by one cleanup. */
class Lifetime {
  readonly started = now();
  firstAt = 0;
  lastAt = 0;
  keepAlive: NodeJS.Timeout | undefined;
  serving: Serving | undefined;
  readonly timers = new Timers();
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor() {
    this.ended = new Promise<void>((r) => (this.resolveEnded = r));
  }

  get done(): boolean {
    return this.timers.done;
  }

  later(ms: number, fn: () => void): void {
    this.timers.later(ms, fn);
  }

  stopKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }

  summary(gen: Generation): FinishSummary {
    const t = now();
    return {
      finishReason: gen.finishReason,
      promptTokens: gen.promptTokens,
      cachedTokens: this.serving?.cachedTokens ?? 0,
      completionTokens: gen.thinkingTokens + gen.answerTokens + gen.toolTokens,
      reasoningTokens: gen.thinkingTokens,
      thinkingText: gen.thinkingText,
      answerText: gen.answerText,
      toolName: gen.toolName,
      toolArguments: gen.toolArguments,
      prefillMs: (this.firstAt || t) - this.started,
      decodeMs: this.firstAt ? Math.max(0, this.lastAt - this.firstAt) : 0,
      totalMs: t - this.started,
    };
  }

  cleanup(): void {
    if (!this.timers.clear()) return;
    this.stopKeepAlive();
    this.serving?.cancel();
    this.resolveEnded();
  }

  /** The running response: abort() destroys the connection (unless gone already) and cleans up. */
  running(destroy: () => void): RunningResponse {
    return {
      abort: () => {
        destroy();
        this.cleanup();
      },
      ended: this.ended,
    };
  }
}

/** Joins consecutive chunks of the same phase into one chunk each. */
function mergeByPhase(chunks: readonly Chunk[]): Chunk[] {
  const out: Chunk[] = [];
  for (const c of chunks) {
    const last = out[out.length - 1];
    if (last && last.phase === c.phase) out[out.length - 1] = { phase: c.phase, text: last.text + c.text, tokens: last.tokens + c.tokens, delayMs: 0 };
    else out.push({ ...c, delayMs: 0 });
  }
  return out;
}

/** Streams a planned response to a sink. */
export function playStream(job: StreamJob): RunningResponse {
  const { sink, encoder, gen, fault } = job;
  const life = new Lifetime();
  sink.onClose(() => life.cleanup());
  const write = (frames: string[]): void => {
    for (const f of frames) {
      if (sink.finished) return;
      job.sendTimes.push(wallClockMs());
      sink.write(f);
    }
  };
  sink.open();
  write(encoder.start());
  const ka = encoder.keepAlive();
  if (ka !== undefined && job.profile.keepalive_interval_ms > 0) {
    life.keepAlive = setInterval(() => write([ka]), job.profile.keepalive_interval_ms);
  }
  const chunks = gen.chunks;
  const midFault = fault && MID_STREAM_FAULTS.has(fault.kind) ? fault : undefined;
  const faultAt = midFault ? Math.min(chunks.length, midFault.arg ?? job.profile.fault_after_chunks) : -1;
  let next = 0;
  let stopped = false;
  let struck = false;

  /** Applies the mid-stream fault; false when the stream stops here. */
  const strike = (): boolean => {
    switch (midFault!.kind) {
      case 'reset':
        sink.reset();
        return false;
      case 'stall':
        // Stop sending but keep the connection open, until the peer gives up or the server closes.
        life.stopKeepAlive();
        return false;
      case 'disconnect':
        sink.endEarly();
        return false;
      case 'stream_error':
        write(encoder.streamError('simulated failure inside the stream'));
        sink.end();
        return false;
      case 'bad_stream':
        write(encoder.garbage());
        return true;
      default:
        return true;
    }
  };
  const stop = (): void => {
    stopped = true;
    life.serving?.halt();
  };
  const events: ServeEvents = {
    firstToken() {
      if (stopped || life.done) return;
      life.stopKeepAlive();
      life.firstAt = now();
    },
    /** Sends the next `count` planned chunks, striking the mid-stream fault at its point. */
    chunks(count) {
      if (stopped || life.done) return;
      life.lastAt = now();
      let left = count;
      while (left > 0 && next < chunks.length) {
        if (next === faultAt && !struck) {
          struck = true;
          if (!strike()) return stop();
        }
        let end = Math.min(chunks.length, next + left);
        if (!struck && faultAt > next && faultAt < end) end = faultAt;
        const group = mergeByPhase(chunks.slice(next, end));
        left -= end - next;
        next = end;
        for (let i = 0; i < group.length; i++) {
          // The last chunk of a response that ends normally carries the final numbers (TGI puts them there).
          const isFinal = next === chunks.length && i === group.length - 1 && faultAt !== chunks.length;
          write(encoder.chunk(group[i], isFinal ? life.summary(gen) : undefined));
        }
      }
    },
    done(error) {
      if (stopped || life.done) return;
      if (error) {
        write(encoder.streamError(error));
        sink.end();
        return;
      }
      if (faultAt === chunks.length && !struck) {
        struck = true;
        if (!strike()) return stop();
      }
      write(encoder.finish(life.summary(gen)));
      sink.end();
    },
  };
  life.serving = job.engine.serve({ gen, profile: job.profile, fault, streaming: true, plannedOutputTokens: job.plannedOutputTokens }, events);
  return life.running(() => {
    if (!sink.finished) sink.destroy();
  });
}

/** An HTTP response as a frame sink. */
export function httpSink(res: ServerResponse, contentType: string, headers: Record<string, string>): FrameSink {
  return {
    open() {
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
      res.flushHeaders();
    },
    write: (frame) => void res.write(frame),
    end: () => void res.end(),
    endEarly: () => void res.end(),
    reset: () => resetSocket(res),
    destroy: () => void res.destroy(),
    get finished() {
      return res.destroyed || res.writableEnded;
    },
    onClose: (fn) => void res.on('close', fn),
  };
}

/** Sends a non-streaming response's body, or the fault it was given instead. */
function answerComplete(job: CompleteJob, summary: FinishSummary, later: (ms: number, fn: () => void) => void): void {
  const { res } = job;
  const kind = job.fault?.kind;
  if (kind === 'stall') return;
  if (kind === 'reset') {
    resetSocket(res);
    return;
  }
  const headers = { 'content-type': 'application/json', ...job.headers };
  job.sendTimes.push(wallClockMs());
  if (kind === 'stream_error') {
    res.writeHead(500, headers).end(JSON.stringify(job.api.errorBody(500, 'simulated failure while generating')));
    return;
  }
  if (kind === 'bad_stream') {
    res.writeHead(200, headers).end('{"id": <<not json>>');
    return;
  }
  const body = JSON.stringify(job.api.completeBody(job.ctx, job.gen, summary));
  if (kind === 'disconnect') {
    // Promise the whole body, send half of it, then close: the client sees a premature end.
    res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.write(body.slice(0, Math.floor(body.length / 2)));
    later(10, () => res.socket?.destroy());
    return;
  }
  res.writeHead(200, headers).end(body);
}

export function resetSocket(res: ServerResponse): void {
  const socket = res.socket as (NonNullable<typeof res.socket> & { resetAndDestroy?: () => void }) | null;
  if (socket?.resetAndDestroy) socket.resetAndDestroy();
  else socket?.destroy();
  res.destroy();
}

/** Answers a non-streaming HTTP request when the engine is done with it, in one JSON body. */
export function playComplete(job: CompleteJob): RunningResponse {
  const { res, gen } = job;
  const life = new Lifetime();
  res.on('close', () => life.cleanup());
  const events: ServeEvents = {
    firstToken: () => void (life.firstAt = now()),
    chunks: () => void (life.lastAt = now()),
    done(error) {
      if (error) {
        res.writeHead(400, { 'content-type': 'application/json', ...job.headers }).end(JSON.stringify(job.api.errorBody(400, error)));
        return;
      }
      answerComplete(job, life.summary(gen), (ms, fn) => life.later(ms, fn));
    },
  };
  const serveJob = { gen, profile: job.ctx.profile, fault: job.fault, streaming: false, plannedOutputTokens: job.plannedOutputTokens };
  life.serving = job.engine.serve(serveJob, events);
  return life.running(() => {
    if (!res.destroyed) res.destroy();
  });
}
