/**
 * The HTML report as a reader opens it outside VS Code: it follows the viewer's light or dark
 * preference, carries the run's verdict with each expectation's actual value, and its text keeps
 * WCAG AA contrast against its background in both schemes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runReport } from '../../src/cli/report';
import { startRun } from '../../src/core/run/runner';
import { plan } from '../helpers/plans';
import { buildWebviewBundle, openBrowser, TEST_OUTPUT, type Browser } from '../vscode/panel/fixtures';

declare const document: any;
declare function getComputedStyle(e: unknown): any;

let tmp: string;
let file: string;
let browser: Browser;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-report-theme-'));
  await buildWebviewBundle();
  const p = plan({ load: { kind: 'users', users: 2, duration_ms: 1200 } });
  p.expectations = [{ text: 'success >= 50%', metric: 'success', op: '>=', value: 0.5 } as (typeof p.expectations)[number]];
  const handle = await startRun(p, { outDir: path.join(tmp, 'run') });
  const result = await handle.done;
  file = path.join(tmp, 'report.html');
  assert.equal(await runReport([result.dir, '--html', file], { out: () => undefined, err: () => undefined }), 0);
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Relative luminance contrast of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
  return (x! + 0.05) / (y! + 0.05);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`the report in a ${scheme} viewer: its colours, the verdict, readable text`, async () => {
    const { page } = browser;
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('.run-header .verdict');
    // (No named helpers inside evaluate: the test bundler would wrap them in a function the page lacks.)
    const colors = await page.evaluate(() => ({
      bg: getComputedStyle(document.body).backgroundColor,
      text: getComputedStyle(document.querySelector('.run-header h2')).color,
      muted: getComputedStyle(document.querySelector('.run-header .muted')).color,
      verdict: getComputedStyle(document.querySelector('.run-header .verdict-line')).color,
      badge: getComputedStyle(document.querySelector('.run-header .verdict-badge')).color,
      tab: getComputedStyle(document.querySelector('vscode-tab-header[data-tab="live"]')).getPropertyValue('--vscode-panelTitle-activeForeground').trim(),
    }));
    const bgDark = contrast(colors.bg, 'rgb(0, 0, 0)') < contrast(colors.bg, 'rgb(255, 255, 255)');
    assert.equal(bgDark, scheme === 'dark', `${scheme}: background ${colors.bg}`);
    for (const [what, c] of Object.entries({ text: colors.text, muted: colors.muted, verdict: colors.verdict, badge: colors.badge })) {
      const ratio = contrast(c, colors.bg);
      assert.ok(ratio >= 4.5, `${scheme}: ${what} ${c} on ${colors.bg} is ${ratio.toFixed(2)}:1`);
    }
    assert.equal(colors.tab, scheme === 'light' ? '#1f1f1f' : '#e7e7e7', 'the tabs follow the scheme too');
    const header = await page.locator('.run-header').innerText();
    assert.match(header, /PASS/);
    assert.match(header, /success >= 50%\s+actual [\d.]+%/);
    fs.mkdirSync(TEST_OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(TEST_OUTPUT, `report-${scheme}.png`) });
  });
}
