/**
 * Editor assets: the TextMate grammar (run here through a small tokenizer implementing the subset
 * of TextMate the grammar uses: match, begin/end with captures, contentName, include), the language
 * configuration, and the snippets, each expanded and parsed as a scenario.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseScenario, resolvePlan } from '../../src/core/scenario';

const root = path.resolve(__dirname, '../..');
const readJson = (p: string) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8'));

interface Rule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Record<string, { name: string }>;
  beginCaptures?: Record<string, { name: string }>;
  endCaptures?: Record<string, { name: string }>;
  patterns?: Rule[];
  include?: string;
}

const grammar = readJson('syntaxes/llmload.tmLanguage.json') as { scopeName: string; patterns: Rule[]; repository: Record<string, Rule> };

function flatten(rules: Rule[], seen = new Set<string>()): Rule[] {
  const out: Rule[] = [];
  for (const r of rules) {
    if (r.include) {
      const key = r.include.slice(1);
      const target = grammar.repository[key];
      assert.ok(target, `include ${r.include} names no repository entry`);
      if (target.match || target.begin) out.push(target);
      else if (!seen.has(key)) out.push(...flatten(target.patterns ?? [], new Set([...seen, key])));
    } else out.push(r);
  }
  return out;
}

const reCache = new Map<string, RegExp>();
function re(src: string): RegExp {
  let r = reCache.get(src);
  if (!r) reCache.set(src, (r = new RegExp(src, 'dg')));
  return r;
}

/** Scopes of every character of every line. */
function tokenize(text: string): string[][][] {
  // Each open begin/end rule, with its end pattern after back-references to the begin captures.
  const stack: (Rule & { endSrc: string })[] = [];
  return text.split('\n').map((line) => {
    const scopes: string[][] = Array.from({ length: line.length }, () => []);
    const frameScopes = () => stack.flatMap((f) => [f.name, f.contentName].filter((x): x is string => !!x));
    const paint = (from: number, to: number, names: (string | undefined)[]) => {
      for (let i = from; i < to && i < line.length; i++) scopes[i] = [...frameScopes(), ...names.filter((n): n is string => !!n)];
    };
    const paintCaptures = (m: RegExpExecArray, caps: Rule['captures']) => {
      if (!caps || !m.indices) return;
      for (const [k, v] of Object.entries(caps)) {
        const span = m.indices[Number(k)];
        if (span) for (let i = span[0]; i < span[1]; i++) scopes[i] = [...scopes[i].filter((s) => s !== v.name), v.name];
      }
    };
    let pos = 0;
    let guard = 0;
    while (pos <= line.length && guard++ < 10_000) {
      const frame = stack[stack.length - 1];
      const rules = flatten(frame ? (frame.patterns ?? []) : grammar.patterns);
      let best: { m: RegExpExecArray; rule?: Rule; end?: boolean } | undefined;
      if (frame) {
        const r = re(frame.endSrc);
        r.lastIndex = pos;
        const m = r.exec(line);
        if (m) best = { m, end: true };
      }
      for (const rule of rules) {
        const r = re((rule.match ?? rule.begin)!);
        r.lastIndex = pos;
        const m = r.exec(line);
        if (m && (!best || m.index < best.m.index)) best = { m, rule };
      }
      if (!best) {
        paint(pos, line.length, []);
        break;
      }
      const { m } = best;
      paint(pos, m.index, []);
      const end = m.index + m[0].length;
      if (best.end) {
        const f = stack[stack.length - 1];
        paint(m.index, end, []);
        for (let i = m.index; i < end; i++) scopes[i] = scopes[i].filter((s) => s !== f.contentName);
        paintCaptures(m, f.endCaptures);
        stack.pop();
      } else if (best.rule!.match) {
        paint(m.index, end, [best.rule!.name]);
        paintCaptures(m, best.rule!.captures);
      } else {
        paint(m.index, end, [best.rule!.name]);
        paintCaptures(m, best.rule!.beginCaptures);
        const endSrc = best.rule!.end!.replace(/\\(\d)/g, (_, k: string) => (m[Number(k)] ?? '').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'));
        stack.push({ ...best.rule!, endSrc });
      }
      // A zero-width match moves on by one character; a zero-width end pops and rescans from here.
      pos = m[0].length === 0 && best.rule?.match ? end + 1 : end;
      if (pos >= line.length) {
        // Only a `$` end can still match at the end of the line.
        if (stack[stack.length - 1]?.endSrc === '$') stack.pop();
        break;
      }
    }
    return scopes;
  });
}

function scopeOf(text: string, lineNo: number, needle: string, nth = 0): string[] {
  const lines = text.split('\n');
  let at = -1;
  for (let k = 0; k <= nth; k++) at = lines[lineNo].indexOf(needle, at + 1);
  assert.ok(at >= 0, `"${needle}" not on line ${lineNo}`);
  return tokenize(text)[lineNo][at];
}

const SAMPLE = [
  '# A comment', // 0
  'scenario "Demo ${NAME}"', // 1
  'target http://127.0.0.1:8000/v1', // 2
  'api openai-chat', // 3
  'timeout ttft 10s  # fast', // 4
  'load step', // 5
  '  max 16 users', // 6
  'prompt "q" weight 2', // 7
  '  user What is C# ${env:X} {{field}}?', // 8
  '  system """', // 9
  '    fenced ${Y} # text', // 10
  '    """', // 11
  '  max_tokens 4Ki', // 12
  'expect', // 13
  '  ttft p95 <= 2s', // 14
  '  success >= 99.5%', // 15
  'buckets 4k 16k', // 16
  'key ${secret:API_KEY}', // 17
  'target builtin:chat', // 18
  'prompt "block"', // 19
  '  user', // 20
  '    start with this line', // 21
  '', // 22
  '    # heading in the text', // 23
  '  max_tokens 10', // 24
  '  user inline ${Z}', // 25
  '    continued', // 26
  'think 1s', // 27
].join('\n');

test('grammar: scope name, valid regexes, every include resolves', () => {
  assert.equal(grammar.scopeName, 'source.llmload');
  const all: Rule[] = [...grammar.patterns, ...Object.values(grammar.repository)];
  const todo = [...all];
  while (todo.length) {
    const r = todo.pop()!;
    for (const src of [r.match, r.begin, r.end]) if (src) assert.doesNotThrow(() => new RegExp(src), src);
    if (r.include) assert.ok(grammar.repository[r.include.slice(1)], r.include);
    todo.push(...(r.patterns ?? []));
  }
});

test('grammar colours directives, strings, numbers with units, variables, comments, roles and operators', () => {
  const has = (line: number, needle: string, scope: string, nth = 0) =>
    assert.ok(scopeOf(SAMPLE, line, needle, nth).includes(scope), `${needle} on line ${line}: ${scopeOf(SAMPLE, line, needle, nth).join(' ')} lacks ${scope}`);
  const lacks = (line: number, needle: string, scope: string) => assert.ok(!scopeOf(SAMPLE, line, needle).includes(scope), `${needle} on line ${line} has ${scope}`);
  has(0, 'A comment', 'comment.line.number-sign.llmload');
  has(1, 'scenario', 'keyword.control.directive.llmload');
  has(1, 'Demo', 'string.quoted.double.llmload');
  has(1, 'NAME', 'variable.other.name.llmload');
  has(2, 'http', 'markup.underline.link.llmload');
  has(3, 'openai-chat', 'support.constant.api.llmload');
  has(4, 'ttft', 'keyword.other.word.llmload');
  has(4, '10s', 'constant.numeric.duration.llmload');
  has(4, 'fast', 'comment.line.number-sign.llmload');
  has(5, 'step', 'support.constant.load-shape.llmload');
  has(6, 'max', 'keyword.other.setting.llmload');
  has(6, '16', 'constant.numeric.llmload');
  has(7, '"q"', 'entity.name.section.prompt.llmload');
  has(8, 'user', 'keyword.other.role.llmload');
  has(8, 'What', 'string.unquoted.text.llmload');
  has(8, 'C#', 'string.unquoted.text.llmload');
  lacks(8, '#', 'comment.line.number-sign.llmload');
  has(8, 'env', 'storage.modifier.variable-source.llmload');
  has(8, '{{field}}', 'variable.parameter.template.llmload');
  has(9, 'system', 'keyword.other.role.llmload');
  has(10, 'fenced', 'string.unquoted.block.llmload');
  has(10, 'Y', 'variable.other.name.llmload');
  lacks(10, '# text', 'comment.line.number-sign.llmload');
  has(11, '"""', 'punctuation.definition.string.end.llmload');
  has(12, 'max_tokens', 'keyword.other.setting.llmload');
  has(12, '4Ki', 'constant.numeric.tokens.llmload');
  has(14, 'ttft', 'support.type.metric.llmload');
  has(14, 'p95', 'support.constant.statistic.llmload');
  has(14, '<=', 'keyword.operator.comparison.llmload');
  has(14, '2s', 'constant.numeric.duration.llmload');
  has(15, '99.5%', 'constant.numeric.percentage.llmload');
  has(16, 'buckets', 'keyword.control.directive.llmload');
  lacks(16, 'buckets', 'support.type.metric.llmload');
  has(16, '16k', 'constant.numeric.tokens.llmload');
  has(17, 'secret', 'storage.modifier.variable-source.llmload');
  has(18, 'builtin:chat', 'support.constant.builtin.llmload');
  has(21, 'start', 'string.unquoted.text.llmload');
  lacks(21, 'start', 'keyword.other.setting.llmload');
  has(23, 'heading', 'string.unquoted.text.llmload');
  lacks(23, 'heading', 'comment.line.number-sign.llmload');
  has(24, 'max_tokens', 'keyword.other.setting.llmload');
  lacks(24, 'max_tokens', 'string.unquoted.text.llmload');
  has(25, 'Z', 'variable.other.name.llmload');
  has(26, 'continued', 'string.unquoted.text.llmload');
  has(27, 'think', 'keyword.control.directive.llmload');
  lacks(27, 'think', 'string.unquoted.text.llmload');
});

test('grammar colours the protocol options: think_tags tags and mode, length, sse and websocket block lines', () => {
  const text = [
    'think_tags <think> </think> starts_in_thinking', // 0
    'think_tags off', // 1
    'length fails', // 2
    'sse', // 3
    '  path /generate_stream', // 4
    '  body {"inputs": "{{prompt}}"}', // 5
    '  usage.prompt_tokens details.input_length', // 6
    '  done_data [DONE]', // 7
    'websocket', // 8
    '  message {"messages": "{{messages}}"}', // 9
    '  answer answer', // 10
  ].join('\n');
  const has = (line: number, needle: string, scope: string, nth = 0) =>
    assert.ok(scopeOf(text, line, needle, nth).includes(scope), `${needle} on line ${line}: ${scopeOf(text, line, needle, nth).join(' ')}`);
  has(0, 'think_tags', 'keyword.control.directive.llmload');
  has(0, '<think>', 'string.unquoted.tag.llmload');
  has(0, '</think>', 'string.unquoted.tag.llmload');
  has(0, 'starts_in_thinking', 'support.constant.think-mode.llmload');
  has(1, 'off', 'support.constant.think-mode.llmload');
  has(2, 'length', 'keyword.control.directive.llmload');
  has(2, 'fails', 'support.constant.length.llmload');
  has(3, 'sse', 'keyword.control.directive.llmload');
  has(4, 'path', 'keyword.other.setting.llmload');
  has(5, 'body', 'keyword.other.setting.llmload');
  has(5, '"inputs"', 'string.quoted.double.llmload');
  has(6, 'usage.prompt_tokens', 'keyword.other.setting.llmload');
  has(7, 'done_data', 'keyword.other.setting.llmload');
  has(8, 'websocket', 'keyword.control.directive.llmload');
  has(9, 'message', 'keyword.other.setting.llmload');
  has(10, 'answer', 'keyword.other.setting.llmload');
});

test('language configuration: # comments, brackets, quotes, indentation folding', () => {
  const c = readJson('language-configuration.json');
  assert.equal(c.comments.lineComment, '#');
  assert.deepEqual(c.brackets, [['{', '}'], ['[', ']']]);
  assert.ok(c.autoClosingPairs.some((p: { open: string; close: string }) => p.open === '"' && p.close === '"'));
  assert.equal(c.folding.offSide, true);
  const inc = new RegExp(c.indentationRules.increaseIndentPattern);
  for (const l of ['prompt "x"', 'expect', 'load step', 'load stages', 'dataset jsonl a.jsonl', '  user', '  user """', 'sse', 'websocket', '  message', '  body {']) assert.ok(inc.test(l), l);
  for (const l of ['load users 2 for 1m', '  user hello', 'target x']) assert.ok(!inc.test(l), l);
  assert.ok(new RegExp(c.indentationRules.decreaseIndentPattern).test('    """'));
  const word = new RegExp(c.wordPattern, 'g');
  assert.deepEqual('api openai-chat p99.9 10s builtin:chat'.match(word), ['api', 'openai-chat', 'p99.9', '10s', 'builtin:chat']);
});

/** Expands a VS Code snippet body with its default values. */
function expand(body: string[]): string {
  return body
    .join('\n')
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '')
    .replace(/\\\$/g, '$');
}

