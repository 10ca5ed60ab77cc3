/**
 * Property tests: whatever the input, the parser and resolver return (never throw), and every range
 * they report, in diagnostics, fixes and tree nodes, lies inside the text. Fixed seeds keep CI
 * repeatable; the inputs are random text over the language's own alphabet and mutated examples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseScenario, resolvePlan, type Range } from '../../src/core/scenario';

const root = path.resolve(__dirname, '../..');
const examples = fs
  .readdirSync(path.join(root, 'examples'))
  .filter((f) => f.endsWith('.llmload'))
  .map((f) => fs.readFileSync(path.join(root, 'examples', f), 'utf8'));

const PIECES = [
  'scenario', 'target', 'api', 'model', 'timeout', 'header', 'key', 'var', 'seed', 'prompt', 'dataset', 'load',
  'warmup', 'stop', 'think', 'buckets', 'trace', 'expect', 'system', 'user', 'assistant', 'body', 'max_tokens',
  'users', 'step', 'stages', 'rate', 'replay', 'ramp', 'to', 'over', 'hold', 'start', 'add', 'every', 'max',
  'jsonl', 'sharegpt', 'synthetic', 'input', 'output', 'shared_prefix', 'count', 'answer', '@file', 'builtin:x',
  'http://127.0.0.1:1', 'ttft', 'p95', 'success', '<', '>=', '==', '10s', '4k', '4Ki', '2 rps', '99%', '1..2',
  '"', '"""', '{', '}', '[', ']', '${', '${env:', '${secret:X}', '{{f}}', '#', ' ', '  ', '    ', '\t', '\n', '\r\n',
  '\r', 'x', '7', '-', '.', ':', '\\', '\u00e9', '\ud83d\ude00', '\u0000', 'constructor', '__proto__', 'toString',
];

function checkRange(r: Range, lines: string[], where: string): void {
  for (const p of [r.start, r.end]) {
    assert.ok(Number.isInteger(p.line) && p.line >= 0 && p.line < lines.length, `${where}: line ${p.line} outside 0..${lines.length - 1}`);
    assert.ok(Number.isInteger(p.character) && p.character >= 0 && p.character <= lines[p.line].length, `${where}: character ${p.character} outside line ${p.line}`);
  }
  const ordered = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  assert.ok(ordered, `${where}: range ends before it starts`);
}

function isRange(v: unknown): v is Range {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return !!o.start && !!o.end && typeof (o.start as Record<string, unknown>).line === 'number';
}

/** Visits every object in the tree without recursion, checking anything shaped like a range. */
function checkTree(tree: unknown, lines: string[]): number {
  let n = 0;
  const todo: unknown[] = [tree];
  while (todo.length) {
    const v = todo.pop();
    if (Array.isArray(v)) todo.push(...v);
    else if (v && typeof v === 'object') {
      if (isRange(v)) {
        checkRange(v, lines, 'tree node');
        n++;
        continue;
      }
      for (const [k, x] of Object.entries(v)) if (k !== 'text' || typeof x !== 'string') todo.push(x);
    }
  }
  return n;
}

function checkAll(text: string): void {
  const lines = text.split(/\r\n|\r|\n/);
  const parsed = parseScenario(text, '/virtual/s.llmload');
  const resolved = resolvePlan(parsed.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: () => undefined });
  for (const d of [...parsed.diagnostics, ...resolved.diagnostics]) {
    checkRange(d.range, lines, `diagnostic "${d.message}"`);
    if (d.fix) checkRange(d.fix.range, lines, `fix of "${d.message}"`);
    assert.ok(d.message.length > 0);
    assert.ok(!d.message.startsWith('internal'), `internal error: ${d.message}`);
  }
  checkTree(parsed.tree, lines);
  if (parsed.diagnostics.some((d) => d.severity === 'error') || resolved.diagnostics.some((d) => d.severity === 'error')) {
    assert.equal(resolved.plan, undefined, 'a plan despite errors');
  }
}

