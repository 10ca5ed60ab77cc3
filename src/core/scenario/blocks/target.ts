/**
 * Where requests go and how they are sent: `target`, `api`, `model`, `tokenizer`, `key`, `context`,
 * `timeout`, `header`; their parsing, their checks and their resolution.
 */
import { PROFILES, resolveProfile } from '../../sim/profiles';
import type { ApiKind, RunPlan, Target, Timeouts } from '../plan';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import { DEFAULTS } from '../resolve-core';
import type { RawLine } from '../structure';
import { closest, listOf } from '../suggest';
import type { ModelNode, TextValue, TimeoutNode, TopNode, Word } from '../tree';
import { formatDuration } from '../units';
import type { BlockModule } from './block';

export const API_KINDS: readonly ApiKind[] = [
  'openai-chat',
  'openai-completions',
  'openai-responses',
  'anthropic',
  'ollama',
  'tgi',
  'sse',
  'websocket',
];

const MODEL_REQUIRED: ReadonlySet<ApiKind> = new Set(['openai-chat', 'openai-completions', 'openai-responses', 'anthropic', 'ollama']);

export function parseTarget(p: ParseCore, rl: RawLine): TopNode {
  p.noBlock(rl);
  const ts = rl.lex.tokens;
  const node = { kind: 'target' as const, ...p.base(rl), value: undefined as TextValue | undefined };
  if (ts.length < 2) {
    p.missing(rl, 'target needs a URL or builtin:PROFILE, e.g. target http://127.0.0.1:8000 or target builtin:reasoning');
    return node;
  }
  if (p.extra(rl, 2, 'one target: a URL or builtin:PROFILE')) return node;
  const v = p.one(rl, ts[1]);
  const problem = checkTarget(v.text);
  if (problem) {
    p.error(v.range, problem.message, problem.fix ? { range: v.range, text: problem.fix, title: `Change to "${problem.fix}"` } : undefined);
    return node;
  }
  node.value = v;
  return node;
}

export function parseApi(p: ParseCore, rl: RawLine): TopNode {
  const ts = rl.lex.tokens;
  const c = rl.children[0];
  if (c && (ts[1]?.value === 'sse' || ts[1]?.value === 'websocket') && ts.length === 2) {
    // `api sse` with its mapping indented below: the mapping is a block of its own.
    p.error(p.lineR(c), `the settings of api ${ts[1].value} go in a block of their own: add a line "${ts[1].value}" at the first column above this one`);
  } else p.noBlock(rl);
  const node = { kind: 'api' as const, ...p.base(rl), value: undefined as Word | undefined, api: undefined as ApiKind | undefined };
  if (ts.length < 2) {
    p.missing(rl, `api needs a protocol: ${listOf(API_KINDS)}`);
    return node;
  }
  node.value = p.word(rl, ts[1]);
  if (p.extra(rl, 2, 'api PROTOCOL, e.g. api openai-chat')) return node;
  if (p.known(rl, ts[1], 'api', API_KINDS)) node.api = ts[1].value as ApiKind;
  return node;
}

/** `model NAME`, `tokenizer NAME` and `key VALUE`: one text value each. */
function parseValueLine(p: ParseCore, rl: RawLine, kw: string): TopNode {
  p.noBlock(rl);
  const value = p.rest(rl, 1);
  if (!value) p.missing(rl, `${kw} needs a value; ${kwExample(kw)}`);
  return kw === 'model' ? { kind: 'model', ...p.base(rl), value } : kw === 'tokenizer' ? { kind: 'tokenizer', ...p.base(rl), value } : { kind: 'key', ...p.base(rl), value };
}

function parseContext(p: ParseCore, rl: RawLine): TopNode {
  p.noBlock(rl);
  const { q, next } = p.quantity(rl, 1, 'tokens', 'context', 'e.g. context 128k');
  p.extra(rl, p.unitWord(rl, next, ['tokens', 'token']), 'context TOKENS, e.g. context 128k');
  return { kind: 'context', ...p.base(rl), tokens: q };
}

