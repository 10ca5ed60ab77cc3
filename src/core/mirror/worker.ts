/**
 * The mirror's worker thread: everything but forwarding the primary's bytes (./bookkeeper.ts),
 * on its own event loop, so that reading and timing the shadow's streams, decoding the primary's
 * log and writing records never delay a byte on its way to the client. Built as
 * dist/mirror-worker.js; started by ./session.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RunDirInUseError } from '../results/run-dir';
import { MirrorBookkeeper } from './bookkeeper';
import type { FromMirrorWorker, MirrorWorkerInit, ToMirrorWorker } from './worker-protocol';
import { threadId } from '../load/thread-priority';
import { BackgroundThreads } from './thread-priority';

const init = workerData as MirrorWorkerInit;
// Every thread but the proxy's yields the core (./thread-priority.ts): this one, and in the
// mirror's own process all the others too.
const threads = new BackgroundThreads({ mode: init.background, mainTid: process.pid, ownTid: threadId(), allThreads: init.ownProcess });
threads.start();
const port = parentPort!;
const post = (m: FromMirrorWorker): void => port.postMessage(m);

let book: MirrorBookkeeper | undefined;
try {
  book = new MirrorBookkeeper(init.opts, init.t0_epoch, new Int32Array(init.counters), init.records ? (side, rec) => post({ type: 'record', side, rec }) : undefined);
  post({ type: 'ready' });
} catch (e) {
  const err = e as Error;
  post({ type: 'failed', name: err.name, message: err.message, ...(e instanceof RunDirInUseError ? { dir: e.dir, files: [...e.files] } : {}) });
}

if (book) {
  const b = book;
  let closing = false;
  port.on('message', (m: ToMirrorWorker) => {
    if (m.type !== 'close') {
      try {
        b.handle(m);
      } catch {
        // One request's bookkeeping failed (its record is missing); the mirror goes on.
      }
      return;
    }
    if (closing) return;
    closing = true;
    threads.stop();
    void b.close(m.waitShadowMs, threads.report()).then(
      (summary) => {
        post({ type: 'closed', summary });
        port.close();
      },
      (e: Error) => {
        post({ type: 'failed', name: e.name, message: e.message });
        port.close();
      },
    );
  });
}
