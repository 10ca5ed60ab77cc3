/** Every llmload example in the specification parses and resolves with no errors, and every example file passes check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { runCheck } from '../../src/cli/check';

const root = path.resolve(__dirname, '../..');
const spec = fs.readFileSync(path.join(root, 'docs/scenario-language.md'), 'utf8');

function blocks(lang: string): string[] {
  const out: string[] = [];
  const re = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm');
  for (let m = re.exec(spec); m; m = re.exec(spec)) out.push(m[1]);
  return out;
}

test('the spec has a grammar and at least 15 scenario examples', () => {
  assert.equal(blocks('ebnf').length, 1);
  assert.ok(blocks('llmload').length >= 15);
});

test('every llmload example in the spec parses and resolves with no errors', () => {
  // Paths in the examples are relative to examples/, where their data files live.
  const file = path.join(root, 'examples/spec-example.llmload');
  for (const text of blocks('llmload')) {
    const p = parseScenario(text, file);
    const r = resolvePlan(p.tree, { file, env: {}, secret: () => undefined });
    const errors = [...p.diagnostics, ...r.diagnostics].filter((d) => d.severity === 'error').map((d) => `${d.range.start.line + 1}: ${d.message}`);
    assert.deepEqual(errors, [], text);
    assert.ok(r.plan, text);
  }
});

test('the error output shown in the spec is what check prints', () => {
  const shown = /```text\n\$ llmload check broken\.llmload\n([\s\S]*?)```/.exec(spec)![1].trim().split('\n');
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'llmload-spec-'));
  const broken = 'tagret builtin:chat\nload users 2 for 10\nprompt "p"\n  user hi\n\n\n\nexpect\n  ttft < 2s\n';
  fs.writeFileSync(path.join(dir, 'broken.llmload'), broken);
  const lines: string[] = [];
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    assert.equal(runCheck(['broken.llmload'], { out: (l) => lines.push(l), err: (l) => lines.push(l) }), 2);
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true });
  }
  assert.deepEqual(lines, shown);
});

test('every example file passes check', () => {
  const files = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.llmload'));
  assert.ok(files.length >= 7);
  const lines: string[] = [];
  const code = runCheck(files.map((f) => path.join(root, 'examples', f)), { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  assert.deepEqual(lines, []);
  assert.equal(code, 0);
});