const piecewise = fc.array(fc.constantFrom(...PIECES), { maxLength: 120 }).map((a) => a.join(''));
const lineWise = fc
  .array(
    fc.tuple(fc.constantFrom('', '  ', '    ', '\t'), fc.array(fc.constantFrom(...PIECES.filter((p) => !/[\r\n]/.test(p))), { maxLength: 6 })),
    { maxLength: 40 },
  )
  .map((ls) => ls.map(([ind, ws]) => ind + ws.join(' ')).join('\n'));

test('random text over the language alphabet: never throws, every range inside the text', () => {
  fc.assert(fc.property(fc.oneof(piecewise, lineWise, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), (t) => checkAll(t)), {
    seed: 20261128,
    numRuns: 1500,
  });
});

test('mutated examples: never throw, every range inside the text', () => {
  assert.ok(examples.length >= 1);
  const mutation = fc.record({
    which: fc.nat(),
    at: fc.nat(),
    len: fc.nat({ max: 12 }),
    insert: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 })),
    lineOp: fc.constantFrom('none', 'drop', 'dup', 'swap', 'indent', 'dedent', 'word', 'word'),
    word: fc.nat(),
    line: fc.nat(),
  });
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
      let text = examples[ms[0].which % examples.length];
      for (const m of ms) {
        if (m.lineOp !== 'word') {
          const at = m.at % (text.length + 1);
          text = text.slice(0, at) + m.insert + text.slice(at + m.len);
        }
        const lines = text.split('\n');
        const i = m.line % lines.length;
        if (m.lineOp === 'drop') lines.splice(i, 1);
        else if (m.lineOp === 'dup') lines.splice(i, 0, lines[i]);
        else if (m.lineOp === 'swap' && i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1], lines[i]];
        else if (m.lineOp === 'indent') lines[i] = '  ' + lines[i];
        else if (m.lineOp === 'dedent') lines[i] = lines[i].replace(/^ {1,2}/, '');
        else if (m.lineOp === 'word') {
          // Replace one word of the line: a wrong keyword, value or unit in an otherwise valid line.
          const words = lines[i].split(' ');
          words[m.word % words.length] = m.insert;
          lines[i] = words.join(' ');
        }
        text = lines.join('\n');
      }
      checkAll(text);
    }),
    { seed: 42, numRuns: 2000 },
  );
});

test('every word of two examples, replaced by each of a set of tricky words: never throws, ranges inside', () => {
  const tricky = ['constructor', '__proto__', 'toString', 'hasOwnProperty', '', '"', '"""', '${', '{', '}', '#', '0', '-1', '1e9', '99999999999999999999', 'NaN', 'Infinity', 'p99.9', '10s', '4Ki', '%', '..', '@file'];
  const sources = ['quickstart.llmload', 'reasoning-slos.llmload'].map((f) => fs.readFileSync(path.join(root, 'examples', f), 'utf8'));
  let runs = 0;
  for (const src of sources) {
    const lines = src.split('\n');
    lines.forEach((line, i) => {
      const words = line.split(' ');
      words.forEach((_, k) => {
        if (words[k] === '') return;
        for (const t of tricky) {
          const copy = [...words];
          copy[k] = t;
          checkAll([...lines.slice(0, i), copy.join(' '), ...lines.slice(i + 1)].join('\n'));
          runs++;
        }
      });
    });
  }
  assert.ok(runs > 1000);
});

test('every example parses and resolves to a plan with no errors', () => {
  for (const text of examples) {
    const parsed = parseScenario(text);
    assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.ok(checkTree(parsed.tree, text.split(/\r\n|\r|\n/)) > 10);
  }
});

test('deep nesting and very long lines do not overflow the stack', () => {
  const deep = Array.from({ length: 5000 }, (_, i) => ' '.repeat(i) + 'prompt "x"').join('\n');
  checkAll(deep);
  checkAll('target ' + 'x'.repeat(200_000));
  checkAll('prompt "p"\n  body ' + '['.repeat(20_000));
});
