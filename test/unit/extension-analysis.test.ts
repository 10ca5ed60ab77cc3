// The editor's questions answered on the parser's tree (no VS Code): completion by context, hover,
// outline, folding, where token hints go and how they read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { completionsAt, documentSymbols, foldingRanges, formatTokenHint, formatTokens, hoverAt, tokenSubjects } from '../../src/extension/language/analysis';

const TEXT = `scenario "Demo"

target builtin:chat
api openai-chat
model sim-chat
tokenizer qwen3
key \${secret:OPENAI_KEY}

load step
  start 2 users
  add 2 users every 10s
  max 8 users
  hold 30s

prompt "short" weight 3
  system You are brief.
  user What is 2+2?
  max_tokens 16

prompt "long"
  user """
    Line one.
    Line two.
    """

expect
  ttft p95 < 2s
  success >= 99%
`;
const lines = TEXT.split('\n');
const lineOf = (prefix: string): number => lines.findIndex((l) => l.startsWith(prefix));
const labels = (a: ReturnType<typeof completionsAt>): string[] => (a.kind === 'items' ? a.items.map((i) => i.label) : []);

describe('completion', () => {
  it('offers top-level directives at the start of an unindented line', () => {
    const got = labels(completionsAt(TEXT, { line: 1, character: 0 }, []));
    for (const k of ['target', 'api', 'prompt', 'dataset', 'load', 'expect']) assert.ok(got.includes(k), k);
    assert.ok(!got.includes('user'), 'no turn keywords at top level');
  });

  it('offers turns and parameters inside a prompt block, step lines inside load step', () => {
    const inPrompt = labels(completionsAt(TEXT, { line: lineOf('  max_tokens 16'), character: 2 }, []));
    for (const k of ['system', 'user', 'assistant', 'max_tokens', 'temperature']) assert.ok(inPrompt.includes(k), k);
    assert.ok(!inPrompt.includes('target'));
    const inStep = labels(completionsAt(TEXT, { line: lineOf('  hold 30s'), character: 2 }, []));
    assert.deepEqual(inStep.sort(), ['add', 'hold', 'max', 'start']);
  });

  it('offers api kinds, load shapes, dataset formats and the given tokenizers after their directive', () => {
    assert.ok(labels(completionsAt(TEXT, { line: lineOf('api '), character: 4 }, [])).includes('anthropic'));
    assert.deepEqual(labels(completionsAt(TEXT, { line: lineOf('load '), character: 5 }, [])), ['users', 'step', 'stages', 'rate', 'replay', 'burst', 'sweep']);
    assert.deepEqual(labels(completionsAt(TEXT, { line: lineOf('tokenizer '), character: 10 }, ['qwen3', 'llama3'])), ['qwen3', 'llama3']);
    assert.deepEqual(labels(completionsAt('dataset ', { line: 0, character: 8 }, [])), ['jsonl', 'sharegpt', 'synthetic', 'math500', 'arithmetic']);
  });

  it('replaces the word being typed', () => {
    const a = completionsAt('api open', { line: 0, character: 8 }, []);
    assert.equal(a.kind, 'items');
    assert.deepEqual(a.kind === 'items' && a.replace, { start: { line: 0, character: 4 }, end: { line: 0, character: 8 } });
  });

  it('offers metric names, then stats, in an expect block', () => {
    const at = lineOf('  ttft p95');
    const metrics = labels(completionsAt(TEXT, { line: at, character: 2 }, []));
    for (const m of ['ttft', 'ttfa', 'token_rate', 'success', 'qpm']) assert.ok(metrics.includes(m), m);
    assert.ok(labels(completionsAt(TEXT, { line: at, character: 7 }, [])).includes('p95'));
    assert.deepEqual(labels(completionsAt('expect\n  qpm ', { line: 1, character: 6 }, [])), [], 'qpm has no stats');
  });

  it('completes paths after @file and after a dataset format', () => {
    const f = completionsAt('prompt "p"\n  user @file prompts/ar', { line: 1, character: 23 }, []);
    assert.deepEqual(f, { kind: 'path', typed: 'prompts/ar', replace: { start: { line: 1, character: 13 }, end: { line: 1, character: 23 } } });
    const d = completionsAt('dataset jsonl da', { line: 0, character: 16 }, []);
    assert.equal(d.kind, 'path');
    assert.equal(d.kind === 'path' && d.typed, 'da');
  });

  it('offers nothing inside turn text or a text block', () => {
    assert.equal(completionsAt(TEXT, { line: lineOf('    Line one.'), character: 4 }, []).kind, 'none');
    assert.equal(completionsAt(TEXT, { line: lineOf('  user What'), character: 12 }, []).kind, 'none');
  });

  it('offers units after a number', () => {
    assert.ok(labels(completionsAt('load users 4 for 30 ', { line: 0, character: 20 }, [])).includes('s'));
  });
});