export function parseTimeout(p: ParseCore, rl: RawLine): TopNode {
  p.noBlock(rl);
  const ts = rl.lex.tokens;
  let which: TimeoutNode['which'] = 'total';
  let i = 1;
  if (ts[1] && /^[a-z_]+$/i.test(ts[1].value)) {
    if (ts[1].value === 'total' || ts[1].value === 'ttft' || ts[1].value === 'stall' || ts[1].value === 'ready') {
      which = ts[1].value;
      i = 2;
    } else {
      const near = closest(ts[1].value, ['total', 'ttft', 'stall', 'ready']);
      const r = p.tokR(rl, ts[1]);
      p.error(r, `unknown timeout "${ts[1].value}"${near ? `; did you mean "${near}"?` : '; write timeout 60s, timeout ttft 10s or timeout stall 5s'}`);
      return { kind: 'timeout', ...p.base(rl), which };
    }
  }
  const { q, next } = p.quantity(rl, i, 'duration', i === 1 ? 'timeout' : `timeout ${which}`);
  p.extra(rl, next, 'timeout DURATION, e.g. timeout 60s');
  return { kind: 'timeout', ...p.base(rl), which, duration: p.positive(q, 'timeout') };
}

export function parseHeader(p: ParseCore, rl: RawLine): TopNode {
  p.noBlock(rl);
  const ts = rl.lex.tokens;
  const node = { kind: 'header' as const, ...p.base(rl), name: undefined as TextValue | undefined, value: undefined as TextValue | undefined };
  if (ts.length < 3) {
    p.missing(rl, 'header needs a name and a value, e.g. header X-Request-Source llmload');
    return node;
  }
  const name = p.one(rl, ts[1]);
  if (name.refs.length === 0 && !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name.text)) {
    p.error(name.range, `"${name.text}" is not a valid header name; use letters, digits and -`);
    return node;
  }
  node.name = name;
  node.value = p.rest(rl, 2);
  return node;
}

function kwExample(kw: string): string {
  if (kw === 'model') return 'e.g. model meta-llama/Llama-3.1-8B-Instruct';
  if (kw === 'tokenizer') return 'e.g. tokenizer Qwen/Qwen3-8B';
  return 'e.g. key ${secret:OPENAI_API_KEY}';
}

