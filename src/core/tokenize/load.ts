/**
 * Finds and loads a tokenizer from what a scenario's `tokenizer` directive says: a bundled name, a
 * local folder or tokenizer.json path, or a Hugging Face model id (local Hugging Face cache first,
 * then a download the user agreed to). Loaded tokenizers are cached per process.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import type { Message } from '../scenario/plan';
import { BUNDLED_TOKENIZERS, findBundled, locateBundled, type TokenizerFiles } from './bundled';
import { speedUp } from './speedups';
import { compileChatTemplate, pickTemplateText, type ChatTemplate, type TemplateMessage } from './chat-template';
import { defaultHubCache, hubEndpoint } from './hub';

export { defaultHubCache, hubEndpoint };

export type TokenizerSource = 'bundled' | 'path' | 'hf-cache' | 'hub';

export interface LoadedTokenizer {
  /** The bundled name, the hub id, or the folder the files came from. */
  name: string;
  source: TokenizerSource;
  /** Folder or file the tokenizer was read from. */
  location: string;
  /** Tokens in `text`, with no special tokens added (BOS etc.); special tokens written in the text count as one each. */
  count(text: string): number;
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: number[]): string;
  /** The model's chat template, rendered; absent when the tokenizer has none. */
  applyChatTemplate?(messages: TemplateMessage[] | Message[], opts?: { addGenerationPrompt?: boolean }): string;
  /** `model_max_length` from tokenizer_config.json, when it is a real limit (not HF's 1e30 "none"). */
  modelMaxLength?: number;
}

export interface LoadTokenizerOptions {
  /** Folder relative paths are resolved against (the scenario's folder). */
  scenarioDir?: string;
  /** The Hugging Face hub cache (`.../huggingface/hub`). Default: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub. */
  hfCacheDir?: string;
  /** The user agreed to download a hub id that is not cached. Default false. */
  allowDownload?: boolean;
  /** Hub base URL. Default: hubEndpoint() ($LLMLOAD_HF_ENDPOINT, $HF_ENDPOINT, https://huggingface.co). */
  hubUrl?: string;
  /** Whole download timeout per file. Default 20 s. */
  downloadTimeoutMs?: number;
  /** Folder of the bundled code, holding `tokenizers/<name>/`. Default: this module's folder. */
  codeDir?: string;
}

export type TokenizerErrorCode = 'not-found' | 'needs-download' | 'download-failed' | 'invalid';

export class TokenizerError extends Error {
  constructor(
    readonly code: TokenizerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TokenizerError';
  }
}

/** Hugging Face writes model_max_length = int(1e30) when a model sets no limit. */
const NO_LIMIT = 1e15;

const cache = new Map<string, Promise<LoadedTokenizer>>();

/** Drops every cached tokenizer (tests; a changed tokenizer file). */
export function clearTokenizerCache(): void {
  cache.clear();
}

