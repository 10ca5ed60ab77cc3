import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRun } from '../../src/core/run/runner';
import { runReport } from '../../src/cli/report';
import { inlineScript, renderReportHtml } from '../../src/core/report/html';
import { buildReportData } from '../../src/core/report/report-data';
import { plan } from '../helpers/plans';
import { ALL_XSS, buildWebviewBundle, canvasDrawn, openBrowser, TEST_OUTPUT, writeXssRun, XSS, type Browser } from '../vscode/panel/fixtures';

// Browser globals inside page.evaluate callbacks (the project's tsconfig has no DOM typings).
declare const document: any;
declare const window: any;

let tmp: string;
let runDir: string;
let browser: Browser;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-report-'));
  await buildWebviewBundle();
  // A real run against the built-in reasoning simulator: thinking and answer phases, every request traced.
  const handle = await startRun(plan({ load: { kind: 'step', start: 2, add: 2, every_ms: 500, max: 4, hold_ms: 1500 }, trace: { mode: 'all' } }), { outDir: path.join(tmp, 'run') });
  const result = await handle.done;
  assert.equal(result.error, undefined);
  runDir = result.dir;
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
});

test('llmload report writes one self-contained file: the app and chart.js inlined, a strict CSP, no external reference', async () => {
  const file = path.join(tmp, 'report.html');
  const x = io();
  assert.equal(await runReport([runDir, '--html', file], x.io), 0, x.err.join('\n'));
  assert.match(x.out[0]!, /report: .*report\.html \(\d+ requests, \d+ traced\)/);
  const html = fs.readFileSync(file, 'utf8');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-[^&]+&#39;; style-src &#39;nonce-/);
  // The markup outside the inline script and style bodies references nothing.
  const markup = html.replace(/(<script[^>]*>)[\s\S]*?<\/script>/g, '$1</script>').replace(/(<style[^>]*>)[\s\S]*?<\/style>/g, '$1</style>');
  assert.ok(!/<script[^>]+src=/i.test(markup), 'no external script');
  assert.ok(!/<link\b/i.test(markup), 'no external stylesheet');
  assert.ok(!/(src|href)=["']?(https?:|\/\/)/i.test(markup), 'no URL');
  assert.ok(/min-max/.test(html) && /decimation/.test(html), 'chart.js (with its decimation plugin) is inlined');
  assert.equal((html.match(/<script/g) ?? []).length, 2, 'the data element and the app');
});

test('the report opens in headless Chromium with the network blocked: charts drawn, timeline with phases, no console error', async () => {
  const file = path.join(tmp, 'report.html');
  if (!fs.existsSync(file)) assert.equal(await runReport([runDir, '--html', file], io().io), 0);
  const { page, errors, blocked } = browser;
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('canvas[data-chart="latency"]');
  // The five client charts and, for a builtin target (its /metrics is scraped), the server's running/waiting chart.
  assert.equal(await page.locator('canvas[data-chart]').count(), 6);
  await page.waitForFunction(() => document.querySelectorAll('canvas[data-chart]').length === 6);
  for (const id of ['latency', 'rate', 'throughput', 'load', 'server_requests']) assert.ok(await canvasDrawn(page, `canvas[data-chart="${id}"]`), `${id} chart drawn`);
  assert.match((await page.locator('[data-card="requests"] .card-value').textContent()) ?? '', /^[1-9]\d*$/);
  fs.mkdirSync(TEST_OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'report-live.png'), fullPage: true });

  // A click on a chart lists the requests that ended in that second, slowest TTFT first.
  const chart = (await page.locator('canvas[data-chart="latency"]').boundingBox())!;
  await page.mouse.click(chart.x + chart.width * 0.6, chart.y + chart.height * 0.6);
  await page.waitForSelector('vscode-button[data-action="clear-second"]');
  assert.match((await page.locator('vscode-button[data-action="clear-second"]').textContent()) ?? '', /ended in second \d+/);
  assert.match((await page.locator('vscode-table-header-cell[data-sort="ttft_ms"]').textContent()) ?? '', /▼/);
  await page.click('vscode-button[data-action="clear-second"]');
  await page.waitForFunction(() => !document.querySelector('vscode-button[data-action="clear-second"]'));

  await page.click('vscode-tab-header[data-tab="tables"]');
  await page.waitForSelector('vscode-table[data-table="percentiles"]');
  assert.match((await page.locator('vscode-table[data-table="percentiles"]').textContent()) ?? '', /TTFT[\s\S]*token rate/);

  await page.click('vscode-tab-header[data-tab="requests"]');
  await page.waitForSelector('vscode-table-row[data-request]');
  // Sort by TTFT, slowest first, then open the first request: two clicks from the table to its packets.
  // (A new sort column starts descending; e2e first, so TTFT is a new column whatever came before.)
  await page.click('vscode-table-header-cell[data-sort="e2e_ms"]');
  await page.waitForFunction(() => document.querySelector('vscode-table-header-cell[data-sort="e2e_ms"]')?.textContent?.includes('▼'));
  await page.click('vscode-table-header-cell[data-sort="ttft_ms"]');
  await page.waitForFunction(() => document.querySelector('vscode-table-header-cell[data-sort="ttft_ms"]')?.textContent?.includes('▼'));
  const ttfts = await page.$$eval('vscode-table-row[data-request]', (rows) => rows.map((r) => r.children[4]!.textContent ?? ''));
  assert.ok(ttfts.length > 1);
  await page.click('vscode-table-row[data-request]');
  await page.waitForSelector('.timeline-svg');
  assert.equal(await page.locator('.timeline-svg rect.band-thinking').count(), 1, 'thinking band');
  assert.equal(await page.locator('.timeline-svg rect.band-answer').count(), 1, 'answer band');
  for (const m of ['sent', 'first_packet', 'ttft', 'ttfa', 'done']) assert.equal(await page.locator(`.timeline-svg [data-marker="${m}"]`).count(), 1, m);
  assert.ok((await page.locator('.timeline-svg rect.packet-thinking').count()) > 3);
  assert.ok(((await page.locator('pre.answer-text').textContent()) ?? '').length > 0);
  // Hovering a packet shows its time, bytes, kind and text.
  const box = (await page.locator('.timeline-svg rect.packet-answer').first().boundingBox())!;
  await page.mouse.move(box.x + 1, box.y + box.height / 2);
  await page.waitForSelector('.timeline-tip:not([hidden])');
  assert.match((await page.locator('.timeline-tip').textContent()) ?? '', /answer at [\d.]+m?s · \d+ bytes/);
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'report-timeline.png'), fullPage: true });
  assert.deepEqual(blocked, [], 'no network request');
  assert.deepEqual(errors, []);
});

