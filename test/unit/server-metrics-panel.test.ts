/**
 * The server's side in the panel's own page (headless Chromium, the panel's host model behind a
 * stand-in for acquireVsCodeApi), after a run against the one-slot llama.cpp stand-in: the server
 * row of charts is drawn, the server card says the server queued, and a request's timeline shows
 * its server queue and prefill spans with prompt_ms, queue_ms and the cached tokens in its title.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRun } from '../../src/core/run/runner';
import type { RequestRecord } from '../../src/core/metrics/record';
import { jsonForScript } from '../../src/core/viewmodel/escape';
import { panelHtml } from '../../src/extension/panel/panel-html';
import { PanelModel } from '../../src/extension/panel/panel-model';
import { plan } from '../helpers/plans';
import { llamaServer } from '../helpers/llamacpp-server';
import { buildWebviewBundle, canvasDrawn, openBrowser, ROOT, type Browser } from '../vscode/panel/fixtures';

declare const window: any;

let tmp: string;
let browser: Browser;
let model: PanelModel;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-srv-panel-'));
  await buildWebviewBundle();
  browser = await openBrowser();
  await browser.page.exposeFunction('__toHost', (json: string) => {
    const m = JSON.parse(json);
    void model
      .answer(m)
      .then((a) => (a ? browser.page.evaluate((msg) => window.postMessage(msg, '*'), a as unknown as Record<string, unknown>) : undefined))
      .catch((e: unknown) => browser.errors.push(`host: ${String(e)}`));
  });
  await browser.page.exposeFunction('__saveState', () => undefined);
});

after(async () => {
  await browser?.close();
});

test('the panel shows the server charts, a queued card and the queue/prefill spans of a request', async () => {
  const srv = await llamaServer();
  const dir = path.join(tmp, 'run');
  try {
    const p = plan({ target: { kind: 'url', url: `${srv.url}/v1` }, model: 'tiny', load: { kind: 'users', users: 3, duration_ms: 1500 }, trace: { mode: 'all' }, server_metrics: { url: `${srv.url}/metrics`, every_ms: 200 } });
    const h = await startRun(p, { outDir: dir, workers: 1 });
    assert.equal((await h.done).error, undefined);
  } finally {
    await srv.close();
  }
  const recs = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestRecord);
  const queued = recs.find((r) => r.status === 'ok' && r.server!.queue_ms! > 50)!;
  assert.ok(queued, 'a request that waited for the slot');

  model = new PanelModel(dir, 'server', '');
  await model.loadRun(dir);
  const nonce = 'TESTNONCE123';
  const dist = path.join(ROOT, 'dist', 'webview');
  let html = panelHtml({ cspSource: 'file:', scriptUri: pathToFileURL(path.join(dist, 'app.js')).href, styleUri: pathToFileURL(path.join(dist, 'app.css')).href, nonce });
  const fake = `<script nonce="${nonce}">window.__state = ${jsonForScript(null)};
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(JSON.stringify(m)), getState: () => window.__state, setState: (s) => { window.__state = s; window.__saveState(JSON.stringify(s)); } });</script>`;
  html = html.replace('<script nonce=', `${fake}\n<script nonce=`);
  const file = path.join(tmp, 'panel.html');
  fs.writeFileSync(file, html);
  const { page, errors } = browser;
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('[data-state="finished"]');
  await page.waitForSelector('canvas[data-chart="server_requests"]');
  assert.ok(await canvasDrawn(page, 'canvas[data-chart="server_requests"]'), 'server chart drawn');
  assert.equal(await page.locator('[data-card="server"] .card-value').textContent(), 'queued');
  await page.click('vscode-tab-header[data-tab="requests"]');
  await page.click(`vscode-table-row[data-request="${queued.id}"]`);
  await page.waitForSelector(`.timeline-title:has-text("Request #${queued.id} ·")`);
  const title = (await page.locator('.timeline-title').textContent()) ?? '';
  assert.match(title, /server: prompt 30(\.0)? ?ms · queue [\d.]+ ?m?s · 8 cached tokens/);
  assert.equal(await page.locator('.timeline-svg rect.server-span[data-span="queue"]').count(), 1);
  assert.equal(await page.locator('.timeline-svg rect.server-span[data-span="prefill"]').count(), 1);
  assert.deepEqual(errors, []);
});
