/**
 * The panel's own page (its HTML, CSP and app bundle) in headless Chromium, wired to the panel's
 * host model through a stand-in for acquireVsCodeApi: live deltas from a real run fill the charts,
 * a request opens its timeline, a reload restores the view from its saved state, light and dark
 * themes render, and script payloads in a run stay text.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HostToView, ViewState } from '../../src/core/messages';
import { startRun } from '../../src/core/run/runner';
import { jsonForScript } from '../../src/core/viewmodel/escape';
import { panelHtml } from '../../src/extension/panel/panel-html';
import { PanelModel } from '../../src/extension/panel/panel-model';
import { plan } from '../helpers/plans';
import { buildWebviewBundle, canvasDrawn, openBrowser, ROOT, TEST_OUTPUT, writeXssRun, XSS, type Browser } from '../vscode/panel/fixtures';

// Browser globals inside page.evaluate callbacks (the project's tsconfig has no DOM typings).
declare const document: any;
declare const window: any;
declare function getComputedStyle(e: unknown): any;

let tmp: string;
let browser: Browser;
let model: PanelModel;
let ready = false;
const posted: HostToView[] = [];
const saved: { state: ViewState | null } = { state: null };

async function post(m: HostToView): Promise<void> {
  posted.push(m);
  await browser.page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>);
}

/** Loads the panel page as VS Code would, with `state` as what getState() returns. */
async function load(state: ViewState | null): Promise<void> {
  ready = false;
  const nonce = 'TESTNONCE123';
  const dist = path.join(ROOT, 'dist', 'webview');
  let html = panelHtml({ cspSource: 'file:', scriptUri: pathToFileURL(path.join(dist, 'app.js')).href, styleUri: pathToFileURL(path.join(dist, 'app.css')).href, nonce });
  const fake = `<script nonce="${nonce}">window.__state = ${jsonForScript(state)};
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(JSON.stringify(m)), getState: () => window.__state, setState: (s) => { window.__state = s; window.__saveState(JSON.stringify(s)); } });</script>`;
  html = html.replace('<script nonce=', `${fake}\n<script nonce=`);
  const file = path.join(tmp, 'panel.html');
  fs.writeFileSync(file, html);
  await browser.page.goto(pathToFileURL(file).href);
  await browser.page.waitForFunction(() => document.querySelector('[data-card]') !== null || document.querySelector('.run-header h2') !== null);
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-panel-'));
  await buildWebviewBundle();
  browser = await openBrowser();
  await browser.page.exposeFunction('__toHost', (json: string) => {
    const m = JSON.parse(json);
    if (m.type === 'ready') ready = true;
    void model.answer(m).then((a) => (a ? post(a) : undefined)).catch((e: unknown) => browser.errors.push(`host: ${String(e)}`));
  });
  await browser.page.exposeFunction('__saveState', (json: string) => void (saved.state = JSON.parse(json)));
});

after(async () => {
  await browser?.close();
});

