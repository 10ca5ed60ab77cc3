/** Messages between the extension host and the language worker (token hints, tokenizer downloads). */
import type { TokenizerErrorCode, TokenizerSource } from '../../core/tokenize/load';
import type { TokenHintsResult } from './token-hints';

export interface HintsMessage {
  id: number;
  op?: 'hints';
  text: string;
  file: string;
  defaultTokenizer?: string;
  tokenizerOverride?: string;
  /** Folder holding tokenizers/ (the bundle's dist/); default the worker's own folder. */
  codeDir?: string;
  /** The Hugging Face hub cache, read from the host's environment at request time. */
  hfCacheDir?: string;
}

/** Download a hub id into the Hugging Face cache: sent only after the user agreed (LanguageFeatures). */
export interface DownloadMessage {
  id: number;
  op: 'download';
  tokenizer: string;
  /** The scenario's folder (a spec that is a local path resolves against it). */
  scenarioDir: string;
  hubUrl: string;
  hfCacheDir?: string;
  downloadTimeoutMs?: number;
}

export type LanguageRequest = HintsMessage | DownloadMessage;

export interface DownloadResult {
  name: string;
  source: TokenizerSource;
  location: string;
}

export type LanguageResponse =
  | { id: number; ok: true; result?: TokenHintsResult; superseded?: boolean }
  | { id: number; ok: true; downloaded: DownloadResult }
  | { id: number; ok: false; message: string; code?: TokenizerErrorCode };
