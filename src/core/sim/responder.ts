/**
 * Plays one planned response onto the socket with timers (never a busy loop): waits for an
 * admission slot and the prefill time (sending keep-alives meanwhile), then sends each chunk after
 * its decode delay, then the closing frames. Mid-stream faults strike after a set number of
 * chunks. A client disconnect or the server's close() stops every timer of the response.
 */
import type { ServerResponse } from 'node:http';
import type { SimApi, FinishSummary, ResponseContext } from './apis/types';
import type { FaultRequest } from './faults';
import type { Generation } from './generation';
import { wallClockMs } from './send-log';

/** Shared state of the running simulator that responses take part in. */
export interface Engine {
  /** Calls `start` when a serving slot is free; the returned function releases the slot (or leaves the queue). */
  admit(start: () => void): () => void;
  /** Decode-delay multiplier given how many streams decode now. */
  slowdown(): number;
  decodingStarted(): void;
  decodingEnded(): void;
}

export interface ResponseJob {
  res: ServerResponse;
  api: SimApi;
  ctx: ResponseContext;
  gen: Generation;
  fault?: FaultRequest;
  engine: Engine;
  /** The response's send-time list (frames are appended as they are written). */
  sendTimes: number[];
  /** Extra response headers (the response id header). */
  headers: Record<string, string>;
}

export interface RunningResponse {
  /** Stops the response now: timers cleared, slot released, socket destroyed. */
  abort(): void;
  /** Resolves when the response has ended in any way. */
  readonly ended: Promise<void>;
}

const now = (): number => performance.now();

export function playResponse(job: ResponseJob): RunningResponse {
  const { res, gen, engine, fault } = job;
  const started = now();
  const timers = new Set<NodeJS.Timeout>();
  let keepAlive: NodeJS.Timeout | undefined;
  let release: (() => void) | undefined;
  let decoding = false;
  let done = false;
  let firstTokenAt = 0;
  let lastTokenAt = 0;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));

  const cleanup = (): void => {
    if (done) return;
    done = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    if (keepAlive) clearInterval(keepAlive);
    release?.();
    release = undefined;
    if (decoding) engine.decodingEnded();
    decoding = false;
    resolveEnded();
  };
  res.on('close', cleanup);

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!done) fn();
    }, Math.max(0, ms));
    timers.add(t);
  };
  const write = (frames: string[]): void => {
    for (const f of frames) {
      if (res.destroyed || res.writableEnded) return;
      job.sendTimes.push(wallClockMs());
      res.write(f);
    }
  };
  const summary = (): FinishSummary => {
    const t = now();
    return {
      finishReason: gen.finishReason,
      promptTokens: gen.promptTokens,
      completionTokens: gen.thinkingTokens + gen.answerTokens,
      reasoningTokens: gen.thinkingTokens,
      thinkingText: gen.thinkingText,
      answerText: gen.answerText,
      prefillMs: (firstTokenAt || t) - started,
      decodeMs: firstTokenAt ? lastTokenAt - firstTokenAt : 0,
      totalMs: t - started,
    };
  };
  const resetSocket = (): void => {
    const socket = res.socket as (NonNullable<typeof res.socket> & { resetAndDestroy?: () => void }) | null;
    if (socket?.resetAndDestroy) socket.resetAndDestroy();
    else socket?.destroy();
    res.destroy();
  };

  if (job.ctx.request.stream) startStream();
  else startComplete();
  return {
    abort() {
      if (!res.destroyed) res.destroy();
      cleanup();
    },
    ended,
  };

  function startStream(): void {
    const encoder = job.api.encoder(job.ctx);
    res.writeHead(200, {
      'content-type': job.api.streamContentType,
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...job.headers,
    });
    const startFrames = encoder.start();
    if (startFrames.length > 0) write(startFrames);
    else res.flushHeaders();
    const ka = encoder.keepAlive();
    const interval = job.ctx.profile.keepalive_interval_ms;
    if (ka !== undefined && interval > 0) {
      keepAlive = setInterval(() => write([ka]), interval);
    }
    const midFault = fault && ['reset', 'stall', 'disconnect', 'bad_stream', 'stream_error'].includes(fault.kind) ? fault : undefined;
    const faultAt = midFault ? Math.min(gen.chunks.length, midFault.arg ?? job.ctx.profile.fault_after_chunks) : -1;
    let garbageSent = false;

    const step = (i: number): void => {
      if (i === faultAt && midFault && !garbageSent) {
        switch (midFault.kind) {
          case 'reset':
            resetSocket();
            return;
          case 'stall':
            // Stop sending but keep the socket open, until the client gives up or the server closes.
            if (keepAlive) clearInterval(keepAlive);
            return;
          case 'disconnect':
            res.end();
            return;
          case 'stream_error':
            write(encoder.streamError('simulated failure inside the stream'));
            res.end();
            return;
          case 'bad_stream':
            garbageSent = true;
            write(encoder.garbage());
            break;
        }
      }
      if (i >= gen.chunks.length) {
        write(encoder.finish(summary()));
        res.end();
        return;
      }
      lastTokenAt = now();
      // The last chunk of a response that ends normally carries the final numbers (TGI puts them there).
      const isFinal = i === gen.chunks.length - 1 && faultAt !== gen.chunks.length;
      write(encoder.chunk(gen.chunks[i], isFinal ? summary() : undefined));
      if (i + 1 < gen.chunks.length) later(gen.chunks[i + 1].delayMs * engine.slowdown(), () => step(i + 1));
      else step(i + 1);
    };

    release = engine.admit(() => {
      later(gen.prefillMs, () => {
        if (keepAlive) clearInterval(keepAlive);
        keepAlive = undefined;
        firstTokenAt = now();
        decoding = true;
        engine.decodingStarted();
        if (gen.chunks.length > 0) later(gen.chunks[0].delayMs, () => step(0));
        else step(0);
      });
    });
  }

  function startComplete(): void {
    release = engine.admit(() => {
      const decodeMs = gen.chunks.reduce((sum, c) => sum + c.delayMs, 0) * engine.slowdown();
      later(gen.prefillMs, () => {
        firstTokenAt = now();
        decoding = true;
        engine.decodingStarted();
        later(decodeMs, finishComplete);
      });
    });
  }

  function finishComplete(): void {
    lastTokenAt = now();
    const kind = fault?.kind;
    if (kind === 'stall') return;
    if (kind === 'reset') {
      resetSocket();
      return;
    }
    const headers = { 'content-type': 'application/json', ...job.headers };
    if (kind === 'stream_error') {
      const body = JSON.stringify(job.api.errorBody(500, 'simulated failure while generating'));
      job.sendTimes.push(wallClockMs());
      res.writeHead(500, headers).end(body);
      return;
    }
    if (kind === 'bad_stream') {
      job.sendTimes.push(wallClockMs());
      res.writeHead(200, headers).end('{"id": <<not json>>');
      return;
    }
    const body = JSON.stringify(job.api.completeBody(job.ctx, gen, summary()));
    job.sendTimes.push(wallClockMs());
    if (kind === 'disconnect') {
      // Promise the whole body, send half of it, then close: the client sees a premature end.
      res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
      res.write(body.slice(0, Math.floor(body.length / 2)));
      later(10, () => res.socket?.destroy());
      return;
    }
    res.writeHead(200, headers).end(body);
  }
}