test('a run fills the panel live, a request opens its timeline, and a reload restores the view', async () => {
  const { page, errors, blocked } = browser;
  model = new PanelModel('/work/quickstart.llmload', 'quickstart', '/work/quickstart.llmload');
  await load(null);
  await page.waitForSelector('[data-state="idle"]');
  const handle = await startRun(plan({ load: { kind: 'step', start: 2, add: 2, every_ms: 500, max: 6, hold_ms: 3000 }, trace: { mode: 'all' } }), {
    outDir: path.join(tmp, 'run'),
    onLive: (d) => {
      const due = model.live(d, Date.now());
      if (due && ready) void post(model.liveMessage(due));
    },
  });
  model.startRun(handle.dir);
  await post({ type: 'snapshot', snapshot: model.current() });
  await page.waitForSelector('[data-state="running"]');
  // While the run goes: requests counted and the latency chart drawn, before the summary exists.
  await page.waitForFunction(() => Number(document.querySelector('[data-card="requests"] .card-value')?.textContent) >= 3, null, { timeout: 20_000 });
  await page.waitForFunction(() => (document.querySelector('[data-card="ttft"] .card-value')?.textContent ?? '-') !== '-');
  assert.equal(await page.locator('[data-state="running"]').count(), 1, 'still running');
  assert.ok(await canvasDrawn(page, 'canvas[data-chart="latency"]'));
  const liveBefore = posted.filter((m) => m.type === 'live').length;
  assert.ok(liveBefore >= 2, `live messages: ${liveBefore}`);
  fs.mkdirSync(TEST_OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'panel-live-dark.png'), fullPage: true });

  const result = await handle.done;
  model.finishRun(result.summary);
  await post({ type: 'snapshot', snapshot: model.current() });
  await page.waitForSelector('[data-state="finished"]');
  assert.equal(await page.locator('[data-card="requests"] .card-value').textContent(), String(result.summary.requests.total));
  // Batching: far fewer messages than requests and packets.
  const live = posted.filter((m) => m.type === 'live');
  const seconds = result.summary.duration_s;
  assert.ok(live.length <= Math.ceil(seconds * 10) + 2, `${live.length} live messages in ${seconds}s`);

  await page.click('vscode-tab-header[data-tab="requests"]');
  await page.waitForSelector('vscode-table-row[data-request]');
  const pager = (await page.locator('[data-info="pager"]').textContent()) ?? '';
  assert.match(pager, new RegExp(`of ${result.summary.requests.total} requests`));
  const first = await page.locator('vscode-table-row[data-request]').first().getAttribute('data-request');
  await page.click(`vscode-table-row[data-request="${first}"]`);
  await page.waitForSelector('.timeline-svg rect.band-thinking');
  assert.equal(await page.locator('.timeline-svg rect.band-answer').count(), 1);
  assert.equal(await page.locator('.timeline-svg [data-marker="ttft"]').count(), 1);
  assert.equal(await page.locator('.timeline-svg [data-marker="ttfa"]').count(), 1);
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'panel-timeline-dark.png'), fullPage: true });

  // The window reloads: the view comes back from its saved state (tab, selected request) and the snapshot.
  await page.waitForFunction((id) => (window as unknown as { __state?: ViewState }).__state?.selected === Number(id), first);
  const state = saved.state!;
  assert.equal(state.tab, 'requests');
  assert.equal(state.key, '/work/quickstart.llmload');
  assert.equal(state.runDir, handle.dir);
  const restored = new PanelModel(state.key, 'quickstart', state.key);
  await restored.loadRun(state.runDir!);
  model = restored;
  await load(state);
  await page.waitForSelector('[data-state="finished"]');
  await page.waitForSelector('.timeline-svg rect.band-thinking');
  assert.match((await page.locator('.timeline-title').textContent()) ?? '', new RegExp(`Request #${first}\\b`));

  // Light theme: VS Code rewrites the variables; the view re-reads them.
  await page.evaluate(() => {
    const s = document.documentElement.style;
    const light: Record<string, string> = { '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171', '--vscode-editorWidget-border': '#c8c8c8', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-purple': '#652d90', '--vscode-charts-green': '#388a34', '--vscode-charts-red': '#e51400', '--vscode-charts-orange': '#d18616', '--vscode-textCodeBlock-background': '#f0f0f0', '--vscode-list-activeSelectionBackground': '#e4e6f1' };
    for (const [k, v] of Object.entries(light)) s.setProperty(k, v);
    document.body.className = 'vscode-light';
  });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
  assert.equal(await page.locator('.timeline-svg rect.band-thinking').getAttribute('fill'), '#652d9029', 'timeline recoloured from the theme');
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'panel-timeline-light.png'), fullPage: true });
  await page.click('vscode-tab-header[data-tab="live"]');
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'panel-live-light.png'), fullPage: true });
  assert.deepEqual(blocked, []);
  assert.deepEqual(errors, []);
});

