/**
 * Plays one planned response with timers (never a busy loop): waits for an admission slot and the
 * prefill time (sending keep-alives meanwhile), then sends each chunk after its decode delay, then
 * the closing frames. Mid-stream faults strike after a set number of chunks. The peer going away,
 * or the server's close(), stops every timer of the response. Frames go to a FrameSink, so the same
 * player serves HTTP responses and WebSocket messages.
 */
import type { ServerResponse } from 'node:http';
import type { FinishSummary, SimApi, ResponseContext, StreamEncoder } from './apis/types';
import { MID_STREAM_FAULTS, type FaultRequest } from './faults';
import type { Generation } from './generation';
import type { SimProfile } from './profiles';
import { wallClockMs } from './send-log';
import type { Deployment } from './engine/deployment';
import { playEngineComplete, playEngineStream } from './engine-player';

/** Shared state of the running simulator that responses take part in. */
export interface Engine {
  /** Calls `start` when a serving slot is free; the returned function releases the slot (or leaves the queue). */
  admit(start: () => void): () => void;
  /** Decode-delay multiplier given how many streams decode now. */
  slowdown(): number;
  decodingStarted(): void;
  decodingEnded(): void;
  /** Requests waiting for a serving slot now, per slot (0 when none wait; 1 or more when as many wait as there are slots). */
  pressure?(): number;
  /** Engine profiles: the step-by-step engine model that times every response instead. */
  deployment?: Deployment;
}

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
  /** Stops the response now: timers cleared, slot released, connection destroyed. */
  abort(): void;
  /** Resolves when the response has ended in any way. */
  readonly ended: Promise<void>;
}

export interface StreamJob {
  sink: FrameSink;
  encoder: StreamEncoder;
  profile: SimProfile;
  gen: Generation;
  fault?: FaultRequest;
  engine: Engine;
  /** The response's send-time list (frames are appended as they are written). */
  sendTimes: number[];
}

const now = (): number => performance.now();

/** Timers, admission slot and decode accounting of one response, all released by one cleanup. */
class Lifecycle {
  readonly started = now();
  firstTokenAt = 0;
  lastTokenAt = 0;
  done = false;
  keepAlive: NodeJS.Timeout | undefined;
  release: (() => void) | undefined;
  readonly ended: Promise<void>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private decoding = false;
  private resolveEnded!: () => void;

  constructor(private readonly engine: Engine) {
    this.ended = new Promise<void>((r) => (this.resolveEnded = r));
  }

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.done) fn();
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  stopKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }

  firstToken(): void {
    this.firstTokenAt = now();
    this.decoding = true;
    this.engine.decodingStarted();
  }

  summary(gen: Generation): FinishSummary {
    const t = now();
    return {
      finishReason: gen.finishReason,
      promptTokens: gen.promptTokens,
      cachedTokens: gen.cachedTokens,
      completionTokens: gen.thinkingTokens + gen.answerTokens + gen.toolTokens,
      reasoningTokens: gen.thinkingTokens,
      thinkingText: gen.thinkingText,
      answerText: gen.answerText,
      toolName: gen.toolName,
      toolArguments: gen.toolArguments,
      prefillMs: (this.firstTokenAt || t) - this.started,
      decodeMs: this.firstTokenAt ? Math.max(0, this.lastTokenAt - this.firstTokenAt) : 0,
      totalMs: t - this.started,
    };
  }

  cleanup(): void {
    if (this.done) return;
    this.done = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.stopKeepAlive();
    this.release?.();
    this.release = undefined;
    if (this.decoding) this.engine.decodingEnded();
    this.decoding = false;
    this.resolveEnded();
  }
}

/** Streams a planned response to a sink. */
export function playStream(job: StreamJob): RunningResponse {
  if (job.engine.deployment) return playEngineStream(job, job.engine.deployment);
  const { sink, encoder, gen, engine, fault } = job;
  const life = new Lifecycle(engine);
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
  const midFault = fault && MID_STREAM_FAULTS.has(fault.kind) ? fault : undefined;
  const faultAt = midFault ? Math.min(gen.chunks.length, midFault.arg ?? job.profile.fault_after_chunks) : -1;
  let garbageSent = false;

  const chunks = gen.chunks;
  let next = 0;
  // Absolute due time of the next chunk: timers fire late by up to a millisecond or so, and
  // scheduling against the due time (not "delay after the last send") keeps that from adding up,
  // so the average rate is the profile's. Chunks already due go out in the same turn.
  let due = 0;

  /** Handles a mid-stream fault at this point; false when the stream stops here. */
  const strike = (kind: FaultRequest['kind']): boolean => {
    switch (kind) {
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
        garbageSent = true;
        write(encoder.garbage());
        return true;
      default:
        return true;
    }
  };

  const pump = (): void => {
    while (!life.done) {
      if (next === faultAt && midFault && !garbageSent && !strike(midFault.kind)) return;
      if (next >= chunks.length) {
        write(encoder.finish(life.summary(gen)));
        sink.end();
        return;
      }
      life.lastTokenAt = now();
      // The last chunk of a response that ends normally carries the final numbers (TGI puts them there).
      const isFinal = next === chunks.length - 1 && faultAt !== chunks.length;
      write(encoder.chunk(chunks[next], isFinal ? life.summary(gen) : undefined));
      next++;
      if (next < chunks.length) {
        due += chunks[next].delayMs * engine.slowdown();
        const wait = due - now();
        if (wait > 0.5) {
          life.later(wait, pump);
          return;
        }
      }
    }
  };

  life.release = engine.admit(() => {
    life.later(gen.prefillMs, () => {
      life.stopKeepAlive();
      life.firstToken();
      due = now() + (chunks[0]?.delayMs ?? 0);
      if (chunks.length > 0 && chunks[0].delayMs > 0.5) life.later(chunks[0].delayMs, pump);
      else pump();
    });
  });
  return {
    abort() {
      if (!sink.finished) sink.destroy();
      life.cleanup();
    },
    ended: life.ended,
  };
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
export function answerComplete(job: CompleteJob, summary: FinishSummary, later: (ms: number, fn: () => void) => void): void {
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

export interface CompleteJob {
  res: ServerResponse;
  api: SimApi;
  ctx: ResponseContext;
  gen: Generation;
  fault?: FaultRequest;
  engine: Engine;
  sendTimes: number[];
  headers: Record<string, string>;
}

/** Answers a non-streaming HTTP request after the whole generation time, in one JSON body. */
export function playComplete(job: CompleteJob): RunningResponse {
  if (job.engine.deployment) return playEngineComplete(job, job.engine.deployment);
  const { res, gen, engine } = job;
  const life = new Lifecycle(engine);
  res.on('close', () => life.cleanup());

  const finish = (): void => {
    life.lastTokenAt = now();
    answerComplete(job, life.summary(gen), (ms, fn) => life.later(ms, fn));
  };

  life.release = engine.admit(() => {
    const decodeMs = gen.chunks.reduce((sum, c) => sum + c.delayMs, 0) * engine.slowdown();
    life.later(gen.prefillMs, () => {
      life.firstToken();
      life.later(decodeMs, finish);
    });
  });
  return {
    abort() {
      if (!res.destroyed) res.destroy();
      life.cleanup();
    },
    ended: life.ended,
  };
}
