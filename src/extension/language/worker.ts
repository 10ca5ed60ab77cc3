/**
 * The language worker thread (dist/language-worker.js): token-count hints off the extension host's
 * thread. Requests for the same file supersede older ones still queued: those are answered
 * `superseded` without being computed, so typing never piles up work. A `download` request (sent
 * only after the user agreed) fetches a Hugging Face tokenizer into the local cache.
 */
import { parentPort } from 'node:worker_threads';
import path from 'node:path';
import { loadTokenizer, TokenizerError } from '../../core/tokenize/load';
import { computeTokenHints } from './token-hints';
import type { LastGoodResolution } from './lenient-plan';
import type { DownloadMessage, HintsMessage, LanguageRequest, LanguageResponse } from './worker-protocol';

const queue: LanguageRequest[] = [];
/** Per file, the api/model/tokenizer of its last text that resolved: counts go on while it has errors. */
const lastGood = new Map<string, LastGoodResolution>();
let busy = false;

function reply(r: LanguageResponse): void {
  parentPort!.postMessage(r);
}

const isHints = (r: LanguageRequest): r is HintsMessage => r.op !== 'download';

async function download(req: DownloadMessage): Promise<LanguageResponse> {
  const tok = await loadTokenizer(req.tokenizer, {
    scenarioDir: req.scenarioDir,
    allowDownload: true,
    hubUrl: req.hubUrl,
    hfCacheDir: req.hfCacheDir,
    downloadTimeoutMs: req.downloadTimeoutMs,
  });
  return { id: req.id, ok: true, downloaded: { name: tok.name, source: tok.source, location: tok.location } };
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    while (queue.length) {
      const req = queue.shift()!;
      if (isHints(req) && queue.some((q) => isHints(q) && q.file === req.file)) {
        reply({ id: req.id, ok: true, superseded: true });
        continue;
      }
      try {
        if (!isHints(req)) {
          reply(await download(req));
          continue;
        }
        const result = await computeTokenHints(req.text, {
          file: req.file,
          defaultTokenizer: req.defaultTokenizer,
          tokenizerOverride: req.tokenizerOverride,
          codeDir: req.codeDir ?? path.dirname(__filename),
          hfCacheDir: req.hfCacheDir,
          lastGood: lastGood.get(req.file),
        });
        if (result.resolved) lastGood.set(req.file, result.resolved);
        reply({ id: req.id, ok: true, result });
      } catch (e) {
        reply({ id: req.id, ok: false, message: e instanceof Error ? e.message : String(e), code: e instanceof TokenizerError ? e.code : undefined });
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
