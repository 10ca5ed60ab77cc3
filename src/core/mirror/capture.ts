/**
 * `--capture FILE`: every timed request as one JSON line, in arrival order, in the replay log
 * format (see ../load/replay.ts and docs/mirror.md):
 *   {"offset_ms": 1250.4, "time": "2026-12-06T12:00:01.250Z", "api": "openai-chat",
 *    "path": "/v1/chat/completions", "conversation": "c-…", "body": {…}}
 * `conversation` is the thread of the request (./threads.ts): the turns of one chat share it.
 * Credential headers are never written (only the body is), credential query values are replaced,
 * known secret values anywhere in the body are redacted, and prompt text is kept, hashed or
 * dropped per `--keep-prompts`.
 */
import fs from 'node:fs';
import type { ApiKind } from '../scenario/plan';
import { shortHash } from './sampler';
import { publicPath, type SecretRegistry } from './secrets';

export type KeepPrompts = 'keep' | 'hash' | 'drop';

export const KEEP_PROMPTS: readonly KeepPrompts[] = ['keep', 'hash', 'drop'];

/** Body fields that hold prompt text (at any depth: messages[].content, content parts' text …). */
const PROMPT_FIELDS = new Set(['content', 'text', 'system', 'prompt', 'inputs', 'input', 'instructions', 'messages']);

/** A copy of a request body with its prompt text hashed (`sha256:…`) or dropped (''); the body as is for `keep`. */
export function promptsAs(body: unknown, mode: KeepPrompts): unknown {
  if (mode === 'keep') return body;
  const conv = (v: unknown, inPrompt: boolean, depth: number): unknown => {
    if (typeof v === 'string') return inPrompt ? (mode === 'hash' ? `sha256:${shortHash(v)}` : '') : v;
    if (v === null || typeof v !== 'object' || depth > 32) return v;
    if (Array.isArray(v)) return v.map((x) => conv(x, inPrompt, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = conv(x, inPrompt ? k !== 'role' && k !== 'type' && k !== 'name' : PROMPT_FIELDS.has(k), depth + 1);
    return out;
  };
  return conv(body, false, 0);
}

export interface CaptureEntry {
  offset_ms: number;
  epoch_ms: number;
  api: ApiKind;
  path: string;
  conversation: string;
  /** The parsed body, or undefined when it was not JSON (then it is not captured). */
  body: unknown;
}

export class CaptureWriter {
  private readonly fd: number;
  private closed = false;
  lines = 0;

  constructor(
    readonly file: string,
    private readonly mode: KeepPrompts,
    private readonly secrets: SecretRegistry,
  ) {
    this.fd = fs.openSync(file, 'w');
  }

  write(e: CaptureEntry): void {
    if (this.closed || e.body === undefined) return;
    const line = {
      offset_ms: Math.round(e.offset_ms * 1000) / 1000,
      time: new Date(e.epoch_ms).toISOString(),
      api: e.api,
      path: publicPath(e.path),
      conversation: e.conversation,
      body: promptsAs(e.body, this.mode),
    };
    const red = this.secrets.redactor;
    let text = JSON.stringify(line);
    if (red.active && red.jsonHas(text)) text = JSON.stringify(red.value(line));
    fs.writeSync(this.fd, text + '\n');
    this.lines++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