test('the panel renders payloads from a run as text: nothing runs, no console error', async () => {
  const { page, errors, dialogs } = browser;
  const dir = writeXssRun(path.join(tmp, 'xss'));
  model = new PanelModel(dir, 'xss', '');
  await model.loadRun(dir);
  await load(null);
  await page.waitForSelector('[data-state="finished"]');
  await page.click('vscode-tab-header[data-tab="tables"]');
  await page.waitForSelector('vscode-table[data-table="errors"]');
  await page.click('vscode-tab-header[data-tab="requests"]');
  for (const id of [1, 0]) {
    await page.click(`vscode-table-row[data-request="${id}"]`);
    await page.waitForSelector(`.timeline-title:has-text("Request #${id} ·")`);
  }
  assert.ok(((await page.locator('pre.answer-text').textContent()) ?? '').includes(XSS.link));
  assert.ok(((await page.locator('table.headers').first().textContent()) ?? '').includes('onerror'));
  assert.equal(await page.evaluate(() => (window as { __xss?: unknown }).__xss), undefined);
  assert.deepEqual(dialogs, []);
  assert.equal(await page.locator('img, a[href], iframe, object, embed').count(), 0);
  assert.deepEqual(errors, []);
});

test('compare from the panel: pick a baseline, see signed deltas with verdicts and overlaid charts', async () => {
  const { page, errors } = browser;
  // Two runs side by side in one results folder: the live run of the first test and a copy with slower TTFT.
  const runs = path.join(tmp, 'runs');
  fs.mkdirSync(runs, { recursive: true });
  const b = path.join(runs, '20261128T020000Z-b');
  const a = path.join(runs, '20261128T010000Z-a');
  fs.cpSync(path.join(tmp, 'run'), b, { recursive: true });
  fs.cpSync(path.join(tmp, 'run'), a, { recursive: true });
  const sumA = JSON.parse(fs.readFileSync(path.join(a, 'summary.json'), 'utf8'));
  sumA.histograms = {};
  for (const k of ['p50', 'p90', 'p95', 'p99', 'max', 'mean']) sumA.ttft_ms[k] *= 2;
  fs.writeFileSync(path.join(a, 'summary.json'), JSON.stringify(sumA));
  model = new PanelModel('/work/quickstart.llmload', 'quickstart', '/work/quickstart.llmload');
  await model.loadRun(b);
  await load(null);
  await page.waitForSelector('[data-state="finished"]');
  await page.click('vscode-button[data-action="compare"]');
  await page.waitForSelector('select[data-compare="run"]');
  assert.deepEqual(await page.$$eval('select[data-compare="run"] option', (os) => os.map((o) => (o as unknown as { value: string }).value)), [a]);
  await page.click('vscode-button[data-action="run-compare"]');
  await page.waitForSelector('vscode-table[data-table="compare"]');
  const ttft = await page.$$eval('vscode-table[data-table="compare"] vscode-table-row', (rows) =>
    rows.map((r) => ({ figure: r.getAttribute('data-figure'), cls: r.className as string, cells: [...r.children].map((c) => c.textContent ?? '') })).filter((r) => r.figure === 'ttft p95'),
  );
  assert.equal(ttft.length, 1);
  assert.equal(ttft[0]!.cells[0], 'Time to first token, p95', 'a readable figure name');
  assert.match(ttft[0]!.cells[4]!, /^-\d+\.\d%$/, 'B is faster than A');
  assert.equal(ttft[0]!.cells[5], 'better');
  assert.match(ttft[0]!.cls, /verdict-better/);
  await page.waitForFunction(() => document.querySelectorAll('.compare canvas[data-chart]').length === 3);
  assert.ok(await canvasDrawn(page, '.compare canvas[data-chart="latency"]'));
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'panel-compare-dark.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
