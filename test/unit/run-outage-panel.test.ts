/**
 * The panel shows a run's outages: a summary card with how long the target was down and how many
 * requests backoff held back, and an Outages table in the tables tab. Headless Chromium on the
 * panel's own page, fed the snapshot of a real run against a loopback server that answers 429.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { PanelSnapshot } from '../../src/core/messages';
import type { SeriesRow } from '../../src/core/metrics/aggregate';
import { startRun } from '../../src/core/run/runner';
import { panelHtml } from '../../src/extension/panel/panel-html';
import { errorLines } from '../../src/core/viewmodel/series';
import { plan } from '../helpers/plans';
import { buildWebviewBundle, openBrowser, ROOT, TEST_OUTPUT, type Browser } from '../vscode/panel/fixtures';

declare const document: any;
declare const window: any;

let tmp: string;
let browser: Browser;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-outage-panel-'));
  await buildWebviewBundle();
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('an outage shows as a card and a table; held-back requests as a line of the errors chart', async () => {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":{"message":"slow down"}}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const dir = path.join(tmp, 'run');
  const h = await startRun(plan({ target: { kind: 'url', url }, model: 'm', load: { kind: 'users', users: 3, duration_ms: 2000 } }), { outDir: dir, workers: 1 });
  const { summary } = await h.done;
  server.close();
  const series = JSON.parse(fs.readFileSync(path.join(dir, 'series.json'), 'utf8')) as SeriesRow[];
  assert.equal(summary.outages?.length, 1);
  const o = summary.outages![0]!;
  assert.ok(errorLines(series).some((l) => l.label === 'held back'), 'the errors chart gets a held-back line');

  const nonce = 'TESTNONCE123';
  const dist = path.join(ROOT, 'dist', 'webview');
  let html = panelHtml({ cspSource: 'file:', scriptUri: pathToFileURL(path.join(dist, 'app.js')).href, styleUri: pathToFileURL(path.join(dist, 'app.css')).href, nonce });
  const fake = `<script nonce="${nonce}">window.acquireVsCodeApi = () => ({ postMessage: () => {}, getState: () => null, setState: () => {} });</script>`;
  html = html.replace('<script nonce=', `${fake}\n<script nonce=`);
  const file = path.join(tmp, 'panel.html');
  fs.writeFileSync(file, html);
  const { page, errors } = browser;
  await page.goto(pathToFileURL(file).href);
  const snapshot: PanelSnapshot = {
    key: dir,
    scenario: 'outage',
    file: '',
    runDir: dir,
    state: 'finished',
    progress: null,
    series,
    summary,
    requests_total: summary.requests.total,
    buckets: [],
    interactive: false,
  };
  await page.waitForFunction(() => typeof window.postMessage === 'function');
  await page.evaluate((m) => window.postMessage(m, '*'), { type: 'snapshot', snapshot } as unknown as Record<string, unknown>);
  await page.waitForSelector('[data-card="outages"]');
  assert.equal(await page.locator('[data-card="outages"] .card-value').textContent(), '1');
  assert.match((await page.locator('[data-card="outages"] .card-label').textContent()) ?? '', new RegExp(`outages · [\\d.]+ s down · ${summary.outage_totals!.held_back} held back`));
  await page.evaluate((m) => window.postMessage(m, '*'), { type: 'show', tab: 'tables' } as unknown as Record<string, unknown>);
  await page.waitForSelector('vscode-table[data-table="outages"]');
  const tableText = await page.evaluate(() => document.querySelector('vscode-table[data-table="outages"]').textContent as string);
  assert.match(tableText, /\(run end\)/, 'not recovered: it ended with the run');
  assert.match(tableText, new RegExp(`http_429 ${o.kinds.http_429}`));
  fs.mkdirSync(TEST_OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'panel-outage.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
