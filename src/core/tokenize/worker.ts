/**
 * The tokenization worker thread: loads tokenizers and counts off the main event loop, so the
 * event loop that timestamps stream packets (or serves the editor) never stalls on a long prompt.
 * Bundled by esbuild as dist/tokenize-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import { countPrompt } from './counts';
import { loadTokenizer, TokenizerError, type LoadedTokenizer } from './load';
import type { TokenizeOps, TokenizeRequest, TokenizeResponse } from './protocol';
import { countPlan } from './plan-counts';
import { makeSyntheticPrompts, syntheticDatasetPrompts } from './synthetic';

async function handle(req: TokenizeRequest, tok: LoadedTokenizer): Promise<TokenizeOps[TokenizeRequest['op']]['result']> {
  switch (req.op) {
    case 'load':
      return {
        name: tok.name,
        source: tok.source,
        location: tok.location,
        modelMaxLength: tok.modelMaxLength,
        hasChatTemplate: tok.applyChatTemplate !== undefined,
      };
    case 'count':
      return req.texts.map((t) => tok.count(t));
    case 'countPrompts':
      return req.prompts.map((p) => countPrompt(tok, p));
    case 'synthetic':
      return makeSyntheticPrompts(tok, req.spec);
    case 'countPlan':
      return countPlan(tok, req.plan, req.countOptions);
    case 'syntheticDataset':
      return syntheticDatasetPrompts(tok, req.dataset, { fallbackSeed: req.fallbackSeed });
  }
}

const port = parentPort;
if (port) {
  // Requests run one after another, in order: counting is CPU work, a queue gains nothing.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (req: TokenizeRequest) => {
    chain = chain.then(async () => {
      let res: TokenizeResponse;
      try {
        const tok = await loadTokenizer(req.tokenizer, req.options);
        res = { id: req.id, ok: true, result: await handle(req, tok) };
      } catch (e) {
        const err = e as Error;
        res = { id: req.id, ok: false, error: { message: err.message, code: e instanceof TokenizerError ? e.code : undefined } };
      }
      port.postMessage(res);
    });
  });
}
