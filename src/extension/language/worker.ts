/**
 * The language worker thread (dist/language-worker.js): token-count hints off the extension host's
 * thread. Requests for the same file supersede older ones still queued: those are answered
 * `superseded` without being computed, so typing never piles up work.
 */
import { parentPort } from 'node:worker_threads';
import path from 'node:path';
import { computeTokenHints } from './token-hints';
import type { LanguageRequest, LanguageResponse } from './worker-protocol';

const queue: LanguageRequest[] = [];
let busy = false;

function reply(r: LanguageResponse): void {
  parentPort!.postMessage(r);
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    while (queue.length) {
      const req = queue.shift()!;
      if (queue.some((q) => q.file === req.file)) {
        reply({ id: req.id, ok: true, superseded: true });
        continue;
      }
      try {
        const result = await computeTokenHints(req.text, {
          file: req.file,
          defaultTokenizer: req.defaultTokenizer,
          tokenizerOverride: req.tokenizerOverride,
          codeDir: req.codeDir ?? path.dirname(__filename),
        });
        reply({ id: req.id, ok: true, result });
      } catch (e) {
        reply({ id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) });
      }
    }
  } finally {
    busy = false;
  }
}

parentPort!.on('message', (req: LanguageRequest) => {
  queue.push(req);
  void pump();
});
