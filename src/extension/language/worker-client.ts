/**
 * The host side of the language worker: starts it on first use, answers with promises, caches
 * results per (file, text, tokenizer choice), and drops the answer to a request a newer one for
 * the same file superseded. Also downloads a Hugging Face tokenizer, which only the user's
 * agreement may ask for. No `vscode` import.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TokenizerErrorCode } from '../../core/tokenize/load';
import type { TokenHintsResult } from './token-hints';
import type { DownloadMessage, DownloadResult, LanguageRequest, LanguageResponse } from './worker-protocol';

export interface HintsRequest {
  text: string;
  file: string;
  defaultTokenizer?: string;
  tokenizerOverride?: string;
  /** The Hugging Face hub cache to look in (default: the worker's environment). */
  hfCacheDir?: string;
}

export type DownloadRequest = Omit<DownloadMessage, 'id' | 'op'>;

/** A failure the worker reported; `code` is the tokenizer's ('download-failed', ...) when it was one. */
export class LanguageWorkerError extends Error {
  constructor(
    message: string,
    readonly code?: TokenizerErrorCode,
  ) {
    super(message);
    this.name = 'LanguageWorkerError';
  }
}

const CACHE_SIZE = 64;

export class LanguageWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: LanguageResponse): void; reject(e: Error): void }>();
  private readonly cache = new Map<string, TokenHintsResult>();
  private readonly latest = new Map<string, number>();

  /** `entry`: dist/language-worker.js, or worker.ts (loaded through tsx) when running from sources. */
  constructor(private readonly entry: string = defaultEntry(), private readonly codeDir?: string) {}

  /** Hints for a text; undefined when a newer request for the same file superseded this one. */
  hints(req: HintsRequest): Promise<TokenHintsResult | undefined> {
    const key = JSON.stringify([req.file, req.defaultTokenizer ?? '', req.tokenizerOverride ?? '', req.hfCacheDir ?? '', req.text]);
    const hit = this.cache.get(key);
    if (hit) return Promise.resolve(hit);
    const id = this.nextId++;
    this.latest.set(req.file, id);
    const w = this.start();
    return new Promise<TokenHintsResult | undefined>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (res) => {
          const r = 'result' in res ? res.result : undefined;
          if (r) {
            this.cache.set(key, r);
            if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
          }
          resolve(this.latest.get(req.file) === id ? r : undefined);
        },
        reject,
      });
      w.ref();
      const msg: LanguageRequest = { id, ...req, codeDir: this.codeDir };
      w.postMessage(msg);
    });
  }

  /**
   * Downloads a Hugging Face tokenizer into the local cache (tokenizer.json, tokenizer_config.json).
   * Call only after the user agreed. Rejects with a LanguageWorkerError (code 'download-failed' offline).
   */
  download(req: DownloadRequest): Promise<DownloadResult> {
    const id = this.nextId++;
    const w = this.start();
    return new Promise<DownloadResult>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (res) => ('downloaded' in res ? resolve(res.downloaded) : reject(new Error('the language worker answered a download with no result'))),
        reject,
      });
      w.ref();
      const msg: LanguageRequest = { id, op: 'download', ...req };
      w.postMessage(msg);
    });
  }

  clearCache(): void {
    this.cache.clear();
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error('the language worker was closed'));
    this.pending.clear();
    if (w) await w.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = this.entry.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs', { paths: [__dirname] }))}); require(${JSON.stringify(this.entry)});`, { eval: true })
      : new Worker(this.entry);
    w.on('message', (res: LanguageResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (this.pending.size === 0) w.unref();
      if (!res.ok) p.reject(res.code ? new LanguageWorkerError(res.message, res.code) : new Error(res.message));
      else p.resolve('superseded' in res && res.superseded ? { id: res.id, ok: true } : res);
    });
    const fail = (e: Error): void => {
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', (e) => fail(new Error(`the language worker failed: ${e.message}`)));
    w.on('exit', (code) => fail(new Error(`the language worker exited (code ${code})`)));
    w.unref();
    this.worker = w;
    return w;
  }
}

function defaultEntry(): string {
  const bundled = path.join(__dirname, 'language-worker.js');
  if (existsSync(bundled)) return bundled;
  return path.join(__dirname, 'worker.ts');
}