export function loadTokenizer(spec: string, opts: LoadTokenizerOptions = {}): Promise<LoadedTokenizer> {
  const family = findBundled(spec);
  // A bundled name is one tokenizer however it is spelled and wherever the scenario is.
  const key = family
    ? JSON.stringify(['bundled', family.name, opts.codeDir ?? ''])
    : JSON.stringify([spec.trim(), opts.scenarioDir ?? '', opts.hfCacheDir ?? '', opts.allowDownload ?? false]);
  let p = cache.get(key);
  if (!p) {
    p = resolveAndLoad(spec.trim(), opts);
    cache.set(key, p);
    // A failure is not cached: the user may fix it (download, create the file) and try again.
    p.catch(() => cache.delete(key));
  }
  return p;
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

async function resolveAndLoad(spec: string, opts: LoadTokenizerOptions): Promise<LoadedTokenizer> {
  if (spec === '') throw new TokenizerError('invalid', `empty tokenizer name; use one of ${BUNDLED_TOKENIZERS.join(', ')}, a folder, or a Hugging Face model id`);
  const family = findBundled(spec);
  if (family) {
    const files = locateBundled(family, opts.codeDir);
    if (!files) {
      throw new TokenizerError('not-found', `the bundled tokenizer '${family.name}' is missing from this installation (no tokenizers/${family.dir} folder and no ${family.pkg} package)`);
    }
    return build(family.name, 'bundled', path.dirname(files.tokenizerJson), files, family.chatTemplate);
  }

  const expanded = spec.startsWith('~/') ? path.join(os.homedir(), spec.slice(2)) : spec;
  const local = path.resolve(opts.scenarioDir ?? process.cwd(), expanded);
  const looksLikePath = /^(\.{1,2}[\\/]|[\\/]|~\/|[A-Za-z]:[\\/])/.test(spec) || spec.endsWith('.json') || !HUB_ID.test(spec);
  if (existsSync(local)) return build(local, 'path', local, filesAt(local), undefined);
  if (!/[\\/]/.test(spec) && !spec.endsWith('.json')) {
    throw new TokenizerError(
      'not-found',
      `unknown tokenizer '${spec}': not a bundled name (${BUNDLED_TOKENIZERS.join(', ')}), not a file or folder (looked at ${local}), and not a Hugging Face model id (ORG/NAME)`,
    );
  }
  if (looksLikePath) {
    throw new TokenizerError(
      'not-found',
      `no tokenizer at ${local}: give a folder holding tokenizer.json (and tokenizer_config.json), a tokenizer.json path, a Hugging Face model id (ORG/NAME), or a bundled name (${BUNDLED_TOKENIZERS.join(', ')})`,
    );
  }

  const hubCache = opts.hfCacheDir ?? defaultHubCache();
  const snapshot = findInHubCache(hubCache, spec);
  if (snapshot) return build(spec, 'hf-cache', snapshot, filesAt(snapshot), undefined);
  if (!opts.allowDownload) {
    throw new TokenizerError(
      'needs-download',
      `tokenizer '${spec}' is not in the Hugging Face cache (${hubCache}) and downloading it was not allowed. ` +
        `Fix: run \`huggingface-cli download ${spec} tokenizer.json tokenizer_config.json\` on a machine with network (then copy the cache), ` +
        `allow llmload to download it, point \`tokenizer\` at a local folder, or use a bundled name (${BUNDLED_TOKENIZERS.join(', ')}).`,
    );
  }
  const dir = await downloadToHubCache(spec, hubCache, opts);
  return build(spec, 'hub', dir, filesAt(dir), undefined);
}

/** True when `e` says a hub id must be downloaded first and the user has not agreed yet. */
export function needsDownload(e: unknown): e is TokenizerError {
  return e instanceof TokenizerError && e.code === 'needs-download';
}

function repoDir(hubCache: string, id: string): string {
  return path.join(hubCache, 'models--' + id.replace('/', '--'));
}

/** The snapshot folder of `id` that holds a tokenizer.json: the one refs/main names, else the newest. */
export function findInHubCache(hubCache: string, id: string): string | undefined {
  const repo = repoDir(hubCache, id);
  const snapshots = path.join(repo, 'snapshots');
  if (!existsSync(snapshots)) return undefined;
  try {
    const ref = readFileSync(path.join(repo, 'refs', 'main'), 'utf8').trim();
    const dir = path.join(snapshots, ref);
    if (ref && existsSync(path.join(dir, 'tokenizer.json'))) return dir;
  } catch {
    // no refs/main: fall through to any snapshot
  }
  const candidates = readdirSync(snapshots)
    .map((d) => path.join(snapshots, d))
    .filter((d) => existsSync(path.join(d, 'tokenizer.json')))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return candidates[0];
}

function filesAt(p: string): TokenizerFiles {
  const isDir = statSync(p).isDirectory();
  const dir = isDir ? p : path.dirname(p);
  const tokenizerJson = isDir ? path.join(dir, 'tokenizer.json') : p;
  if (!existsSync(tokenizerJson)) {
    throw new TokenizerError('not-found', `${dir} holds no tokenizer.json`);
  }
  const cfg = path.join(dir, 'tokenizer_config.json');
  const jinja = path.join(dir, 'chat_template.jinja');
  return {
    tokenizerJson,
    tokenizerConfig: existsSync(cfg) ? cfg : undefined,
    chatTemplateFile: existsSync(jinja) ? jinja : undefined,
  };
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    const bytes = readFileSync(file);
    text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (e) {
    throw new TokenizerError('not-found', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new TokenizerError('invalid', `${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function build(
  name: string,
  source: TokenizerSource,
  location: string,
  files: TokenizerFiles,
  templateOverride: string | undefined,
): LoadedTokenizer {
  const json = readJson(files.tokenizerJson);
  const config = files.tokenizerConfig ? readJson(files.tokenizerConfig) : {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new TokenizerError('invalid', `${files.tokenizerJson} is not a tokenizer this library can load: ${(e as Error).message}`);
  }
  speedUp(tok);
  const templateText =
    templateOverride ??
    (files.chatTemplateFile ? readFileSync(files.chatTemplateFile, 'utf8') : undefined) ??
    pickTemplateText(config);
  let template: ChatTemplate | undefined;
  if (templateText !== undefined) {
    try {
      template = compileChatTemplate(templateText, config);
    } catch (e) {
      throw new TokenizerError('invalid', `${files.tokenizerConfig ?? files.tokenizerJson}: ${(e as Error).message}`);
    }
  }
  const maxLen = config.model_max_length;
  const encode = (text: string, opts?: { addSpecialTokens?: boolean }): number[] =>
    tok.encode(text, { add_special_tokens: opts?.addSpecialTokens ?? false }).ids;
  return {
    name,
    source,
    location,
    // tokenize() skips the ids and attention mask encode() builds: a count needs neither.
    count: (text) => (text === '' ? 0 : tok.tokenize(text, { add_special_tokens: false }).length),
    encode,
    decode: (ids) => tok.decode(ids, { skip_special_tokens: false }),
    applyChatTemplate: template
      ? (messages, o) => template.render(messages, { addGenerationPrompt: o?.addGenerationPrompt ?? true })
      : undefined,
    modelMaxLength: typeof maxLen === 'number' && maxLen > 0 && maxLen < NO_LIMIT ? maxLen : undefined,
  };
}

/** The files a tokenizer needs, from the hub; only tokenizer.json must exist. */
const HUB_FILES: { file: string; required: boolean }[] = [
  { file: 'tokenizer.json', required: true },
  { file: 'tokenizer_config.json', required: false },
  { file: 'chat_template.jinja', required: false },
];

async function downloadToHubCache(id: string, hubCache: string, opts: LoadTokenizerOptions): Promise<string> {
  const base = (opts.hubUrl ?? hubEndpoint()).replace(/\/+$/, '');
  const timeoutMs = opts.downloadTimeoutMs ?? 20_000;
  const headers: Record<string, string> = {};
  const token = process.env.HF_TOKEN ?? process.env.HUGGING_FACE_HUB_TOKEN;
  if (token) headers.authorization = `Bearer ${token}`;
  const got: { file: string; body: Buffer }[] = [];
  let commit: string | undefined;
  for (const { file, required } of HUB_FILES) {
    const url = `${base}/${id}/resolve/main/${file}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why =
        err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : err.cause?.code ?? err.cause?.message ?? err.message;
      throw new TokenizerError(
        'download-failed',
        `cannot download tokenizer '${id}' from ${base} (${why}). This machine looks offline: ` +
          `put the model's tokenizer.json and tokenizer_config.json in a folder and point \`tokenizer\` at it, ` +
          `fill the Hugging Face cache (${hubCache}) elsewhere, or use a bundled name (${BUNDLED_TOKENIZERS.join(', ')}).`,
      );
    }
    if (res.status === 404 && !required) {
      await res.body?.cancel();
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      const hint = res.status === 401 || res.status === 403 ? ' (a gated model: set HF_TOKEN to a token that has access)' : '';
      throw new TokenizerError('download-failed', `cannot download ${file} of '${id}' from ${base}: HTTP ${res.status}${hint}`);
    }
    commit ??= res.headers.get('x-repo-commit') ?? undefined;
    try {
      got.push({ file, body: Buffer.from(await res.arrayBuffer()) });
    } catch (e) {
      throw new TokenizerError('download-failed', `download of ${file} of '${id}' broke off: ${(e as Error).message}`);
    }
  }
  const rev = commit && /^[0-9a-f]{40}$/.test(commit) ? commit : 'llmload-download';
  const repo = repoDir(hubCache, id);
  const dir = path.join(repo, 'snapshots', rev);
  mkdirSync(dir, { recursive: true });
  for (const { file, body } of got) {
    const tmp = path.join(dir, `.${file}.${process.pid}.tmp`);
    writeFileSync(tmp, body);
    renameSync(tmp, path.join(dir, file));
  }
  mkdirSync(path.join(repo, 'refs'), { recursive: true });
  writeFileSync(path.join(repo, 'refs', 'main'), rev);
  return dir;
}
