/**
 * `llmload mirror` as a library: the proxy (./proxy.ts) in front of the primary, on this thread,
 * and everything else in a worker thread (./book-channel.ts, ./bookkeeper.ts): the sampler choosing
 * conversations, the shadow sender, the decoding and timing of both sides, one run folder per
 * side (OUT/primary, OUT/shadow), the pair comparison (OUT/mirror.json) and the capture file.
 * This thread's loop forwards the primary's bytes and posts a small message per timed request
 * once it is on the primary's socket (at 0% with the next batch); the answers' bytes and arrival
 * times follow a few at a time once ended.
 */
import path from 'node:path';
import type { RequestRecord } from '../metrics/record';
import type { MirrorSummary } from './pairs';
import { startBookkeeping } from './book-channel';
import { startProxy, type CallPlan, type IncomingCall, type RunningProxy } from './proxy';
import { apiOfPath } from './routes';
import type { Side } from './side-writer';
import type { StreamLog } from './stream-log';
import type { BackgroundMode } from './thread-priority';
import { COUNTER, COUNTERS, countsOf, type BookOptions, type CallMessage } from './worker-protocol';

export { MIRROR_FILE } from './bookkeeper';

export interface MirrorOptions extends Omit<BookOptions, 'sample' | 'dir'> {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Share of conversations copied to the shadow, 0..1; default 0.1. */
  sample?: number;
  /** The folder holding primary/, shadow/ and mirror.json. */
  out: string;
  /** Called for each finished record (each is posted back from the worker; the CLI polls answered() instead). */
  onRecord?(side: Side, rec: RequestRecord): void;
  /** Run the bookkeeping on the proxy's thread instead of a worker (to compare the two; see ./book-channel.ts). */
  oneThread?: boolean;
  /**
   * The mirror is the only work of this process (`llmload mirror`): every thread of it but the
   * proxy's yields the core (./thread-priority.ts). Otherwise only the worker's thread does.
   */
  ownProcess?: boolean;
  /** How those threads are scheduled; default `idle` (SCHED_IDLE). */
  background?: BackgroundMode;
}

export interface RunningMirror {
  url: string;
  port: number;
  dir: string;
  counts(): MirrorSummary['requests'];
  /** Records written so far on each side. */
  answered(): { primary: number; shadow: number };
  /**
   * Stops listening and cuts open primary answers (recorded as cancelled), gives the shadow copies
   * still waiting or in flight up to `waitShadowMs` (default 0) to finish, cancels the rest, and
   * writes the summaries.
   */
  close(opts?: { waitShadowMs?: number }): Promise<MirrorSummary>;
}

/**
 * Ended answers are handed to the worker in batches, posted just after an answer ended (its last
 * bytes already written to its client, so the post delays no stream that is waiting for them):
 * when this many are waiting, when the first has waited this long, or (when conversations are
 * copied) when no other answer is streaming. A timer posts what is left when no answer ends for longer.
 */
const ANSWER_BATCH = 64;
const ANSWER_BATCH_MS = 20;
/**
 * With nothing copied (0%) nothing on the worker is urgent: the batch waits this long even when no
 * other answer is streaming. Posting every answer at its end cost one message and one wake-up of
 * the worker per request with a client sending one request at a time; waiting cut the proxy
 * thread's CPU by about 100 µs a request (docs/performance.md, the mirror proxy).
 */
const ANSWER_BATCH_IDLE_MS = 200;
const ANSWER_BATCH_LATEST_MS = 250;

/** A copy of the body in its own memory, so posting it copies its bytes only (not a shared pool slab). */
function ownBytes(body: Buffer): Uint8Array {
  const out = new Uint8Array(body.length);
  out.set(body);
  return out;
}

export async function startMirror(opts: MirrorOptions): Promise<RunningMirror> {
  const dir = path.resolve(opts.out);
  const t0_epoch = performance.timeOrigin + performance.now();
  const shared = new SharedArrayBuffer(COUNTERS * Int32Array.BYTES_PER_ELEMENT);
  const counters = new Int32Array(shared);
  const { host, port, out: _out, onRecord, sample, oneThread, ownProcess, background, ...bookOpts } = opts;
  const book = await startBookkeeping(
    { opts: { ...bookOpts, sample: sample ?? 0.1, dir }, t0_epoch, counters: shared, records: onRecord !== undefined, background: background ?? 'idle', ownProcess: ownProcess === true },
    onRecord,
    oneThread,
  );
  const post = book.post;
  let nextId = 0;
  // With nothing sampled (0%), no request needs the worker at once: its call rides with the next
  // batch of answers (the capture keeps its arrival time), and the batch waits for more answers
  // (ANSWER_BATCH_IDLE_MS): one message and one wake-up for many.
  const callsWait = (sample ?? 0.1) === 0;
  // Ended answers go to the worker a few at a time: one wake-up of the worker per batch, not per answer.
  let calls: CallMessage[] = [];
  let answers: Array<{ id: number; log: StreamLog }> = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let firstQueued = 0;
  const flushAnswers = (): void => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (answers.length === 0 && calls.length === 0) return;
    const batch = answers;
    const waited = calls;
    answers = [];
    calls = [];
    const transfer = batch.map((a) => a.log.bytes.buffer as ArrayBuffer);
    for (const c of waited) transfer.push(c.body.buffer as ArrayBuffer);
    post({ type: 'answers', calls: waited, answers: batch }, transfer);
  };
  const queued = (): void => {
    if (answers.length + calls.length >= ANSWER_BATCH) return flushAnswers();
    if (flushTimer !== undefined) return;
    firstQueued = performance.now();
    flushTimer = setTimeout(flushAnswers, ANSWER_BATCH_LATEST_MS);
  };
  const answered = (id: number, log: StreamLog): void => {
    answers.push({ id, log });
    queued();
    // Called once the answer's end was written to its client: a good moment to post.
    if (flushTimer === undefined) return;
    const waited = performance.now() - firstQueued;
    if (callsWait ? waited >= ANSWER_BATCH_IDLE_MS : proxy.active === 0 || waited >= ANSWER_BATCH_MS) flushAnswers();
  };

  const begin = (call: IncomingCall): CallPlan => {
    const api = apiOfPath(call.method, call.path);
    if (!api) {
      Atomics.add(counters, COUNTER.passthrough, 1);
      post({ type: 'passthrough', path: call.path, headers: call.headers });
      return {};
    }
    const id = nextId++;
    Atomics.add(counters, COUNTER.primary, 1);
    return {
      api,
      // Once the primary request is on its socket: the worker parses, samples, captures and copies it.
      after: () => {
        const m: CallMessage = { type: 'call', id, api, method: call.method, path: call.path, headers: call.headers, body: ownBytes(call.body), arrived_epoch: performance.timeOrigin + call.arrived };
        if (callsWait) {
          calls.push(m);
          queued();
        } else post(m, [m.body.buffer as ArrayBuffer]);
      },
      done: (log) => answered(id, log),
    };
  };

  let proxy: RunningProxy;
  try {
    proxy = await startProxy({ host: host ?? '127.0.0.1', port: port ?? 0, primary: opts.primary, hooks: { begin } });
  } catch (e) {
    await book.abandon();
    throw e;
  }

  return {
    url: proxy.url,
    port: proxy.port,
    dir,
    counts: () => countsOf(counters),
    answered: () => ({ primary: Atomics.load(counters, COUNTER.primary_answers), shadow: Atomics.load(counters, COUNTER.shadow_answers) }),
    async close(o = {}) {
      await proxy.close();
      flushAnswers();
      return book.close(o.waitShadowMs ?? 0);
    },
  };
}