test('payloads in answers, thinking, headers, prompts and errors stay text in the report: nothing runs', async () => {
  const dir = writeXssRun(path.join(tmp, 'xss'));
  const file = path.join(tmp, 'xss.html');
  assert.equal(await runReport([dir, '--html', file], io().io), 0);
  const html = fs.readFileSync(file, 'utf8');
  assert.ok(!html.includes(XSS.script), 'the raw payload is not in the markup');
  assert.ok(!html.includes('Bearer sk-should-never-show'), 'secret headers redacted');
  const { page, errors, blocked, dialogs } = browser;
  errors.length = 0;
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('[data-card="requests"]');
  assert.match((await page.locator('.run-header h2').textContent()) ?? '', /<script>window\.__xss/);
  await page.click('vscode-tab-header[data-tab="tables"]');
  await page.waitForSelector('vscode-table[data-table="errors"]');
  assert.ok(((await page.locator('vscode-table[data-table="errors"]').textContent()) ?? '').includes(XSS.img));
  assert.ok(((await page.locator('vscode-table[data-table="buckets"]').textContent()) ?? '').includes('onerror'));
  await page.click('vscode-tab-header[data-tab="requests"]');
  for (const id of [0, 1]) {
    await page.click(`vscode-table-row[data-request="${id}"]`);
    await page.waitForSelector(`.timeline-title:has-text("Request #${id}")`);
  }
  assert.ok(((await page.locator('pre.error-message').textContent()) ?? '').includes(XSS.breakout));
  await page.click('vscode-table-row[data-request="0"]');
  await page.waitForSelector('pre.answer-text');
  assert.ok(((await page.locator('pre.answer-text').textContent()) ?? '').includes(XSS.img));
  assert.ok(((await page.locator('pre.thinking-text').textContent()) ?? '').includes(XSS.script));
  assert.ok(((await page.locator('table.headers').first().textContent()) ?? '').includes('<redacted>'));
  // Hover every packet (the tooltip shows each one's text).
  for (const r of await page.locator('.timeline-svg rect.packet').all()) {
    const b = await r.boundingBox();
    if (b) await page.mouse.move(b.x + 1, b.y + b.height / 2);
  }
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => (window as { __xss?: unknown }).__xss), undefined, 'no payload ran');
  assert.deepEqual(dialogs, []);
  assert.equal(await page.locator('img, a[href], iframe, object, embed').count(), 0, 'no payload became an element');
  assert.deepEqual(blocked, []);
  assert.deepEqual(errors, []);
  assert.ok(ALL_XSS.length > 0);
});

test('inline script text cannot close its element, and the data survives the trip', async () => {
  assert.equal(inlineScript('a="</script><!--"'), 'a="<\\/script<\\!--"'.replace('<\\!--', '><\\!--'));
  const data = await buildReportData(writeXssRun(path.join(tmp, 'xss2')));
  const html = renderReportHtml(data, { appJs: 'void 0', appCss: '' }, 'NONCE');
  const json = /<script type="application\/json" id="llmload-report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(data)));
});

test('llmload report: bad arguments and missing folders exit 2 with a message', async () => {
  const a = io();
  assert.equal(await runReport([runDir], a.io), 2);
  assert.match(a.err[0]!, /--html FILE/);
  const b = io();
  assert.equal(await runReport([path.join(tmp, 'nope'), '--html', path.join(tmp, 'x.html')], b.io), 2);
  assert.match(b.err[0]!, /no such run folder/);
});
