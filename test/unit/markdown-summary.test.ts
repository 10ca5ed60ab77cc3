import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { markdownSummary, markdownText } from '../../src/core/report/markdown-summary';
import { ciSummary } from '../helpers/ci-summary';

/** The cells of a GFM table row: split on `|` not preceded by a backslash, outer pipes dropped. */
function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim());
}

/** Every table of the text, as rows of cells (header and alignment rows included). */
function tables(md: string): string[][][] {
  const out: string[][][] = [];
  let cur: string[][] | null = null;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) (cur ??= (out.push([]), out[out.length - 1]!)).push(cells(line));
    else cur = null;
  }
  return out;
}

test('the verdict, each expectation with actual, limit and ✓/✗, the headline figures and the run folder', () => {
  const md = markdownSummary(ciSummary(), { runDir: '.llmload/runs/20261206T143048Z-chat-slos' });
  assert.match(md, /^### ❌ FAIL: chat SLOs\n\n\*\*2 of 3 expectation\(s\) failed\*\*\n/);
  const [exp, dist, singles] = tables(md);
  assert.deepEqual(exp, [
    ['', 'expectation', 'actual', 'limit'],
    [':-:', '---', '--:', '---'],
    ['✗', 'ttft p95 \\< 2s', '2.40s', '\\< 2s'],
    ['✓', 'success \\>= 95%', '98.33%', '\\>= 95%'],
    ['✗', 'server kv\\_cache\\_usage p95 \\<= 90%', 'not measured', '\\<= 90%'],
  ]);
  assert.deepEqual(dist, [
    ['', 'p50', 'p95'],
    ['---', '--:', '--:'],
    ['TTFT', '120.0ms', '2.40s'],
    ['TTFA', '130.0ms', '2.60s'],
    ['token rate', '42.5/s', '61.0/s'],
  ]);
  assert.deepEqual(singles![0], ['QPM', 'success', 'requests', 'outages']);
  assert.deepEqual(singles![2], ['329.3', '98.33%', '120 (ok 118, failed 2)', '1 (down 1.5s, 2 failed with no answer)']);
  assert.match(md, /target builtin:chat · model sim-chat · API openai-chat · 21\.5 s · ended by completed/);
  assert.match(md, /\nRun folder: \.llmload\/runs\/20261206T143048Z-chat-slos\n/);
  assert.doesNotMatch(md, /CI run/, 'no link without a CI run URL');
});

test('a passing run says PASS; a stopped one STOPPED with its expectations not judged (–), never ✓', () => {
  const pass = markdownSummary(ciSummary({ expectations: [{ text: 'success >= 95%', pass: true, actual: 0.98, actual_text: '98.00%' }] }), { runDir: 'r' });
  assert.match(pass, /^### ✅ PASS: chat SLOs\n\n\*\*the expectation holds\*\*/);
  const stopped = markdownSummary(ciSummary({ ended_by: 'stopped', duration_s: 7 }), { runDir: 'r' });
  assert.match(stopped, /^### ⏹️ STOPPED: chat SLOs\n\n\*\*stopped after 7s: expectations not judged\*\*/);
  assert.deepEqual(tables(stopped)[0]!.slice(2).map((r) => r[0]), ['–', '–', '–']);
  const error = markdownSummary(ciSummary(), { runDir: 'r', error: 'boom' });
  assert.match(error, /^### ⚠️ ERROR: /);
});

test('pipes, markup and line breaks in names stay inside their table cell and show as written', () => {
  const s = ciSummary({
    scenario: 'A | B <script>alert(1)</script> *bold* [link](x)',
    model: 'org/model|v2 `tick` _u_',
    target: 'http://h:1/v1',
    expectations: [{ text: 'accuracy for a|b\nc >= 50%', pass: false, actual: 0.4, actual_text: '40.00%' }],
  });
  const md = markdownSummary(s, { runDir: 'runs/x|y' });
  const exp = tables(md)[0]!;
  for (const r of exp) assert.equal(r.length, 4, `row ${JSON.stringify(r)} has 4 cells`);
  assert.equal(exp[2]![1], 'accuracy for a\\|b c \\>= 50%');
  assert.match(md, /^### ❌ FAIL: A \\\| B \\<script\\>alert\(1\)\\<\/script\\> \\\*bold\\\* \\\[link\\\]\(x\)\n/);
  assert.match(md, /model org\/model\\\|v2 \\`tick\\` \\_u\\_ ·/);
  assert.match(md, /Run folder: runs\/x\\\|y/);
  assert.doesNotMatch(md, /<script>/);
});

test('markdownText: backslash-escapes markup, folds control characters and line breaks into spaces', () => {
  assert.equal(markdownText('a|b'), 'a\\|b');
  assert.equal(markdownText('x\\y'), 'x\\\\y');
  assert.equal(markdownText('<b>&amp;</b>'), '\\<b\\>\\&amp;\\</b\\>');
  assert.equal(markdownText('one\ntwo\r\nthree\u0007four'), 'one two three four');
  assert.equal(markdownText('# not a heading'), '\\# not a heading');
  assert.equal(markdownText('plain 1.5s, 99%'), 'plain 1.5s, 99%');
});

test('with a CI run URL (GitHub Actions), the run folder line links to it', () => {
  const md = markdownSummary(ciSummary(), { runDir: 'r', runUrl: 'https://github.com/o/r/actions/runs/42' });
  assert.match(md, /\nRun folder: r \(\[CI run\]\(<https:\/\/github\.com\/o\/r\/actions\/runs\/42>\)\)\n/);
});

test('a CommonMark/GFM renderer (markdown-it, HTML allowed) shows the names as text, in the right cells', () => {
  // markdown-it comes with @vscode/vsce (a dev dependency); it renders GFM tables and backslash escapes.
  const MarkdownIt = createRequire(__filename)('markdown-it') as new (o: object) => { render(s: string): string };
  const s = ciSummary({
    scenario: 'A | B <script>alert(1)</script>',
    model: 'm|v2 <img src=x>',
    expectations: [{ text: 'accuracy for a|b >= 50%', pass: false, actual: 0.4, actual_text: '40.00%' }],
  });
  const html = new MarkdownIt({ html: true }).render(markdownSummary(s, { runDir: 'runs/x|y' }));
  assert.doesNotMatch(html, /<script|<img/);
  assert.match(html, /<h3>❌ FAIL: A \| B &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h3>/);
  const firstTable = /<table>([\s\S]*?)<\/table>/.exec(html)![1]!;
  const rows = [...firstTable.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]));
  assert.deepEqual(rows, [
    ['', 'expectation', 'actual', 'limit'],
    ['✗', 'accuracy for a|b &gt;= 50%', '40.00%', '&gt;= 50%'],
  ]);
  assert.match(html, /model m\|v2 &lt;img src=x&gt;/);
  assert.match(html, /Run folder: runs\/x\|y/);
});
