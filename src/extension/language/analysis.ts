/**
 * Editor questions answered on the core parser's tree, with no `vscode` import so they are
 * unit-tested with plain Node: what to complete at a position, what a hover says, the outline,
 * the folding ranges, and which prompts and turns get token counts (and where the hints go).
 */
import {
  API_KINDS,
  CONTEXT_KEYWORDS,
  DATASET_FORMATS,
  LOAD_SHAPES,
  METRICS,
  STATS,
  TOP_KEYWORDS,
  type Context,
} from '../../core/scenario/keywords';
import type { Position, Range } from '../../core/scenario/diagnostics';
import type { LoadPlan, RunPlan } from '../../core/scenario/plan';
import { describeSweep as sweepText } from '../../core/load/shapes/sweep';
import type { DatasetNode, PromptNode, ScenarioTree, TopNode, TurnNode } from '../../core/scenario/tree';
import { GRADER_NAMES } from '../../core/grade/names';

export interface Item {
  label: string;
  detail?: string;
  kind: 'keyword' | 'value' | 'metric' | 'stat' | 'tokenizer' | 'unit';
  /** A VS Code snippet to insert instead of the bare word (when the rest of the line is empty). */
  snippet?: string;
}

/**
 * What a directive's completion inserts: the word with its usual arguments as placeholders
 * (`think ${1:500ms}`), so accepting it never leaves `think500ms` behind. Keyed by context.
 */
export const KEYWORD_SNIPPETS: Partial<Record<Context, Record<string, string>>> = {
  top: {
    scenario: 'scenario "${1:My scenario}"',
    target: 'target ${1:http://127.0.0.1:8000/v1}',
    api: 'api ${1|openai-chat,openai-completions,openai-responses,anthropic,ollama,tgi,sse,websocket|}',
    model: 'model ${1:meta-llama/Llama-3.1-8B-Instruct}',
    tokenizer: 'tokenizer ${1|qwen3,llama3,deepseek-v3,deepseek-r1|}',
    context: 'context ${1:128k}',
    timeout: 'timeout ${1:60s}',
    header: 'header ${1:X-Request-Source} ${2:llmload}',
    key: 'key \\${secret:${1:OPENAI_API_KEY}}',
    var: 'var ${1:NAME} ${2:value}',
    seed: 'seed ${1:42}',
    prompt: 'prompt "${1:name}"\n  user ${2:Hello!}\n  max_tokens ${3:256}',
    load: 'load users ${1:8} for ${2:1m}',
    warmup: 'warmup ${1:30s}',
    stop: 'stop after ${1:10m}',
    think: 'think ${1:500ms}',
    buckets: 'buckets ${1:4k 16k 32k}',
    trace: 'trace ${1|first 200,all,failures,none|}',
    expect: 'expect\n  ${1:ttft p95 < 2s}',
    length: 'length ${1|warns,fails|}',
  },
  prompt: {
    system: 'system ${1:You are a helpful assistant.}',
    user: 'user ${1:Hello!}',
    assistant: 'assistant ${1:Hi!}',
    max_tokens: 'max_tokens ${1:256}',
    temperature: 'temperature ${1:0.7}',
    top_p: 'top_p ${1:0.9}',
    seed: 'seed ${1:42}',
  },
  synthetic: {
    input: 'input ${1:1k..4k} tokens',
    output: 'output ${1:256} tokens',
    shared_prefix: 'shared_prefix ${1:1k} tokens',
    count: 'count ${1:100}',
  },
  step: {
    start: 'start ${1:2} users',
    add: 'add ${1:2} users every ${2:30s}',
    max: 'max ${1:16} users',
    hold: 'hold ${1:1m}',
  },
};

export type CompletionAnswer =
  | { kind: 'items'; items: Item[]; /** Range of the word being typed, to replace. */ replace: Range }
  | { kind: 'path'; /** The path typed so far (may be empty). */ typed: string; replace: Range }
  | { kind: 'none' };

