/** Messages between the extension host and the language worker (token hints). */
import type { TokenHintsResult } from './token-hints';

export interface LanguageRequest {
  id: number;
  text: string;
  file: string;
  defaultTokenizer?: string;
  tokenizerOverride?: string;
  /** Folder holding tokenizers/ (the bundle's dist/); default the worker's own folder. */
  codeDir?: string;
}

export type LanguageResponse =
  | { id: number; ok: true; result?: TokenHintsResult; superseded?: boolean }
  | { id: number; ok: false; message: string };
