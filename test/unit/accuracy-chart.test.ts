/**
 * The accuracy chart (docs/accuracy.md): its points from summary.accuracy.by_time, and, in headless
 * Chromium, the HTML report (the same app as the panel) showing it in the Live chart grid for a
 * graded step-load run and not for an ungraded one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRun } from '../../src/core/run/runner';
import { runReport } from '../../src/cli/report';
import { arithmeticPrompts } from '../../src/core/grade/arithmetic';
import { accuracyChartData } from '../../src/core/viewmodel/accuracy-series';
import type { AccuracySlice, AccuracySummary } from '../../src/core/grade/accuracy';
import type { Summary } from '../../src/core/metrics/summary';
import { plan } from '../helpers/plans';
import { buildWebviewBundle, openBrowser, TEST_OUTPUT, type Browser } from '../vscode/panel/fixtures';

const FAST = 'chat?decode_tokens_per_s=2000&overhead_ms=1&accuracy=0.7';

function slice(from_s: number, to_s: number, correct: number, graded: number, users?: number): AccuracySlice {
  return { from_s, to_s, graded, correct, wrong: graded - correct, unparsed: 0, value: graded ? correct / graded : null, ci95: graded ? [correct / graded - 0.1, correct / graded + 0.05] : null, ...(users !== undefined ? { users } : {}) };
}

function summaryOf(by_time: AccuracySlice[]): AccuracySummary {
  const graded = by_time.reduce((s, x) => s + x.graded, 0);
  const correct = by_time.reduce((s, x) => s + x.correct, 0);
  return { graded, correct, wrong: graded - correct, unparsed: 0, value: graded ? correct / graded : null, ci95: graded ? [0.5, 0.9] : null, failed_ungraded: 0, by_bucket: {}, by_subject: {}, by_level: {}, by_prompt: {}, by_time, slice_s: 5 };
}

test('accuracyChartData: one flat segment per load step in percent, its interval, and the planned users', () => {
  const d = accuracyChartData(summaryOf([slice(0, 5, 8, 10, 2), slice(5, 10, 6, 10, 4)]))!;
  assert.equal(d.title, 'Accuracy per load step');
  assert.equal(d.slices, 2);
  assert.deepEqual(d.accuracy, [
    { x: 0, y: 80 },
    { x: 5, y: 80 },
    { x: 5, y: 60 },
    { x: 10, y: 60 },
  ]);
  assert.ok(Math.abs(d.ciLow[0]!.y - 70) < 1e-9 && Math.abs(d.ciHigh[3]!.y - 65) < 1e-9);
  assert.deepEqual(d.users, [
    { x: 0, y: 2 },
    { x: 5, y: 2 },
    { x: 5, y: 4 },
    { x: 10, y: 4 },
  ]);
});

test('accuracyChartData: time slices without users; a slice with nothing graded is a gap; nothing for ungraded runs', () => {
  const d = accuracyChartData(summaryOf([slice(0, 2, 1, 2), slice(2, 4, 0, 0), slice(4, 6, 2, 2)]))!;
  assert.equal(d.title, 'Accuracy over time');
  assert.equal(d.users, null);
  assert.equal(d.slices, 2);
  assert.deepEqual(
    d.accuracy.map((p) => [p.x, p.y]),
    [
      [0, 50],
      [2, 50],
      [3, NaN],
      [4, 100],
      [6, 100],
    ],
  );
  assert.equal(accuracyChartData(undefined), null);
  assert.equal(accuracyChartData(null), null);
  assert.equal(accuracyChartData(summaryOf([])), null);
  assert.equal(accuracyChartData(summaryOf([slice(0, 2, 0, 0)])), null);
});

let tmp: string;
let browser: Browser;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-acc-chart-'));
  await buildWebviewBundle();
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function report(name: string, over: Parameters<typeof plan>[0]): Promise<{ file: string; summary: Summary }> {
  const result = await (await startRun(plan({ target: { kind: 'builtin', profile: FAST }, model: 'sim-chat', ...over }), { outDir: path.join(tmp, name) })).done;
  assert.equal(result.error, undefined);
  const file = path.join(tmp, `${name}.html`);
  assert.equal(await runReport([result.dir, '--html', file], { out: () => {}, err: () => {} }), 0);
  return { file, summary: result.summary };
}

test('the report of a graded step-load run has the accuracy chart in the Live grid; an ungraded run has none', async () => {
  const prompts = arithmeticPrompts({ kind: 'arithmetic', name: 'arithmetic', weight: 1, count: 40, levels: { min: 1, max: 4 }, seed: 1, params: {} });
  const graded = await report('graded', { prompts, load: { kind: 'step', start: 1, add: 1, every_ms: 400, max: 3, hold_ms: 400 } });
  const acc = graded.summary.accuracy!;
  assert.ok(acc && acc.graded > 0);
  const withValues = acc.by_time.filter((s) => s.value !== null).length;
  assert.ok(withValues >= 2, `${withValues} load steps with graded answers`);
  assert.ok(acc.by_time.every((s) => s.users !== undefined));

  const { page, errors } = browser;
  await page.goto(pathToFileURL(graded.file).href);
  await page.waitForSelector('.chart-grid canvas[data-chart="latency"]');
  await page.waitForSelector('.chart-grid[data-view="live"] canvas[data-chart="accuracy"]');
  const chart = page.locator('canvas[data-chart="accuracy"]');
  assert.equal(await chart.count(), 1);
  assert.equal(await chart.getAttribute('aria-label'), 'Accuracy per load step');
  assert.equal(await chart.getAttribute('data-slices'), String(withValues));
  // drawn, at the grid's size, after the grid's own charts
  const box = await chart.boundingBox();
  assert.ok(box && box.width > 100 && box.height > 100, `chart box ${JSON.stringify(box)}`);
  assert.equal(await page.locator('.chart-grid[data-view="live"] > .chart:last-child canvas').getAttribute('data-chart'), 'accuracy');
  fs.mkdirSync(TEST_OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'report-accuracy-chart.png'), fullPage: true });

  const ungraded = await report('ungraded', { stop: { after_requests: 12 }, load: { kind: 'users', users: 2, duration_ms: 60_000 } });
  assert.equal(ungraded.summary.accuracy, undefined);
  await page.goto(pathToFileURL(ungraded.file).href);
  await page.waitForSelector('.chart-grid canvas[data-chart="latency"]');
  assert.equal(await page.locator('canvas[data-chart="accuracy"]').count(), 0);
  assert.equal(await page.locator('[data-card="accuracy"]').count(), 0);
  assert.deepEqual(errors, []);
});