const UNITS: Item[] = [
  { label: 'ms', detail: 'milliseconds', kind: 'unit' },
  { label: 's', detail: 'seconds', kind: 'unit' },
  { label: 'm', detail: 'minutes', kind: 'unit' },
  { label: 'users', detail: 'concurrent users', kind: 'unit' },
  { label: 'qpm', detail: 'requests per minute', kind: 'unit' },
  { label: 'rps', detail: 'requests per second', kind: 'unit' },
  { label: 'tokens', detail: 'tokens', kind: 'unit' },
  { label: '%', detail: 'percent', kind: 'unit' },
];

const LOAD_SHAPE_DOCS: Record<string, string> = {
  users: 'A fixed number of closed-loop users: load users 8 for 2m',
  step: 'Users added in steps: start, add ... every, max, hold lines below',
  stages: 'Ramps and holds: ramp to N users over D, hold D lines below',
  rate: 'Open-loop arrivals: load rate 240 qpm for 1m [poisson|uniform|gamma B] (gamma 0.5: burstier than Poisson)',
  burst: 'Open-loop bursts: load burst 20 every 10s for 1m sends 20 requests at once every 10 s',
  replay: 'Replays recorded arrival times: load replay PATH [speed 2x] [from 10m] [to 20m]',
  sweep: 'Steps of rising load that find the capacity: load sweep users 2..64 step x2 each 30s',
};

const DATASET_DOCS: Record<string, string> = {
  jsonl: 'One JSON object per line; turns are templates over its fields: {{field}}',
  sharegpt: 'A ShareGPT conversation file',
  synthetic: 'Generated prompts of exact token lengths: input, output, shared_prefix lines below',
  math500: 'A Hugging Face MATH-500 jsonl file (problem, answer, subject, level): answers graded, see docs/accuracy.md',
  arithmetic: 'Generated arithmetic problems with exact answers (no file): count, levels, seed lines below',
};

function lineStartsWithIndent(line: string): number {
  return line.length - line.trimStart().length;
}