describe('hover', () => {
  const { tree } = parseScenario(TEXT, '/tmp/demo.llmload');
  const plan = resolvePlan(tree, { file: '/tmp/demo.llmload', env: {}, secret: () => 'sk-very-secret' }).plan;

  it('documents a directive and shows its resolved value', () => {
    const h = hoverAt(tree, plan, { line: lineOf('target'), character: 1 });
    assert.ok(h);
    assert.match(h.markdown, /^\*\*target\*\*: Where requests go/);
    assert.match(h.markdown, /Resolved: the built-in simulator, profile `chat`/);
  });

  it('documents lines inside blocks and expectations', () => {
    assert.match(hoverAt(tree, plan, { line: lineOf('  add 2'), character: 3 })!.markdown, /Users added per step/);
    assert.match(hoverAt(tree, plan, { line: lineOf('  ttft p95'), character: 3 })!.markdown, /\*\*ttft\*\* p95: Time to first output packet/);
  });

  it('a nested line shows its own value, not the doc example as if it were the value', () => {
    const line = TEXT.split('\n').findIndex((l) => /^\s+max_tokens \d+/.test(l));
    assert.ok(line > 0, 'the fixture has a max_tokens line');
    const written = TEXT.split('\n')[line]!.trim();
    const h = hoverAt(tree, plan, { line, character: 4 })!;
    assert.match(h.markdown, /\(for example `max_tokens 512`\)/);
    assert.ok(h.markdown.includes(`This line: \`${written}\``), h.markdown);
    assert.match(h.markdown, new RegExp(`Resolved: \`${written.split(/\s+/)[1]}\` for prompt "`));
  });

  it('never shows a secret value', () => {
    const line = lineOf('key ');
    const onKeyword = hoverAt(tree, plan, { line, character: 1 })!;
    assert.match(onKeyword.markdown, /set \(the value is never shown\)/);
    const onRef = hoverAt(tree, plan, { line, character: 10 })!;
    assert.match(onRef.markdown, /secret `OPENAI_KEY`/);
    for (const h of [onKeyword, onRef]) assert.ok(!h.markdown.includes('sk-very-secret'));
  });

  it('describes the load shape in words', () => {
    assert.match(hoverAt(tree, plan, { line: lineOf('load step'), character: 1 })!.markdown, /Resolved: 2 users, \+2 every 10 s up to 8, then hold 30 s/);
  });

  it('shows a prompt share of the requests', () => {
    assert.match(hoverAt(tree, plan, { line: lineOf('prompt "short"'), character: 2 })!.markdown, /weight 3 \(75% of requests\)/);
  });
});

describe('outline and folding', () => {
  const { tree } = parseScenario(TEXT, '/tmp/demo.llmload');
  it('lists the directives with prompts, turns and expectations as children', () => {
    const s = documentSymbols(tree);
    const names = s.map((x) => x.name);
    assert.ok(names.includes('prompt "short"') && names.includes('prompt "long"') && names.includes('load step') && names.includes('expect'));
    assert.deepEqual(s.find((x) => x.name === 'prompt "short"')!.children.map((c) => c.name), ['system', 'user']);
    assert.deepEqual(s.find((x) => x.name === 'expect')!.children.map((c) => c.name), ['ttft p95 < 2s', 'success >= 99%']);
  });
  it('folds every multi-line block', () => {
    const f = foldingRanges(tree);
    assert.ok(f.some((r) => r.start === lineOf('load step') && r.end === lineOf('  hold 30s')));
    assert.ok(f.some((r) => r.start === lineOf('  user """')), 'the text block folds');
    assert.ok(f.every((r) => r.end > r.start));
  });
});

describe('token hint subjects', () => {
  it('puts one hint at the end of each prompt header and each turn line', () => {
    const { tree } = parseScenario(TEXT, '/tmp/demo.llmload');
    const s = tokenSubjects(tree);
    assert.deepEqual(
      s.map((x) => [x.kind, x.prompt, x.turn, x.at.line]),
      [
        ['prompt', 'short', undefined, lineOf('prompt "short"')],
        ['turn', 'short', 0, lineOf('  system')],
        ['turn', 'short', 1, lineOf('  user What')],
        ['prompt', 'long', undefined, lineOf('prompt "long"')],
        ['turn', 'long', 0, lineOf('  user """')],
      ],
    );
    assert.equal(s[0]!.at.character, lines[lineOf('prompt "short"')]!.length);
  });
  it('formats counts as the issue shows them', () => {
    assert.equal(formatTokenHint('prompt', { tokens: 1284 }), '⟵ 1,284 tok');
    assert.equal(formatTokenHint('dataset', { prompts: 500, min: 1200, max: 31_800 }), '⟵ 500 prompts, 1,200–31.8k tok');
    assert.equal(formatTokenHint('prompt', { tokens: 26 }, 'qwen3'), '⟵ 26 tok (qwen3)', 'says who counted');
    assert.equal(formatTokens(12_000), '12k');
  });
});
