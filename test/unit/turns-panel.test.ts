/**
 * Multi-turn sessions in the panel's app (here through the HTML report, which renders the same
 * app, in headless Chromium): the "By turn" card with a row per turn and the turn 1 → last turn
 * headline, text taken from summary.json; and the report made with --compare against a run without
 * prefix caching, whose Compare tab has the per-turn rows in a table of their own.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRun } from '../../src/core/run/runner';
import { runReport } from '../../src/cli/report';
import type { Summary } from '../../src/core/metrics/summary';
import { turnsCard } from '../../src/core/viewmodel/turns-card';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { buildWebviewBundle, openBrowser, type Browser } from '../vscode/panel/fixtures';

let tmp: string;
let browser: Browser;
let cached = '';
let plain = '';

// A long system prompt prefilled at 4,000 tokens/s; each session's later turns resend it with the turns before.
const system = Array.from({ length: 300 }, (_, i) => `Rule ${i} holds.`).join(' ');

async function run(name: string, caching: boolean): Promise<string> {
  const file = path.join(tmp, `${name}.llmload`);
  // A user line with markup: the card shows the prompt's figures only, and the report's text stays text.
  const text =
    `target builtin:chat?overhead_ms=10&decode_tokens_per_s=2000&answer_tokens=4-4&prefix_caching=${caching}\nmodel sim-chat\nseed 5\n` +
    `load users 1 for 60s\nstop after 3 requests\nprompt "chat <b>"\n  system ${system}\n  user First <script>x</script>?\n  user Second?\n  user Third?\n  session\n`;
  const parsed = parseScenario(text, file);
  const resolved = resolvePlan(parsed.tree, { file, env: {} });
  assert.deepEqual([...parsed.diagnostics, ...resolved.diagnostics].filter((d) => d.severity === 'error'), []);
  const r = await (await startRun(resolved.plan!, { outDir: path.join(tmp, name) })).done;
  assert.equal(r.error, undefined);
  return r.dir;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-turns-panel-'));
  await buildWebviewBundle();
  [cached, plain] = await Promise.all([run('cached', true), run('plain', false)]);
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the By turn card: a row per turn from summary.json and the turn 1 → last turn headline', async () => {
  const file = path.join(tmp, 'report.html');
  assert.equal(await runReport([cached, '--html', file], { out: () => {}, err: () => {} }), 0);
  const summary = JSON.parse(fs.readFileSync(path.join(cached, 'summary.json'), 'utf8')) as Summary;
  const want = turnsCard(summary.sessions)!;
  assert.equal(want.rows.length, 3);
  assert.ok(want.ratio! < 0.5, `turn 3 against turn 1: ${want.ratio}`);
  const { page, errors } = browser;
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('[data-card="turns"]');
  assert.equal(await page.locator('[data-card="turns"] .card-label').textContent(), `By turn · ${want.label}`);
  assert.equal(await page.locator('[data-card="turns"] .turns-headline').textContent(), want.headline);
  assert.match(want.headline!, /^TTFT p50 turn 1 → turn 3: \S+ → \S+ \(0\.\d+×, \d+% faster, 9\d% of its input cached\)$/);
  assert.equal(await page.locator('[data-card="turns"]').getAttribute('title'), want.title);
  const heads = await page.$$eval('vscode-table[data-table="turns"] vscode-table-header-cell', (cs) => cs.map((c) => c.textContent));
  assert.deepEqual(heads, want.columns);
  for (const r of want.rows) {
    const cells = await page.$$eval(`vscode-table[data-table="turns"] vscode-table-row[data-turn="${r.turn}"] vscode-table-cell`, (cs) => cs.map((c) => c.textContent));
    assert.deepEqual(cells, r.cells, `turn ${r.turn}`);
  }
  assert.deepEqual(errors, []);
});

test('the report made with --compare has the per-turn TTFT rows in a table of their own, with intervals and verdicts', async () => {
  const file = path.join(tmp, 'compare.html');
  const err: string[] = [];
  assert.equal(await runReport([cached, '--html', file, '--compare', plain], { out: () => {}, err: (l) => void err.push(l) }), 0, err.join('\n'));
  const { page, errors } = browser;
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('[data-card="requests"]');
  await page.click('vscode-tab-header[data-tab="compare"]');
  await page.waitForSelector('vscode-table[data-table="compare-turns"] vscode-table-row');
  const figures = await page.$$eval('vscode-table[data-table="compare-turns"] vscode-table-row', (rs) => rs.map((r) => r.getAttribute('data-figure')));
  assert.deepEqual(figures, ['turn 1 ttft p50', 'turn 1 ttft p95', 'turn 2 ttft p50', 'turn 2 ttft p95', 'turn 3 ttft p50', 'turn 3 ttft p95']);
  const names = await page.$$eval('vscode-table[data-table="compare-turns"] vscode-table-cell[data-column="figure"]', (cs) => cs.map((c) => c.textContent));
  assert.equal(names[2], 'Turn 2: time to first token, p50');
  // Not in the main table.
  const main = await page.$$eval('vscode-table[data-table="compare"] vscode-table-row', (rs) => rs.map((r) => r.getAttribute('data-figure')));
  assert.ok(main.includes('ttft p50') && !main.some((f) => f?.startsWith('turn ')), main.join(' | '));
  // One session a run: too few requests per turn for an interval, and the row says so.
  const verdicts = await page.$$eval('vscode-table[data-table="compare-turns"] vscode-table-cell[data-column="verdict"]', (cs) => cs.map((c) => (c.textContent ?? '').trim()));
  assert.deepEqual(new Set(verdicts), new Set(['not tested']));
  assert.match((await page.locator('vscode-table[data-table="compare-turns"] vscode-table-row[data-figure="turn 2 ttft p50"]').getAttribute('title')) ?? '', /fewer than 10 requests with this figure in a run/);
  // The prompt's markup never became elements.
  assert.deepEqual(await page.$$eval('b, script:not([nonce]):not([type="application/json"])', (els) => els.map((e) => e.outerHTML.slice(0, 80))), []);
  assert.deepEqual(errors, []);
});