function isBlank(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

/** The block context of a line with the given indent: the nearest less-indented header above it. */
export function contextAt(lines: readonly string[], line: number, indent: number): Context | 'text' {
  if (indent === 0) return 'top';
  for (let i = line - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (isBlank(l)) continue;
    const ind = lineStartsWithIndent(l);
    if (ind >= indent) continue;
    const words = l.trim().split(/\s+/);
    const head = words[0]!;
    if (ind > 0) return 'text'; // inside a turn's indented block
    if (head === 'prompt') return 'prompt';
    if (head === 'dataset') return (words[1] as Context) && ['jsonl', 'sharegpt', 'synthetic', 'math500', 'arithmetic'].includes(words[1]!) ? (words[1] as Context) : 'jsonl';
    if (head === 'load') return words[1] === 'stages' ? 'stages' : 'step';
    if (head === 'expect') return 'expect';
    return 'text';
  }
  return 'top';
}

/** True when the position is inside a `"""` text block (an odd number of fences above it). */
function inFencedBlock(lines: readonly string[], line: number): boolean {
  let n = 0;
  for (let i = 0; i < line; i++) n += (lines[i]!.match(/"""/g) ?? []).length;
  return n % 2 === 1;
}

export function completionsAt(text: string, pos: Position, tokenizers: readonly string[]): CompletionAnswer {
  const lines = text.split(/\r?\n/);
  const line = lines[pos.line] ?? '';
  const before = line.slice(0, pos.character);
  if (inFencedBlock(lines, pos.line) || /#/.test(before.replace(/"[^"]*"/g, ''))) return { kind: 'none' };
  const indent = lineStartsWithIndent(line);
  const words = before.trimStart().split(/\s+/);
  const current = words[words.length - 1]!;
  const replace: Range = { start: { line: pos.line, character: pos.character - current.length }, end: pos };
  const ctx = contextAt(lines, pos.line, indent);
  if (ctx === 'text') return { kind: 'none' };

  // @file PATH in a turn, `dataset FORMAT PATH`, `load replay PATH`
  const fileAt = before.match(/@file\s+("?)([^"\s]*)$/);
  if (fileAt) return { kind: 'path', typed: fileAt[2]!, replace: { start: { line: pos.line, character: pos.character - fileAt[2]!.length }, end: pos } };
  if (ctx === 'top' && words.length === 3 && words[0] === 'dataset' && words[1] !== 'synthetic' && words[1] !== 'arithmetic') {
    const typed = current.replace(/^"/, '');
    return { kind: 'path', typed, replace: { start: { line: pos.line, character: pos.character - typed.length }, end: pos } };
  }
  if (ctx === 'top' && words.length === 3 && words[0] === 'load' && words[1] === 'replay') return { kind: 'path', typed: current, replace };

  if (words.length === 1) {
    const table = ctx === 'expect' ? {} : CONTEXT_KEYWORDS[ctx];
    const snippets = ctx === 'expect' ? undefined : KEYWORD_SNIPPETS[ctx];
    // Only at the end of a line: placeholders would clash with words already written after the cursor.
    const restEmpty = line.slice(pos.character).trim() === '';
    const items: Item[] = Object.entries(table).map(([label, detail]) => ({ label, detail, kind: 'keyword', snippet: restEmpty ? snippets?.[label] : undefined }));
    if (ctx === 'expect') for (const [label, m] of Object.entries(METRICS)) items.push({ label, detail: m.description, kind: 'metric' });
    return { kind: 'items', items, replace };
  }
  const head = words[0]!;
  if (ctx === 'expect') {
    const metric = METRICS[head as keyof typeof METRICS];
    if (words.length === 2 && metric?.distribution) return { kind: 'items', items: STATS.map((s) => ({ label: s, kind: 'stat' })), replace };
    const last = words.length >= 2 ? words[words.length - 2]! : '';
    if (/^\d/.test(last) || /^\d+(\.\d+)?$/.test(current)) return { kind: 'none' };
    return { kind: 'none' };
  }
  if (ctx === 'top' && words.length === 2) {
    if (head === 'api') return { kind: 'items', items: API_KINDS.map((a) => ({ label: a, kind: 'value' })), replace };
    if (head === 'load') return { kind: 'items', items: LOAD_SHAPES.map((s) => ({ label: s, detail: LOAD_SHAPE_DOCS[s], kind: 'value' })), replace };
    if (head === 'dataset') return { kind: 'items', items: DATASET_FORMATS.map((f) => ({ label: f, detail: DATASET_DOCS[f], kind: 'value' })), replace };
    if (head === 'tokenizer') return { kind: 'items', items: tokenizers.map((t) => ({ label: t, detail: 'bundled tokenizer', kind: 'tokenizer' })), replace };
    if (head === 'target')
      return {
        kind: 'items',
        items: [
          { label: 'builtin:chat', detail: 'the built-in simulator, chat model', kind: 'value' },
          { label: 'builtin:reasoning', detail: 'the built-in simulator, reasoning model', kind: 'value' },
          { label: 'http://127.0.0.1:8000/v1', detail: 'a local server (vLLM, SGLang, ...)', kind: 'value' },
        ],
        replace,
      };
    if (head === 'timeout') return { kind: 'items', items: [{ label: 'ttft', kind: 'keyword' }, { label: 'stall', kind: 'keyword' }, { label: 'ready', kind: 'keyword' }], replace };
    if (head === 'trace') return { kind: 'items', items: ['first', 'all', 'failures', 'sample', 'none'].map((label) => ({ label, kind: 'value' as const })), replace };
  }
  if ((ctx === 'jsonl' || ctx === 'math500' || ctx === 'arithmetic') && words.length === 2) {
    if (head === 'grader') return { kind: 'items', items: GRADER_NAMES.map((label) => ({ label, kind: 'value' as const })), replace };
    if (head === 'bad_records') return { kind: 'items', items: ['fail', 'skip'].map((label) => ({ label, kind: 'value' as const })), replace };
  }
  // After a number: units.
  const prev = words[words.length - 2]!;
  if (/^\d+(\.\d+)?k?$/.test(prev) && !/^\d/.test(current)) return { kind: 'items', items: UNITS, replace };
  return { kind: 'none' };
}

// ---------- node lookup ----------

export function contains(r: Range, p: Position): boolean {
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}

type AnyNode = { kind: string; range: Range; keyword: { text: string; range: Range } };

/** The innermost node at a position: a top-level directive or a line inside its block. */
export function nodeAt(tree: ScenarioTree, pos: Position): { node: AnyNode; parent?: TopNode } | undefined {
  for (const s of tree.statements) {
    if (!contains(s.range, pos)) continue;
    const children: AnyNode[] =
      s.kind === 'prompt' || s.kind === 'dataset' || s.kind === 'load' ? (s.children as AnyNode[]) : s.kind === 'expect' ? (s.lines as AnyNode[]) : [];
    const child = children.find((c) => contains(c.range, pos));
    return child ? { node: child, parent: s } : { node: s };
  }
  return undefined;
}

// ---------- hover ----------

const ms = (n: number): string => (n >= 1000 && n % 1000 === 0 ? `${n / 1000} s` : `${n} ms`);

function resolvedValue(node: TopNode, plan: RunPlan | undefined): string | undefined {
  if (!plan) return undefined;
  switch (node.kind) {
    case 'target':
      return plan.target.kind === 'builtin' ? `the built-in simulator, profile \`${plan.target.profile}\`` : `\`${plan.target.url}\``;
    case 'api':
      return `\`${plan.api}\``;
    case 'model':
      return `\`${plan.model}\``;
    case 'tokenizer':
      return plan.tokenizer ? `\`${plan.tokenizer}\`` : undefined;
    case 'key':
      return plan.key ? 'set (the value is never shown)' : 'not set';
    case 'timeout':
      return `total ${ms(plan.timeouts.total_ms)}` + (plan.timeouts.ttft_ms ? `, ttft ${ms(plan.timeouts.ttft_ms)}` : '') + (plan.timeouts.stall_ms ? `, stall ${ms(plan.timeouts.stall_ms)}` : '');
    case 'load':
      return describeLoad(plan.load);
    case 'prompt': {
      const name = node.name?.text;
      const p = plan.prompts.find((x) => x.name === name);
      if (!p) return undefined;
      const total = plan.prompts.reduce((a, x) => a + x.weight, 0) + plan.datasets.reduce((a, d) => a + ((d as { weight?: number }).weight ?? 1), 0);
      return `${p.messages.length} turn(s), weight ${p.weight}` + (total > 0 ? ` (${((p.weight / total) * 100).toFixed(0)}% of requests)` : '') + (p.params.max_tokens ? `, max_tokens ${p.params.max_tokens}` : '');
    }
    case 'think':
      return ms(plan.think_ms);
    case 'buckets':
      return plan.buckets.join(', ') + ' tokens';
    case 'seed':
      return plan.seed === undefined ? undefined : String(plan.seed);
    default:
      return undefined;
  }
}

const dur = (n: number): string => (!Number.isFinite(n) ? 'until a stop condition' : n >= 60_000 && n % 60_000 === 0 ? `${n / 60_000} min` : ms(n));

export function describeLoad(l: LoadPlan): string {
  switch (l.kind) {
    case 'users':
      return `${l.users} closed-loop users for ${dur(l.duration_ms)}`;
    case 'step':
      return `${l.start} users, +${l.add} every ${dur(l.every_ms)} up to ${l.max}, then hold ${dur(l.hold_ms)}`;
    case 'stages':
      return `${l.stages.length} stage(s): ` + l.stages.map((s) => (s.kind === 'hold' ? `hold ${dur(s.for_ms)}` : s.kind === 'ramp_users' ? `ramp to ${s.to} users over ${dur(s.over_ms)}` : `ramp to ${s.to_per_s * 60} qpm over ${dur(s.over_ms)}`)).join(', ');
    case 'rate':
      return `${+(l.per_s * 60).toFixed(3)} requests per minute (${l.arrival}${l.burstiness !== undefined ? ` burstiness ${l.burstiness}` : ''}) for ${dur(l.duration_ms)}`;
    case 'burst':
      return `${l.size} requests at once every ${dur(l.every_ms)} for ${dur(l.duration_ms)}`;
    case 'replay':
      return `replay of \`${l.path}\` at ${l.speed}× speed`;
    case 'sweep':
      return sweepText(l);
  }
}

/** Markdown for a hover at `pos`, or undefined. Secret values are never shown. */
export function hoverAt(tree: ScenarioTree, plan: RunPlan | undefined, pos: Position): { markdown: string; range: Range } | undefined {
  const found = nodeAt(tree, pos);
  if (!found) return undefined;
  const { node, parent } = found;
  const top = (parent ?? node) as TopNode;
  // A variable reference under the cursor.
  for (const ref of variableRefs(top)) {
    if (!contains(ref.range, pos)) continue;
    const what = ref.namespace === 'secret' ? `secret \`${ref.name}\` from VS Code's secret storage (llmload: Set API Key); its value is never shown` : ref.namespace === 'env' ? `environment variable \`${ref.name}\`` : `variable \`${ref.name}\``;
    return { markdown: what, range: ref.range };
  }
  if (node.kind === 'expect_line') {
    const line = node as unknown as { metric?: { text: string }; stat?: { text: string }; range: Range };
    const m = line.metric ? METRICS[line.metric.text as keyof typeof METRICS] : undefined;
    if (!m) return undefined;
    return { markdown: `**${line.metric!.text}**${line.stat ? ` ${line.stat.text}` : ''}: ${m.description}`, range: line.range };
  }
  if (!contains(node.keyword.range, pos) && parent === undefined && node.kind !== 'load' && node.kind !== 'prompt') {
    // On a value: still document the directive.
  }
  const word = node.keyword.text;
  const ctx = parent ? contextOfParent(parent) : 'top';
  const doc = (ctx ? CONTEXT_KEYWORDS[ctx][word] : undefined) ?? TOP_KEYWORDS[word];
  if (!doc) return undefined;
  if (parent) {
    // A nested line: its own value (resolved where the plan has it), the doc's example as an example only.
    const own = nestedValue(parent, node, plan, word);
    const written = lineText(tree.text, node.range).trim();
    return { markdown: `**${word}**: ${docAsExample(doc)}\n\nThis line: \`${written}\`` + (own !== undefined ? `\n\nResolved: ${own}` : ''), range: node.keyword.range };
  }
  const value = resolvedValue(node as TopNode, plan);
  return { markdown: `**${word}**: ${doc}` + (value ? `\n\nResolved: ${value}` : ''), range: node.keyword.range };
}

/** `Most output tokens per request: max_tokens 512` -> `Most output tokens per request (for example \`max_tokens 512\`)`. */
function docAsExample(doc: string): string {
  const i = doc.indexOf(': ');
  if (i < 0) return doc;
  return `${doc.slice(0, i)} (for example \`${doc.slice(i + 2)}\`)`;
}

/** The value a line inside a prompt block resolves to (its request parameter), when the plan has it. */
function nestedValue(parent: TopNode, node: { kind: string }, plan: RunPlan | undefined, word: string): string | undefined {
  if (!plan || parent.kind !== 'prompt') return undefined;
  const p = plan.prompts.find((x) => x.name === parent.name?.text);
  if (!p) return undefined;
  const v = (p.params as Record<string, unknown>)[word];
  if (v === undefined) return undefined;
  return `\`${Array.isArray(v) ? v.map((x) => JSON.stringify(x)).join(' ') : String(v)}\` for prompt "${p.name}"`;
}

function contextOfParent(parent: TopNode): Context | undefined {
  if (parent.kind === 'prompt') return 'prompt';
  if (parent.kind === 'dataset') return parent.format ?? 'jsonl';
  if (parent.kind === 'load') return parent.shape === 'stages' ? 'stages' : 'step';
  if (parent.kind === 'expect') return 'expect';
  return undefined;
}

function variableRefs(node: TopNode): { namespace: string; name: string; range: Range }[] {
  const out: { namespace: string; name: string; range: Range }[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (!v || typeof v !== 'object' || depth > 6) return;
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.refs)) out.push(...(o.refs as { namespace: string; name: string; range: Range }[]));
    for (const [k, x] of Object.entries(o)) if (k !== 'refs' && k !== 'range' && typeof x === 'object') visit(x, depth + 1);
  };
  visit(node, 0);
  return out;
}

// ---------- outline and folding ----------

export interface SymbolInfo {
  name: string;
  detail: string;
  kind: 'prompt' | 'dataset' | 'load' | 'expect' | 'setting' | 'scenario' | 'expectation' | 'turn' | 'target';
  range: Range;
  selectionRange: Range;
  children: SymbolInfo[];
}

export function documentSymbols(tree: ScenarioTree): SymbolInfo[] {
  const out: SymbolInfo[] = [];
  for (const s of tree.statements) {
    if (s.kind === 'unknown') continue;
    const sel = s.keyword.range;
    switch (s.kind) {
      case 'scenario':
        out.push({ name: s.title?.text ?? 'scenario', detail: 'scenario', kind: 'scenario', range: s.range, selectionRange: sel, children: [] });
        break;
      case 'prompt':
        out.push({
          name: `prompt "${s.name?.text ?? ''}"`,
          detail: s.weight ? `weight ${s.weight.text}` : '',
          kind: 'prompt',
          range: s.range,
          selectionRange: s.name?.range ?? sel,
          children: s.turns.map((t) => ({ name: t.role, detail: turnPreview(t), kind: 'turn' as const, range: t.range, selectionRange: t.keyword.range, children: [] })),
        });
        break;
      case 'dataset':
        out.push({ name: `dataset ${s.format ?? ''}`.trim(), detail: s.path?.text ?? '', kind: 'dataset', range: s.range, selectionRange: sel, children: [] });
        break;
      case 'load':
        out.push({ name: `load ${s.shape ?? ''}`.trim(), detail: '', kind: 'load', range: s.range, selectionRange: sel, children: [] });
        break;
      case 'expect':
        out.push({
          name: 'expect',
          detail: `${s.lines.length} check(s)`,
          kind: 'expect',
          range: s.range,
          selectionRange: sel,
          children: s.lines.map((l) => ({ name: l.text.trim(), detail: '', kind: 'expectation' as const, range: l.range, selectionRange: l.range, children: [] })),
        });
        break;
      case 'target':
        out.push({ name: `target ${s.value?.text ?? ''}`.trim(), detail: '', kind: 'target', range: s.range, selectionRange: sel, children: [] });
        break;
      default:
        out.push({ name: s.keyword.text, detail: lineText(tree.text, s.range).slice(s.keyword.text.length).trim(), kind: 'setting', range: s.range, selectionRange: sel, children: [] });
    }
  }
  return out;
}

function turnPreview(t: TurnNode): string {
  if (t.form === 'file') return `@file ${t.file?.text ?? ''}`;
  const s = (t.text?.text ?? '').replace(/\s+/g, ' ').trim();
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
}

function lineText(text: string, r: Range): string {
  return text.split(/\r?\n/)[r.start.line] ?? '';
}

/** Line spans [start, end] of every block that spans more than one line (blocks, text blocks). */
export function foldingRanges(tree: ScenarioTree): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const add = (r: Range): void => {
    let end = r.end.line;
    if (r.end.character === 0 && end > r.start.line) end--;
    if (end > r.start.line) out.push({ start: r.start.line, end });
  };
  for (const s of tree.statements) {
    add(s.range);
    if (s.kind === 'prompt' || s.kind === 'dataset') for (const t of s.turns) add(t.range);
  }
  return out;
}

// ---------- token count subjects ----------

/** Where one token-count hint goes, and what it counts. */
export interface TokenSubject {
  /** `prompt` = the whole prompt as the server sees it; `turn` = one turn's text. */
  kind: 'prompt' | 'turn' | 'dataset';
  /** The hint's position: end of the prompt's header line, end of the turn's first line. */
  at: Position;
  /** The prompt's name (prompt and turn), the dataset's index among the plan's datasets (dataset). */
  prompt?: string;
  turn?: number;
  dataset?: number;
  /** The line range the hint is about, for warning decorations. */
  range: Range;
}

function endOfLine(text: string, line: number): Position {
  const lines = text.split(/\r?\n/);
  const l = lines[line] ?? '';
  // Before a trailing comment would be nicer, but the end of the line is always safe.
  return { line, character: l.length };
}

export function tokenSubjects(tree: ScenarioTree): TokenSubject[] {
  const out: TokenSubject[] = [];
  let datasetIndex = 0;
  for (const s of tree.statements) {
    if (s.kind === 'prompt') {
      const p = s as PromptNode;
      const name = p.name?.text;
      if (name === undefined) continue;
      out.push({ kind: 'prompt', at: endOfLine(tree.text, p.headerRange.start.line), prompt: name, range: p.headerRange });
      p.turns.forEach((t, i) => {
        out.push({ kind: 'turn', at: endOfLine(tree.text, t.keyword.range.start.line), prompt: name, turn: i, range: t.range });
      });
    } else if (s.kind === 'dataset') {
      const d = s as DatasetNode;
      out.push({ kind: 'dataset', at: endOfLine(tree.text, d.headerRange.start.line), dataset: datasetIndex++, range: d.headerRange });
    }
  }
  return out;
}

/** `1,284`, `1.2k`, `31.8k`. */
export function formatTokens(n: number): string {
  if (n < 10_000) return Math.round(n).toLocaleString('en-US');
  if (n < 1_000_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

/** `⟵ 26 tok`; with `counter` (the tokenizer's name, on prompt and dataset headers): `⟵ 26 tok (qwen3)`. */
export function formatTokenHint(subject: TokenSubject['kind'], count: { tokens?: number; prompts?: number; min?: number; max?: number }, counter?: string): string {
  const who = counter ? ` (${counter})` : '';
  if (subject === 'dataset') {
    return `⟵ ${(count.prompts ?? 0).toLocaleString('en-US')} prompts, ${formatTokens(count.min ?? 0)}–${formatTokens(count.max ?? 0)} tok${who}`;
  }
  return `⟵ ${formatTokens(count.tokens ?? 0)} tok${who}`;
}

// ---------- document links ----------

/** Paths a scenario names (`dataset FORMAT PATH`, `@file PATH`, `load replay PATH`): Ctrl+click opens them. */
export function documentLinks(tree: ScenarioTree): { range: Range; path: string }[] {
  const out: { range: Range; path: string }[] = [];
  const add = (v: { text: string; range: Range; refs?: unknown[] } | undefined) => {
    // A path built from variables is resolved at run time: no link for it.
    if (v && v.text && !(Array.isArray(v.refs) && v.refs.length)) out.push({ range: v.range, path: v.text });
  };
  for (const s of tree.statements) {
    if (s.kind === 'dataset') add((s as DatasetNode).path);
    if (s.kind === 'load') add((s as unknown as { path?: { text: string; range: Range; refs?: unknown[] } }).path);
    if (s.kind === 'prompt' || s.kind === 'dataset') for (const t of s.turns) if (t.form === 'file') add(t.file);
  }
  return out;
}
