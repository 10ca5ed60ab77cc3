/** The syntax tree the editor features build on: node kinds, ranges and values, also for broken input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, type PromptNode, type ExpectNode, type Range, type TurnNode, type LoadNode, type DatasetNode } from '../../src/core/scenario';

const r = (l1: number, c1: number, l2: number, c2: number): Range => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

const TEXT = [
  '# comment', //                                   0
  'scenario "Demo"', //                             1
  'target builtin:chat   # trailing comment', //    2
  '', //                                            3
  'prompt "a" weight 2', //                         4
  '  system Be brief.', //                          5
  '  user', //                                      6
  '    Line one', //                                7
  '', //                                            8
  '      indented ${X}', //                         9
  '  assistant """', //                             10
  '    fenced', //                                  11
  '    """', //                                     12
  '  max_tokens 1k', //                             13
  '', //                                            14
  'expect', //                                      15
  '  ttft p95 < 2s', //                             16
  '  success >= 99%  # note', //                    17
].join('\n');

test('top-level nodes come in source order with their keyword ranges', () => {
  const { tree, diagnostics } = parseScenario(TEXT);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(tree.statements.map((s) => s.kind), ['scenario', 'target', 'prompt', 'expect']);
  const scenario = tree.statements[0];
  assert.equal(scenario.kind, 'scenario');
  if (scenario.kind === 'scenario') {
    assert.deepEqual(scenario.keyword.range, r(1, 0, 1, 8));
    assert.equal(scenario.title?.text, 'Demo');
    assert.deepEqual(scenario.title?.range, r(1, 9, 1, 15));
  }
  const target = tree.statements[1];
  assert.deepEqual(target.range, r(2, 0, 2, 19), 'the trailing comment is not part of the directive');
});

test('a prompt node covers its block; each turn has its role, form and text range', () => {
  const { tree } = parseScenario(TEXT);
  const p = tree.statements[2] as PromptNode;
  assert.equal(p.name?.text, 'a');
  assert.deepEqual(p.headerRange, r(4, 0, 4, 19));
  assert.deepEqual(p.range, r(4, 0, 13, 15));
  assert.equal(p.weight?.value, 2);
  assert.deepEqual(p.weight?.range, r(4, 18, 4, 19));
  const [system, user, assistant] = p.turns as TurnNode[];
  assert.deepEqual([system.role, system.form, system.text?.text], ['system', 'inline', 'Be brief.']);
  assert.deepEqual(system.text?.range, r(5, 9, 5, 18));
  assert.deepEqual([user.role, user.form], ['user', 'block']);
  assert.equal(user.text?.text, 'Line one\n\n  indented ${X}');
  assert.deepEqual(user.text?.range, r(7, 4, 9, 19));
  assert.deepEqual(user.range, r(6, 2, 9, 19));
  assert.deepEqual(user.text?.refs, [{ namespace: 'var', name: 'X', range: r(9, 15, 9, 19) }]);
  assert.deepEqual([assistant.form, assistant.text?.text], ['fenced', 'fenced']);
  assert.deepEqual(assistant.range, r(10, 2, 12, 7));
  const max = p.children.find((c) => c.kind === 'setting');
  assert.equal(max?.kind === 'setting' && max.value?.value, 1000);
});

test('expect lines keep their text, parts and ranges', () => {
  const { tree } = parseScenario(TEXT);
  const e = tree.statements[3] as ExpectNode;
  assert.equal(e.lines.length, 2);
  const [a, b] = e.lines;
  assert.equal(a.text, 'ttft p95 < 2s');
  assert.deepEqual(a.range, r(16, 2, 16, 15));
  assert.deepEqual([a.metric?.range, a.stat?.range, a.op?.range, a.value?.range], [r(16, 2, 16, 6), r(16, 7, 16, 10), r(16, 11, 16, 12), r(16, 13, 16, 15)]);
  assert.deepEqual(a.parsed, { metric: 'ttft', stat: 'p95', op: '<', value: 2000 });
  assert.equal(b.text, 'success >= 99%');
  assert.deepEqual(b.parsed, { metric: 'success', stat: undefined, op: '>=', value: 0.99 });
});

test('broken lines keep their nodes, with values left out', () => {
  const { tree, diagnostics } = parseScenario('load stepp\n  start 2 users\nprompt "x" weight zero\n  usr hi\n  user hello\nexpect\n  ttft p95 < soon\n');
  assert.equal(diagnostics.length, 4);
  const [load, prompt, expect] = tree.statements as [LoadNode, PromptNode, ExpectNode];
  assert.equal(load.kind, 'load');
  assert.equal(load.shape, undefined);
  assert.equal(load.shapeWord?.text, 'stepp');
  assert.deepEqual(load.range, r(0, 0, 1, 15));
  assert.equal(prompt.weight, undefined);
  assert.equal(prompt.broken, true);
  assert.deepEqual(prompt.children.map((c) => c.kind), ['unknown', 'turn']);
  assert.equal(expect.lines[0].parsed, undefined);
  assert.equal(expect.lines[0].metric?.text, 'ttft');
});

test('dataset nodes carry format, path and template field references', () => {
  const { tree, diagnostics } = parseScenario('dataset jsonl "data/q a.jsonl" weight 2\n  user Q: {{ question }}\n  answer {{answer}}\n');
  assert.deepEqual(diagnostics, []);
  const d = tree.statements[0] as DatasetNode;
  assert.equal(d.format, 'jsonl');
  assert.equal(d.path?.text, 'data/q a.jsonl');
  assert.equal(d.path?.quoted, true);
  assert.deepEqual(d.turns[0].text?.fields, [{ name: 'question', range: r(1, 10, 1, 24) }]);
});

test('CRLF and CR line endings give the same tree as LF', () => {
  const lf = parseScenario(TEXT);
  const crlf = parseScenario(TEXT.replace(/\n/g, '\r\n'));
  const cr = parseScenario(TEXT.replace(/\n/g, '\r'));
  const strip = (t: unknown) => JSON.stringify(t, (k, v) => (k === 'text' && typeof v === 'string' && v.length > 200 ? undefined : v));
  assert.equal(strip(crlf.tree.statements), strip(lf.tree.statements));
  assert.equal(strip(cr.tree.statements), strip(lf.tree.statements));
});

test('diagnostics carry quick fixes for near misses', () => {
  const { diagnostics } = parseScenario('tagret builtin:chat\n');
  assert.deepEqual(diagnostics[0].fix, { range: r(0, 0, 0, 6), text: 'target', title: 'Change to "target"' });
});

test('a forgotten """ closer gives one diagnostic and does not swallow the next prompt', () => {
  const { tree, diagnostics } = parseScenario('prompt "a"\n  user """\n    text\n  max_tokens 10\nprompt "b"\n  user """\n    more\n    """\n');
  assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.message]), [[1, 'unclosed """ text block; end it with a line holding """']]);
  const [a, b] = tree.statements as PromptNode[];
  assert.equal(a.turns[0].text?.text, 'text');
  assert.deepEqual(a.children.map((c) => c.kind), ['turn', 'setting']);
  assert.equal(b.name?.text, 'b');
  assert.equal(b.turns[0].text?.text, 'more');
});

test('a """ block may hold pasted text at any column, blank lines and # lines', () => {
  const { tree, diagnostics } = parseScenario('prompt "a"\n  user """\nfirst line at column 0\n\n  # heading, not a comment\n      indented more\n"""\n  max_tokens 5\n');
  assert.deepEqual(diagnostics, []);
  const p = tree.statements[0] as PromptNode;
  assert.equal(p.turns[0].text?.text, 'first line at column 0\n\n  # heading, not a comment\n      indented more');
  assert.deepEqual(p.turns[0].range, r(1, 2, 6, 3));
  assert.deepEqual(p.children.map((c) => c.kind), ['turn', 'setting']);
});
