/**
 * Where the mirror's bookkeeping (./bookkeeper.ts) runs, behind one small interface: in a worker
 * thread (the default: ./worker.ts, its own event loop, so nothing of it delays the proxy's), or on
 * the proxy's own thread (`oneThread`), the same code fed the same messages one event-loop turn
 * later, to compare the two on a given machine (bench/mirror-overhead.ts, docs/mirror.md).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RequestRecord } from '../metrics/record';
import { RunDirInUseError } from '../results/run-dir';
import { MirrorBookkeeper } from './bookkeeper';
import type { MirrorSummary } from './pairs';
import type { Side } from './side-writer';
import type { FromMirrorWorker, MirrorWorkerInit, ToMirrorWorker } from './worker-protocol';

export interface BookChannel {
  post(m: ToMirrorWorker, transfer?: ArrayBuffer[]): void;
  /** Posts `close` and resolves with the summary once the bookkeeping has written it. */
  close(waitShadowMs: number): Promise<MirrorSummary>;
  /** Stops without summaries (the mirror could not start). */
  abandon(): Promise<void>;
}

/**
 * The bundled worker next to the bundle (dist/mirror-worker.js); from TypeScript sources (tests),
 * worker.ts through tsx's CommonJS hook.
 */
function newMirrorWorker(init: MirrorWorkerInit): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(path.join(__dirname, 'mirror-worker.js'), { workerData: init });
  const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(path.join(__dirname, 'worker.ts'))});`;
  return new Worker(boot, { eval: true, workerData: init });
}

/** Starts the bookkeeping; rejects as the bookkeeper's constructor would (e.g. RunDirInUseError). */
export async function startBookkeeping(init: MirrorWorkerInit, onRecord: ((side: Side, rec: RequestRecord) => void) | undefined, oneThread = false): Promise<BookChannel> {
  if (oneThread) {
    const book = new MirrorBookkeeper(init.opts, init.t0_epoch, new Int32Array(init.counters), onRecord);
    return {
      post: (m) => {
        if (m.type !== 'close') setImmediate(() => book.handle(m));
      },
      // After the messages already queued: setImmediate callbacks run in order.
      close: (waitShadowMs) => new Promise<void>((r) => setImmediate(r)).then(() => book.close(waitShadowMs)),
      abandon: async () => book.abandon(),
    };
  }
  const worker = newMirrorWorker(init);
  let closed: ((s: MirrorSummary) => void) | undefined;
  let failed: ((e: Error) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: FromMirrorWorker) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'record') onRecord?.(m.side, m.rec);
      else if (m.type === 'closed') closed?.(m.summary);
      else {
        const err = m.name === 'RunDirInUseError' && m.dir !== undefined ? new RunDirInUseError(m.dir, m.files ?? []) : Object.assign(new Error(m.message), { name: m.name });
        reject(err);
        failed?.(err);
      }
    });
    worker.on('error', (e) => {
      reject(e);
      failed?.(e);
    });
    worker.on('exit', (code) => {
      const e = new Error(`the mirror's worker thread stopped (exit code ${code})`);
      reject(e);
      failed?.(e);
    });
  });
  try {
    await ready;
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  return {
    post: (m, transfer) => worker.postMessage(m, transfer),
    async close(waitShadowMs) {
      const summary = await new Promise<MirrorSummary>((resolve, reject) => {
        closed = resolve;
        failed = reject;
        worker.postMessage({ type: 'close', waitShadowMs } satisfies ToMirrorWorker);
      });
      await worker.terminate();
      return summary;
    },
    async abandon() {
      await worker.terminate();
    },
  };
}
