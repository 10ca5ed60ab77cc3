/**
 * Runs tokenization in a worker thread and answers with promises. The worker starts on first use
 * and does not keep the process alive while idle. From the bundle it is dist/tokenize-worker.js
 * next to the calling bundle; from TypeScript sources it is worker.ts, loaded through tsx.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PromptPlan, RunPlan, SyntheticDatasetPlan } from '../scenario/plan';
import type { CountPlanOptions, PlanCounts } from './plan-counts';
import type { PromptCount } from './counts';
import { TokenizerError, type LoadTokenizerOptions } from './load';
import type { TokenizeOp, TokenizeOps, TokenizeRequest, TokenizeResponse, TokenizerInfo } from './protocol';
import type { SyntheticSpec } from './synthetic';

/** A worker script; `typescript` when it must be loaded through tsx (running from sources). */
export interface WorkerEntry {
  file: string;
  typescript?: boolean;
}

/**
 * A worker thread on `entry`. A .ts entry gets tsx's CommonJS hook first: `--import tsx` in a
 * worker's execArgv does not reach worker threads on Node 20, so the hook is required in an eval
 * bootstrap, resolved from this module (tsx is a dev dependency, present only when running sources).
 */
function spawn(entry: WorkerEntry): Worker {
  if (!entry.typescript) return new Worker(entry.file);
  const tsxCjs = require.resolve('tsx/cjs', { paths: [__dirname] });
  return new Worker(`require(${JSON.stringify(tsxCjs)}); require(${JSON.stringify(entry.file)});`, { eval: true });
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/** The worker's entry: the bundled .js when present next to this code, else the .ts source. */
export function workerEntry(codeDir: string = __dirname): WorkerEntry {
  const bundled = path.join(codeDir, 'tokenize-worker.js');
  if (existsSync(bundled)) return { file: bundled };
  const source = path.join(codeDir, 'worker.ts');
  if (existsSync(source)) return { file: source, typescript: true };
  throw new Error(`the tokenization worker is missing: neither ${bundled} nor ${source} exists (was tokenize-worker.js bundled?)`);
}

export class TokenizeClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly entry: WorkerEntry = workerEntry()) {}

  load(tokenizer: string, options?: LoadTokenizerOptions): Promise<TokenizerInfo> {
    return this.call('load', tokenizer, options, {});
  }

  count(tokenizer: string, texts: string[], options?: LoadTokenizerOptions): Promise<number[]> {
    return this.call('count', tokenizer, options, { texts });
  }

  countPrompts(tokenizer: string, prompts: Pick<PromptPlan, 'messages'>[], options?: LoadTokenizerOptions): Promise<PromptCount[]> {
    return this.call('countPrompts', tokenizer, options, { prompts });
  }

  synthetic(tokenizer: string, spec: SyntheticSpec, options?: LoadTokenizerOptions): Promise<PromptPlan[]> {
    return this.call('synthetic', tokenizer, options, { spec });
  }

  /** Every count and limit diagnostic of a scenario (see countPlan): one call per editor change. */
  countPlan(tokenizer: string, plan: RunPlan, countOptions: CountPlanOptions, options?: LoadTokenizerOptions): Promise<PlanCounts> {
    return this.call('countPlan', tokenizer, options, { plan, countOptions });
  }

  /** The prompts of a scenario's `dataset synthetic` (see syntheticDatasetPrompts). */
  syntheticDataset(tokenizer: string, dataset: SyntheticDatasetPlan, fallbackSeed?: number, options?: LoadTokenizerOptions): Promise<PromptPlan[]> {
    return this.call('syntheticDataset', tokenizer, options, { dataset, fallbackSeed });
  }

  /** Stops the worker; pending calls fail. A later call starts a new one. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the tokenization worker was closed'));
    if (w) await w.terminate();
  }

  private call<K extends TokenizeOp>(
    op: K,
    tokenizer: string,
    options: LoadTokenizerOptions | undefined,
    params: TokenizeOps[K]['params'],
  ): Promise<TokenizeOps[K]['result']> {
    const w = this.start();
    const id = this.nextId++;
    const req = { id, op, tokenizer, options, ...params } as TokenizeRequest;
    return new Promise<TokenizeOps[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.ref();
      w.postMessage(req);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = spawn(this.entry);
    w.on('message', (res: TokenizeResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (this.pending.size === 0) w.unref();
      if (res.ok) p.resolve(res.result);
      else p.reject(res.error.code ? new TokenizerError(res.error.code, res.error.message) : new Error(res.error.message));
    });
    // Only the current worker's end fails the pending calls: a closed one already failed its own.
    w.on('error', (e) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.failAll(new Error(`the tokenization worker failed: ${e.message}`));
    });
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.failAll(new Error(`the tokenization worker exited (code ${code})`));
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}
