/** The HTML report of a graded run, in headless Chromium: the accuracy card and the wrong-answers filter. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRun } from '../../src/core/run/runner';
import { runReport } from '../../src/cli/report';
import { arithmeticPrompts } from '../../src/core/grade/arithmetic';
import { plan } from '../helpers/plans';
import { buildWebviewBundle, openBrowser, TEST_OUTPUT, type Browser } from '../vscode/panel/fixtures';

let tmp: string;
let runDir: string;
let browser: Browser;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-acc-report-'));
  await buildWebviewBundle();
  const prompts = arithmeticPrompts({ kind: 'arithmetic', name: 'arithmetic', weight: 1, count: 40, levels: { min: 1, max: 4 }, seed: 1, params: {} });
  const p = plan({
    target: { kind: 'builtin', profile: 'chat?decode_tokens_per_s=2000&overhead_ms=1&accuracy=0.6' },
    model: 'sim-chat',
    prompts,
    load: { kind: 'users', users: 2, duration_ms: 60_000 },
    stop: { after_requests: 60 },
  });
  const result = await (await startRun(p, { outDir: path.join(tmp, 'run') })).done;
  assert.equal(result.error, undefined);
  assert.ok(result.summary.accuracy!.wrong + result.summary.accuracy!.unparsed > 0);
  runDir = result.dir;
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the report shows an accuracy card, and the answer filter lists the answers that were not correct', async () => {
  const file = path.join(tmp, 'report.html');
  assert.equal(await runReport([runDir, '--html', file], { out: () => {}, err: () => {} }), 0);
  const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  const { page, errors } = browser;
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('[data-card="accuracy"]');
  const value = (await page.locator('[data-card="accuracy"] .card-value').textContent()) ?? '';
  assert.ok(Math.abs(Number(value.replace(/[^\d.]/g, '')) - summary.accuracy.value * 100) < 0.1, `card ${value}, summary ${summary.accuracy.value}`);
  assert.match((await page.locator('[data-card="accuracy"] .card-label').textContent()) ?? '', /accuracy \(95% CI/);
  await page.locator('[data-tab="requests"], vscode-tab-header:has-text("requests")').first().click().catch(() => {});
  await page.waitForSelector('select[data-filter="grade"]');
  await page.selectOption('select[data-filter="grade"]', 'not_correct');
  await page.waitForFunction(() => /· (wrong|unparsed)/.test((globalThis as any).document.querySelector('.requests-table vscode-table-body')?.textContent ?? ''));
  const text = (await page.locator('.requests-table vscode-table-body').textContent()) ?? '';
  assert.ok(!/· correct/.test(text), 'only answers that were not correct');
  assert.match(text, /· wrong: -?[\d\\{}a-z]+ ≠ -?[\d\\{}a-z]+|· unparsed: \(none\) ≠ /);
  fs.mkdirSync(TEST_OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'report-accuracy.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
