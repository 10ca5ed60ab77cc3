/**
 * Plays a planned response through the engine model: the request is submitted to the deployment,
 * and each time a step emits tokens for it (one, or several with speculative decoding) they go out
 * at once as stream chunks, one chunk per phase of those tokens. No timer per stream or token: the
 * deployment's one clock drives every response. Keep-alives, faults and the closing frames behave
 * as with the simple player (responder.ts); mid-stream faults count output tokens.
 */
import type { Chunk } from './generation';
import type { FinishSummary } from './apis/types';
import type { Deployment, Submitted } from './engine/deployment';
import { MID_STREAM_FAULTS, type FaultRequest } from './faults';
import { answerComplete, type CompleteJob, type RunningResponse, type StreamJob } from './responder';
import { wallClockMs } from './send-log';

/** Timers of one response that are not per token: keep-alive, slow_ttft delay, late socket close. */
class Lifetime {
  done = false;
  readonly started = performance.now();
  firstAt = 0;
  lastAt = 0;
  submitted: Submitted | undefined;
  keepAlive: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly ended: Promise<void>;
  private resolve!: () => void;

  constructor() {
    this.ended = new Promise((r) => (this.resolve = r));
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
  /** Starts the engine request now, or after the slow_ttft fault's extra time. */
  start(fault: FaultRequest | undefined, slowMs: number, submit: () => Submitted): void {
    if (fault?.kind === 'slow_ttft') this.later(fault.arg ?? slowMs, () => (this.submitted = submit()));
    else this.submitted = submit();
  }
  cleanup(): void {
    if (this.done) return;
    this.done = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.stopKeepAlive();
    this.submitted?.cancel();
    this.resolve();
  }
  summary(job: { gen: StreamJob['gen'] }): FinishSummary {
    const g = job.gen;
    const t = performance.now();
    return {
      finishReason: g.finishReason,
      promptTokens: g.promptTokens,
      cachedTokens: this.submitted?.cachedTokens ?? 0,
      completionTokens: g.thinkingTokens + g.answerTokens + g.toolTokens,
      reasoningTokens: g.thinkingTokens,
      thinkingText: g.thinkingText,
      answerText: g.answerText,
      toolName: g.toolName,
      toolArguments: g.toolArguments,
      prefillMs: (this.firstAt || t) - this.started,
      decodeMs: this.firstAt ? Math.max(0, this.lastAt - this.firstAt) : 0,
      totalMs: t - this.started,
    };
  }
}

/** Joins consecutive one-token chunks of the same phase into one chunk each. */
function mergeByPhase(chunks: readonly Chunk[]): Chunk[] {
  const out: Chunk[] = [];
  for (const c of chunks) {
    const last = out[out.length - 1];
    if (last && last.phase === c.phase) out[out.length - 1] = { phase: c.phase, text: last.text + c.text, tokens: last.tokens + c.tokens, delayMs: 0 };
    else out.push({ ...c, delayMs: 0 });
  }
  return out;
}

export function playEngineStream(job: StreamJob, deployment: Deployment): RunningResponse {
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
    life.submitted?.cancel();
  };
  const finish = (): void => {
    if (stopped || life.done) return;
    if (faultAt === chunks.length && !struck) {
      struck = true;
      if (!strike()) return stop();
    }
    write(encoder.finish(life.summary(job)));
    sink.end();
  };
  /** Sends the next `count` planned tokens as chunks, striking the mid-stream fault at its point. */
  const send = (count: number): void => {
    if (stopped || life.done) return;
    if (next === 0) {
      life.stopKeepAlive();
      life.firstAt = performance.now();
    }
    life.lastAt = performance.now();
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
        const isFinal = next === chunks.length && i === group.length - 1 && faultAt !== chunks.length;
        write(encoder.chunk(group[i], isFinal ? life.summary(job) : undefined));
      }
    }
  };

  life.start(fault, job.profile.slow_ttft_ms, () =>
    deployment.submit({
      promptTokens: gen.promptTokens,
      keys: gen.promptKeys ?? [],
      maxOutput: Math.max(1, chunks.length),
      sink: {
        tokens: send,
        done: (error) => {
          if (error) {
            write(encoder.streamError(error));
            sink.end();
            return;
          }
          finish();
        },
      },
    }),
  );
  return {
    abort() {
      if (!sink.finished) sink.destroy();
      life.cleanup();
    },
    ended: life.ended,
  };
}

export function playEngineComplete(job: CompleteJob, deployment: Deployment): RunningResponse {
  const { res, gen, fault } = job;
  const life = new Lifetime();
  res.on('close', () => life.cleanup());
  life.start(fault, job.ctx.profile.slow_ttft_ms, () =>
    deployment.submit({
      promptTokens: gen.promptTokens,
      keys: gen.promptKeys ?? [],
      maxOutput: Math.max(1, gen.chunks.length),
      sink: {
        tokens: () => {
          life.lastAt = performance.now();
          if (!life.firstAt) life.firstAt = life.lastAt;
        },
        done: (error) => {
          if (error) {
            res.writeHead(400, { 'content-type': 'application/json', ...job.headers }).end(JSON.stringify(job.api.errorBody(400, error)));
            return;
          }
          answerComplete(job, life.summary(job), (ms, fn) => life.later(ms, fn));
        },
      },
    }),
  );
  return {
    abort() {
      if (!res.destroyed) res.destroy();
      life.cleanup();
    },
    ended: life.ended,
  };
}