test('snippets: the new-scenario snippet expands to a clean scenario, every block snippet to clean lines', () => {
  const snippets = readJson('snippets/llmload.json') as Record<string, { prefix: string | string[]; body: string[]; description: string }>;
  assert.ok(Object.keys(snippets).length >= 12);
  const files: Record<string, string> = {
    '/v/prompts/input.txt': 'text',
    '/v/data/questions.jsonl': '{"question": "q", "answer": "a"}\n',
    '/v/data/sharegpt.json': '[]',
    '/v/data/math500.jsonl': '{"problem": "1+1?", "answer": "2"}\n',
    '/v/traces/recorded.jsonl': '',
  };
  const check = (text: string, what: string) => {
    const p = parseScenario(text, '/v/s.llmload');
    const r = resolvePlan(p.tree, { file: '/v/s.llmload', env: {}, secret: () => 'x', readFile: (f) => files[f] });
    const diags = [...p.diagnostics, ...r.diagnostics].filter((d) => d.severity === 'error');
    assert.deepEqual(diags.map((d) => `${d.range.start.line + 1}: ${d.message}`), [], `${what}:\n${text}`);
  };
  check(expand(snippets['New scenario'].body), 'New scenario');
  const base = 'target builtin:chat\nvar NAME x\nheader X-N ${NAME}\n';
  const hasLoad = (t: string) => /^load /m.test(t);
  const hasPrompt = (t: string) => /^(prompt|dataset) /m.test(t);
  for (const [name, s] of Object.entries(snippets)) {
    if (name === 'New scenario' || name === 'Variable') continue;
    assert.ok(s.description && s.prefix, name);
    const body = expand(s.body);
    let text = base + body + '\n';
    if (!hasLoad(body)) text += 'load users 1 for 1m\n';
    if (!hasPrompt(body)) text += 'prompt "p"\n  user hi\n';
    check(text, name);
  }
});
