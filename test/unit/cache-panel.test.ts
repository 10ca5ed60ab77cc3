/**
 * The panel says so when most input was served from the server's prefix cache: a real run against
 * a llama.cpp-shaped stand-in that caches a repeated prompt, opened in the panel's own page in
 * headless Chromium; its Tables tab shows the cache note and the buckets' cached share.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startScenarioRun } from '../../src/core/run/scenario-run';
import { loadTokenizer } from '../../src/core/tokenize';
import { panelHtml } from '../../src/extension/panel/panel-html';
import { PanelModel } from '../../src/extension/panel/panel-model';
import { startStandin } from '../helpers/engine-standin';
import { buildWebviewBundle, openBrowser, ROOT, type Browser } from '../vscode/panel/fixtures';

declare const document: any;

let tmp: string;
let browser: Browser;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-cache-panel-'));
  await buildWebviewBundle();
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
});

test('the Tables tab shows the cache note and the cached share per bucket', { timeout: 120_000 }, async () => {
  const tok = await loadTokenizer('qwen3');
  const srv = await startStandin({ shape: 'llama.cpp', tok, promptCache: true });
  const file = path.join(tmp, 'cache.llmload');
  fs.writeFileSync(
    file,
    `scenario "cache"\ntarget ${srv.url}\napi openai-chat\nmodel tiny\ntokenizer qwen3\nload users 1 for 30s\nstop after 6 requests\nbuckets 1k\n` +
      `prompt "same"\n  system ${'Short answers about the weather. '.repeat(12)}\n  user Is it raining?\n  max_tokens 4\n`,
  );
  let dir: string;
  try {
    const started = await startScenarioRun(file, { outDir: path.join(tmp, 'run'), env: {} });
    assert.equal(started.kind, 'started');
    if (started.kind !== 'started') return;
    const result = await started.handle.done;
    dir = result.dir;
    assert.ok(result.summary.cache?.note, JSON.stringify(result.summary.cache));
  } finally {
    await srv.close();
  }

  const model = new PanelModel(dir, 'cache', '');
  const { page, errors } = browser;
  await page.exposeFunction('__toHost', (json: string) => {
    const m = JSON.parse(json);
    void model.answer(m).then((a) => (a ? page.evaluate((msg) => (globalThis as any).postMessage(msg, '*'), a as unknown as Record<string, unknown>) : undefined));
  });
  await model.loadRun(dir);
  const nonce = 'CACHENONCE1';
  const dist = path.join(ROOT, 'dist', 'webview');
  let html = panelHtml({ cspSource: 'file:', scriptUri: pathToFileURL(path.join(dist, 'app.js')).href, styleUri: pathToFileURL(path.join(dist, 'app.css')).href, nonce });
  const fake = `<script nonce="${nonce}">window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(JSON.stringify(m)), getState: () => null, setState: () => {} });</script>`;
  html = html.replace('<script nonce=', `${fake}\n<script nonce=`);
  const page1 = path.join(tmp, 'panel.html');
  fs.writeFileSync(page1, html);
  await page.goto(pathToFileURL(page1).href);
  await page.waitForSelector('[data-state="finished"]');
  await page.click('vscode-tab-header[data-tab="tables"]');
  await page.waitForSelector('[data-note="cache"]');
  const note = (await page.locator('[data-note="cache"]').first().textContent()) ?? '';
  assert.match(note, /^\d+% of input tokens were served from the server's prefix cache: TTFT here does not measure full prefill$/);
  // The bucket table has the cached share as a percentage.
  const headers = await page.$$eval('vscode-table[data-table="buckets"] vscode-table-header-cell', (cells) => cells.map((c) => c.textContent ?? ''));
  const col = headers.indexOf('cached_share');
  assert.ok(col > 0, headers.join(' | '));
  const cells = await page.$$eval('vscode-table[data-table="buckets"] vscode-table-row', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));
  assert.match(cells[0]![col]!, /^[5-9]\d\.\d%$/);
  assert.equal(await page.evaluate(() => document.querySelectorAll('[data-note="cache"]').length), 1);
  assert.deepEqual(errors, []);
});