/** Checks a target written without variables; targets with `${...}` are checked after resolving. */
export function checkTarget(text: string): { message: string; fix?: string } | undefined {
  if (text.includes('${')) return undefined;
  if (text.startsWith('builtin:')) {
    const profile = text.slice(8);
    const q = profile.indexOf('?');
    const name = q < 0 ? profile : profile.slice(0, q);
    if (!/^[A-Za-z0-9_-]+$/.test(name)) return { message: `expected a simulator profile after builtin:, e.g. builtin:reasoning, got "${text}"` };
    if (!Object.hasOwn(PROFILES, name)) {
      const near = closest(name, Object.keys(PROFILES));
      const known = Object.keys(PROFILES).join(', ');
      return near
        ? { message: `unknown simulator profile "${name}"; did you mean "${near}"?`, fix: `builtin:${near}${q < 0 ? '' : profile.slice(q)}` }
        : { message: `unknown simulator profile "${name}"; the built-in profiles are ${known}` };
    }
    if (q >= 0) {
      try {
        resolveProfile(profile);
      } catch (e) {
        return { message: `${(e as Error).message}; see docs/simulator.md for the options` };
      }
    }
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon > 0) {
    const scheme = text.slice(0, colon);
    const near = closest(scheme, ['builtin', 'http', 'https', 'ws', 'wss']);
    if (near && near !== scheme) return { message: `unknown target scheme "${scheme}:"; did you mean "${near}:"?`, fix: near + text.slice(colon) };
  }
  if (!/^(https?|wss?):\/\//.test(text)) return { message: `expected a URL like http://127.0.0.1:8000 or builtin:PROFILE, got "${text}"` };
  try {
    new URL(text);
  } catch {
    return { message: `"${text}" is not a valid URL` };
  }
  return undefined;
}

export const target: BlockModule = {
  directives: {
    target: { doc: 'Where requests go: a URL, or builtin:PROFILE for the built-in simulator', parse: parseTarget },
    api: { doc: 'The wire protocol: openai-chat, openai-completions, openai-responses, anthropic, ollama, tgi, sse, websocket', parse: parseApi },
    model: { doc: 'The model name sent in each request', parse: parseValueLine },
    tokenizer: { doc: 'The tokenizer used to count tokens (a Hugging Face model id or a local path)', parse: parseValueLine },
    context: { doc: "The model's context window in tokens, checked against each prompt plus max_tokens: context 128k", parse: parseContext },
    timeout: { doc: 'Request timeouts: timeout 60s (total), timeout ttft 10s, timeout stall 5s; timeout ready 2m: longest wait for the target to be ready', parse: parseTimeout },
    header: { doc: 'An HTTP header sent with every request: header NAME VALUE', parse: parseHeader },
    key: { doc: 'The API key sent as a bearer token: key ${secret:OPENAI_API_KEY}', parse: parseValueLine },
  },
};

// ---- resolution --------------------------------------------------------------------------------

export function resolveTarget(r: Resolution, api: ApiKind): Target | undefined {
  const node = r.only('target');
  if (!node) {
    if (!r.incomplete) r.error(r.anchor, 'no target: add e.g. target http://127.0.0.1:8000 or target builtin:reasoning');
    return undefined;
  }
  const text = r.text(node.value);
  if (text === undefined) return undefined;
  if (node.value!.refs.length > 0) {
    const problem = checkTarget(text);
    if (problem) {
      r.error(node.value!.range, `${problem.message} (after substituting variables)`);
      return undefined;
    }
  }
  if (text.startsWith('builtin:')) return { kind: 'builtin', profile: text.slice(8) };
  const ws = /^wss?:/.test(text);
  if (api === 'websocket' && !ws) {
    r.error(node.value!.range, `api websocket needs a ws:// or wss:// target, got "${text}"`);
    return undefined;
  }
  if (api !== 'websocket' && ws) {
    r.error(node.value!.range, `a ws:// target needs api websocket (api is ${api})`);
    return undefined;
  }
  return { kind: 'url', url: text };
}

export function resolveTimeouts(r: Resolution): Timeouts {
  const t: Timeouts = { total_ms: DEFAULTS.timeout_ms };
  const seen = new Map<string, number>();
  for (const n of r.tree.statements) {
    if (n.kind !== 'timeout' || !n.duration) continue; // a line that did not parse has its own error
    if (r.repeated(seen, n.which, n, `"timeout${n.which === 'total' ? '' : ' ' + n.which}" line`)) continue;
    if (!n.duration) continue;
    if (n.which === 'total') t.total_ms = n.duration.value;
    else if (n.which === 'ttft') t.ttft_ms = n.duration.value;
    else if (n.which === 'ready') t.ready_ms = n.duration.value;
    else t.stall_ms = n.duration.value;
  }
  for (const which of ['ttft', 'stall'] as const) {
    const v = which === 'ttft' ? t.ttft_ms : t.stall_ms;
    if (v !== undefined && v >= t.total_ms) {
      const n = r.tree.statements.find((s) => s.kind === 'timeout' && s.which === which);
      if (n) r.warning(n.range, `timeout ${which} ${formatDuration(v)} is not below the total timeout ${formatDuration(t.total_ms)}, so it never fires`);
    }
  }
  return t;
}

/** The model name: from the model line, else a builtin target's profile; an error when the api needs one. */
export function resolveModel(r: Resolution, modelNode: ModelNode | undefined, api: ApiKind, target: Target | undefined): string | undefined {
  let model = r.text(modelNode?.value);
  if (model === undefined && !modelNode) {
    if (target?.kind === 'builtin') model = target.profile;
    else if (target && MODEL_REQUIRED.has(api) && !r.incomplete) {
      r.error(r.anchor, `no model: add a model line, e.g. model meta-llama/Llama-3.1-8B-Instruct (api ${api} sends one with every request)`);
    }
  }
  return model;
}

/** The header lines; a header named twice (in any case) is an error. */
export function resolveHeaders(r: Resolution): RunPlan['headers'] {
  const headers: Record<string, string> = {};
  const headerLines = new Map<string, number>();
  for (const h of r.tree.statements) {
    if (h.kind !== 'header' || !h.name) continue;
    const name = r.text(h.name);
    const value = r.text(h.value) ?? '';
    if (name === undefined) continue;
    const lower = name.toLowerCase();
    if (headerLines.has(lower)) {
      r.error(h.name.range, `duplicate header "${name}"; the first is on line ${headerLines.get(lower)! + 1}`);
      continue;
    }
    headerLines.set(lower, h.range.start.line);
    headers[name] = value;
  }
  return headers;
}
