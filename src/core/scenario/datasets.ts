/**
 * Turns jsonl and sharegpt dataset files into prompts. Throws an Error with the file and line when
 * a file cannot be read or a record is broken: this runs when a run starts, not while typing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetPlan, Message, PromptPlan, Role } from './plan';
import { fillTemplate } from './variables';
import { arithmeticPrompts } from '../grade/arithmetic';
import { math500Prompt } from '../grade/math500';
import { defaultGrader } from '../grade/names';
import { conversationSession } from './blocks/session-line';

/**
 * `notes` receives one line per record left out under `bad_records skip` (each with its file:line);
 * without `skip`, the first bad record throws.
 */
export function loadDatasetPrompts(ds: DatasetPlan, baseDir: string, notes?: string[]): PromptPlan[] {
  if (ds.kind === 'synthetic') {
    throw new Error('a synthetic dataset is generated with a tokenizer (src/core/tokenize), not loaded from a file');
  }
  if (ds.kind === 'arithmetic') return arithmeticPrompts(ds);
  const skipBad = (ds.kind === 'jsonl' || ds.kind === 'math500') && ds.bad_records === 'skip';
  const badRecord = skipBad ? (message: string): void => void notes?.push(`left out (bad_records skip): ${message}`) : undefined;
  const abs = path.resolve(baseDir, ds.path);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new Error(`cannot read dataset ${abs}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const records = ds.kind === 'sharegpt' && text.trimStart().startsWith('[') ? parseArray(text, abs) : parseJsonl(text, abs, badRecord);
  let prompts: PromptPlan[] = [];
  for (const { record, line } of records) {
    const where = `${abs}:${line}`;
    if (ds.kind === 'math500') {
      try {
        prompts.push(math500Prompt(record, ds, line));
      } catch (e) {
        if (!badRecord) throw new Error(`${where}: ${(e as Error).message}; to leave such records out, add a line: bad_records skip`);
        badRecord(`${where}: ${(e as Error).message}`);
      }
    } else if (ds.kind === 'jsonl') {
      const missing = (field: string): void => {
        if (!badRecord) throw new Error(`${where}: the record has no field "${field}"`);
        badRecord(`${where}: the record has no field "${field}"`);
      };
      if (skipBad && [...ds.messages.map((m) => m.content), ds.answer ?? ''].some((t) => fillTemplate(t, record).missing.length > 0)) {
        const t = [...ds.messages.map((m) => m.content), ds.answer ?? ''].find((x) => fillTemplate(x, record).missing.length > 0)!;
        missing(fillTemplate(t, record).missing[0]!);
        continue;
      }
      const messages: Message[] = [];
      for (const m of ds.messages) {
        const f = fillTemplate(m.content, record);
        if (f.missing.length) throw new Error(`${where}: the record has no field "${f.missing[0]}"`);
        messages.push({ role: m.role, content: f.text });
      }
      const p: PromptPlan = { name: `${ds.name}:${line}`, weight: 1, messages, params: { ...ds.params } };
      if (ds.answer !== undefined) {
        const a = fillTemplate(ds.answer, record);
        if (a.missing.length) throw new Error(`${where}: the record has no field "${a.missing[0]}"`);
        p.answer = a.text;
      }
      if (ds.body) p.body = ds.body;
      prompts.push(p);
    } else {
      const session = ds.sessions ? conversationSession(sharegptMessages(record, true) ?? [], ds.sessions) : undefined;
      const messages = session ? [...session.preamble, { role: 'user' as const, content: session.users[0]! }] : sharegptMessages(record);
      if (!messages) continue; // no human turn: nothing to send
      const p: PromptPlan = { name: `${ds.name}:${line}`, weight: 1, messages, params: { ...ds.params } };
      if (ds.body) p.body = ds.body;
      if (session) p.session = session;
      prompts.push(p);
    }
  }
  if (ds.kind === 'jsonl' && ds.answer !== undefined) {
    const grader = ds.grader ?? defaultGrader(prompts.slice(0, 200).map((p) => p.answer ?? ''));
    for (const p of prompts) p.grader = grader;
  }
  if (ds.shuffle) prompts = shuffle(prompts, ds.seed ?? 0);
  if (ds.sample !== undefined) prompts = prompts.slice(0, ds.sample);
  const w = prompts.length ? ds.weight / prompts.length : 0;
  for (const p of prompts) p.weight = w;
  return prompts;
}

function parseJsonl(text: string, file: string, badRecord?: (message: string) => void): { record: Record<string, unknown>; line: number }[] {
  const out: { record: Record<string, unknown>; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (e) {
      const message = `${file}:${i + 1}: not JSON (${e instanceof Error ? e.message : String(e)})`;
      if (!badRecord) throw new Error(message);
      badRecord(message);
      continue;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      if (!badRecord) throw new Error(`${file}:${i + 1}: expected a JSON object`);
      badRecord(`${file}:${i + 1}: expected a JSON object`);
      continue;
    }
    out.push({ record: v as Record<string, unknown>, line: i + 1 });
  }
  return out;
}

function parseArray(text: string, file: string): { record: Record<string, unknown>; line: number }[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(v)) throw new Error(`${file}: expected a JSON array of conversations`);
  return v.filter((r) => r && typeof r === 'object').map((record, i) => ({ record: record as Record<string, unknown>, line: i + 1 }));
}

const ROLES: Record<string, Role> = { human: 'user', user: 'user', gpt: 'assistant', assistant: 'assistant', chatgpt: 'assistant', bard: 'assistant', bing: 'assistant', model: 'assistant', system: 'system' };

/** The conversation up to and including its first human turn (`all`: every turn). */
function sharegptMessages(record: Record<string, unknown>, all = false): Message[] | undefined {
  const turns = record.conversations ?? record.conversation ?? record.messages;
  if (!Array.isArray(turns)) return undefined;
  const out: Message[] = [];
  for (const t of turns) {
    if (!t || typeof t !== 'object') continue;
    const o = t as Record<string, unknown>;
    const who = String(o.from ?? o.role ?? '').toLowerCase();
    const role = Object.hasOwn(ROLES, who) ? ROLES[who] : undefined;
    const content = o.value ?? o.content;
    if (!role || typeof content !== 'string') continue;
    out.push({ role, content });
    if (role === 'user' && !all) return out;
  }
  return all && out.length > 0 ? out : undefined;
}

/** Fisher-Yates with mulberry32, so a seed gives the same order everywhere. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const a = items.slice();
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
