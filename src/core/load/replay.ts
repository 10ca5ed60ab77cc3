/**
 * Replay logs: a JSONL file whose every line holds a time offset and what to send. A line is
 *   {"offset_ms": 1250, "prompt": "text"}                      one user message
 *   {"offset_s": 1.25, "messages": [{"role": "user", "content": "..."}]}
 *   {"offset_ms": 1250, "body": {"messages": [...], "max_tokens": 64}}   a request body, merged last
 * with optional "name" (the prompt's name in results, default "replay") and "max_tokens".
 * Offsets are relative to the log's start and need not be sorted; the schedule sorts them.
 * Parsing never throws: every bad line is reported with its line number.
 *
 * `llmload mirror --capture` writes the same format (one format, see docs/mirror.md), adding
 *   "conversation": "c-…"   the turns of one conversation are sent in order, each after the last ended
 *   "api", "path", "time"   what was called and when (wall clock); read as notes
 * A captured body is the client's whole request: its "model" is left out on replay (the
 * scenario's model is sent), and its messages may be in any shape the API takes (content parts …).
 */
import fs from 'node:fs';
import type { Message, PromptPlan, RequestParams } from '../scenario/plan';
import type { ReplayEntry } from './shape';

export interface ReplayParse {
  entries: ReplayEntry[];
  /** `line N: what is wrong`, 1-based lines. */
  errors: string[];
}

const ROLES = new Set(['system', 'user', 'assistant']);

function isMessages(v: unknown): v is Message[] {
  return Array.isArray(v) && v.every((m) => typeof m === 'object' && m !== null && ROLES.has((m as Message).role) && typeof (m as Message).content === 'string');
}

function parseLine(obj: unknown): { entry?: ReplayEntry; error?: string } {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { error: 'not a JSON object' };
  const o = obj as Record<string, unknown>;
  let offset: number;
  if (o.offset_ms !== undefined) offset = o.offset_ms as number;
  else if (o.offset_s !== undefined) offset = (o.offset_s as number) * 1000;
  else return { error: 'no time offset (offset_ms or offset_s)' };
  if (typeof offset !== 'number' || !Number.isFinite(offset) || offset < 0) return { error: 'the time offset must be a number >= 0' };
  const name = o.name === undefined ? 'replay' : o.name;
  if (typeof name !== 'string' || name === '') return { error: '"name" must be a non-empty string' };
  const params: RequestParams = {};
  if (o.max_tokens !== undefined) {
    if (typeof o.max_tokens !== 'number' || !Number.isInteger(o.max_tokens) || o.max_tokens < 1) return { error: '"max_tokens" must be a positive integer' };
    params.max_tokens = o.max_tokens;
  }
  const prompt: PromptPlan = { name, weight: 1, messages: [], params };
  const sources = ['prompt', 'messages', 'body'].filter((k) => o[k] !== undefined);
  if (sources.length !== 1) return { error: sources.length === 0 ? 'no request (prompt, messages or body)' : `more than one request (${sources.join(', ')})` };
  if (o.prompt !== undefined) {
    if (typeof o.prompt !== 'string') return { error: '"prompt" must be a string' };
    prompt.messages = [{ role: 'user', content: o.prompt }];
  } else if (o.messages !== undefined) {
    if (!isMessages(o.messages)) return { error: '"messages" must be an array of {role, content}' };
    prompt.messages = o.messages;
  } else {
    const body = o.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: '"body" must be a JSON object' };
    let b = body as Record<string, unknown>;
    // A captured request (it names its API) may carry messages in any shape the API takes; the body sends them.
    const captured = typeof o.api === 'string';
    if (b.messages !== undefined && !isMessages(b.messages) && !(captured && Array.isArray(b.messages))) return { error: '"body.messages" must be an array of {role, content}' };
    if (isMessages(b.messages)) prompt.messages = b.messages;
    if (captured && b.model !== undefined) {
      const { model: _model, ...rest } = b;
      b = rest;
    }
    prompt.body = b;
  }
  if (o.conversation !== undefined && (typeof o.conversation !== 'string' || o.conversation === '')) return { error: '"conversation" must be a non-empty string' };
  const entry: ReplayEntry = { offset_ms: offset, prompt };
  if (typeof o.conversation === 'string') entry.conversation = o.conversation;
  return { entry };
}

export function parseReplay(text: string): ReplayParse {
  const entries: ReplayEntry[] = [];
  const errors: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      errors.push(`line ${i + 1}: not valid JSON`);
      continue;
    }
    const r = parseLine(obj);
    if (r.error) errors.push(`line ${i + 1}: ${r.error}`);
    else entries.push(r.entry!);
  }
  if (entries.length === 0 && errors.length === 0) errors.push('the replay log has no entries');
  return { entries, errors };
}

/**
 * The entries of the window [from_ms, to_ms) of a log (log time), shifted so the window starts at
 * 0; all of them without a window.
 */
export function replayWindow(entries: readonly ReplayEntry[], window: { from_ms?: number; to_ms?: number } = {}): ReplayEntry[] {
  const from = window.from_ms ?? 0;
  const to = window.to_ms ?? Infinity;
  if (from === 0 && to === Infinity) return [...entries];
  return entries.filter((e) => e.offset_ms >= from && e.offset_ms < to).map((e) => ({ ...e, offset_ms: e.offset_ms - from }));
}

/** Reads and parses a replay log; throws one clear Error naming the file and its first mistakes. */
export function loadReplay(file: string, window?: { from_ms?: number; to_ms?: number }): ReplayEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the replay log ${file}: ${(e as Error).message}`);
  }
  const { entries, errors } = parseReplay(text);
  if (errors.length > 0) {
    const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
    throw new Error(`replay log ${file}: ${errors.slice(0, 5).join('; ')}${more}`);
  }
  if (!window || (window.from_ms === undefined && window.to_ms === undefined)) return entries;
  const inside = replayWindow(entries, window);
  if (inside.length === 0) throw new Error(`replay log ${file}: no entry in the window from ${window.from_ms ?? 0} ms to ${window.to_ms ?? 'the end'} (log time)`);
  return inside;
}
