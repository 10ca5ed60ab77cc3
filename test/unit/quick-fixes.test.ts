// Every "did you mean" diagnostic of a scenario has a quick fix that, applied, removes the error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import type { Diagnostic } from '../../src/core/scenario/diagnostics';
import { quickFixFor, type QuickFix } from '../../src/extension/language/quick-fixes';

function diagnostics(text: string): Diagnostic[] {
  const p = parseScenario(text, '/tmp/x.llmload');
  const r = resolvePlan(p.tree, { file: '/tmp/x.llmload', env: {}, secret: () => 's' });
  return [...p.diagnostics, ...r.diagnostics];
}

function apply(text: string, f: QuickFix): string {
  const lines = text.split('\n');
  const l = lines[f.range.start.line]!;
  lines[f.range.start.line] = l.slice(0, f.range.start.character) + f.text + l.slice(f.range.end.character);
  return lines.join('\n');
}

const BASE = `scenario "q"
target builtin:chat
model sim-chat
load users 1 for 1s
var topic sea
prompt "p"
  user About \${topic}.
`;

for (const [what, from, to] of [
  ['a misspelt api', 'model sim-chat\n', 'model sim-chat\napi openai-chatt\n'],
  ['a misspelt directive', 'model sim-chat\n', 'model sim-chat\ntimout 30s\n'],
  ['a misspelt timeout kind', 'model sim-chat\n', 'model sim-chat\ntimeout ttfft 10s\n'],
  ['a misspelt variable', 'About ${topic}', 'About ${topik}'],
  ['a misspelt load shape', 'load users 1 for 1s', 'load usres 1 for 1s'],
  ['a misspelt simulator profile', 'builtin:chat', 'builtin:chatt'],
] as const) {
  test(`${what}: the "did you mean" has a quick fix that clears it`, () => {
    const text = BASE.replace(from, to);
    const ds = diagnostics(text).filter((d) => /did you mean/.test(d.message));
    assert.ok(ds.length >= 1, `a did-you-mean diagnostic: ${diagnostics(text).map((d) => d.message).join(' | ')}`);
    for (const d of ds) {
      const fix = quickFixFor(d, text);
      assert.ok(fix, `a fix for: ${d.message}`);
      const fixed = apply(text, fix);
      assert.ok(!diagnostics(fixed).some((x) => x.message === d.message), `fixed: ${fixed}`);
    }
  });
}

test('a diagnostic without a suggestion has no quick fix', () => {
  assert.equal(quickFixFor({ severity: 'error', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'empty scenario' }, 'x'), undefined);
});

// ---- completion snippets ----
import { completionsAt, KEYWORD_SNIPPETS } from '../../src/extension/language/analysis';
import { readFileSync } from 'node:fs';

/** A VS Code snippet with its default values. */
function expand(snippet: string): string {
  return snippet
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '')
    .replace(/\\\$/g, '$');
}

test('every top-level completion snippet expands to a clean line (think inserts "think 500ms", not "think")', () => {
  const base = ['target builtin:chat', 'model m', 'load users 1 for 1m', 'prompt "p"\n  user hi'];
  for (const [word, snippet] of Object.entries(KEYWORD_SNIPPETS.top!)) {
    // The base scenario without its own line of the same directive, then the expanded snippet.
    const text = [...base.filter((l) => !l.startsWith(`${word} `)), expand(snippet)].join('\n') + '\n';
    const errs = diagnostics(text).filter((d) => d.severity === 'error' && !/secret|environment/.test(d.message));
    assert.deepEqual(errs.map((d) => d.message), [], `${word}: ${expand(snippet)}`);
  }
  assert.equal(expand(KEYWORD_SNIPPETS.top!.think!), 'think 500ms');
});

test('prompt-block snippets expand to clean lines inside a prompt', () => {
  for (const [word, snippet] of Object.entries(KEYWORD_SNIPPETS.prompt!)) {
    const text = `target builtin:chat\nload users 1 for 1m\nprompt "p"\n  user hi\n  ${expand(snippet)}\n`;
    assert.deepEqual(diagnostics(text).filter((d) => d.severity === 'error').map((d) => d.message), [], word);
  }
});

test('completion offers the snippet at the end of a line, the bare word before other text', () => {
  const at = completionsAt('thi', { line: 0, character: 3 }, []);
  assert.equal(at.kind, 'items');
  const think = at.kind === 'items' ? at.items.find((i) => i.label === 'think') : undefined;
  assert.equal(think?.snippet, 'think ${1:500ms}');
  const mid = completionsAt('thi 500ms', { line: 0, character: 3 }, []);
  assert.equal(mid.kind === 'items' ? mid.items.find((i) => i.label === 'think')?.snippet : 'x', undefined);
});

test('no shipped snippet has the same prefix as a directive completion (no duplicates in the list)', () => {
  const snippets = JSON.parse(readFileSync(new URL('../../snippets/llmload.json', import.meta.url), 'utf8')) as Record<string, { prefix: string | string[] }>;
  const words = new Set(Object.keys(KEYWORD_SNIPPETS.top!));
  for (const [name, s] of Object.entries(snippets)) for (const p of [s.prefix].flat()) assert.ok(!words.has(p), `${name}: prefix ${p}`);
});

// ---- document links ----
import { documentLinks } from '../../src/extension/language/analysis';

test('dataset, @file and replay paths are links over exactly the path; a path from a variable is not', () => {
  const text = 'target builtin:chat\nmodel m\nload replay traces/r.jsonl\nvar dir data\ndataset jsonl data/qa.jsonl\n  user {{q}}\nprompt "p"\n  user @file prompts/long.txt\ndataset jsonl ${dir}/x.jsonl\n  user {{q}}\n';
  const { tree } = parseScenario(text, '/tmp/l.llmload');
  const links = documentLinks(tree);
  const lines = text.split('\n');
  const shown = links.map((l) => [l.path, lines[l.range.start.line]!.slice(l.range.start.character, l.range.end.character)]);
  assert.deepEqual(shown, [
    ['traces/r.jsonl', 'traces/r.jsonl'],
    ['data/qa.jsonl', 'data/qa.jsonl'],
    ['prompts/long.txt', 'prompts/long.txt'],
  ]);
});
