/**
 * The results panel at 300, 600 and 1,200 px in a real workbench, measured from bounding boxes:
 * nothing overflows sideways, every chart shows the whole run (its canvas inside the panel), the
 * Requests table's `#` column is never cut, a click on a request brings its timeline into view, the
 * timeline fits the width and its marker labels do not overlap; the header shows the run's verdict
 * with each expectation's actual value; the Stop button is there while the run goes. Screenshots
 * of each width go to test-output/vscode/screenshots/narrow-*.png.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { openByQuickOpen, poll, runCommand, type UiContext } from '../ui-context';

// Browser globals inside evaluate callbacks (the project's tsconfig has no DOM typings).
declare const document: any;
declare const window: any;

const SCENARIO = `# Written by the narrow-panel UI test.
scenario "Narrow panel"

target builtin:reasoning
api openai-chat
model sim-reasoner
timeout 30s
trace all

load users 4 for 6s

prompt "short question"
  user What is the capital of France?
  max_tokens 64

expect
  success >= 50%
  ttft p95 < 30s
`;

function panel(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').first().frameLocator('iframe#active-frame');
}

/** Sizes the browser so that the panel's webview is `width` px wide (the panel's group maximized, no side bar). */
async function panelWidth(page: Page, width: number): Promise<number> {
  const frame = page.locator('iframe.webview').first();
  for (let i = 0; i < 4; i++) {
    const box = await frame.boundingBox();
    const vp = page.viewportSize()!;
    if (box && Math.abs(box.width - width) <= 2) return box.width;
    const chrome = box ? vp.width - box.width : 60;
    await page.setViewportSize({ width: Math.round(width + chrome), height: 900 });
    await page.waitForTimeout(700);
  }
  const box = await frame.boundingBox();
  return box?.width ?? 0;
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export default async function (ctx: UiContext): Promise<void> {
  const { page } = ctx;
  writeFileSync(path.join(ctx.workspace, 'narrow.llmload'), SCENARIO);
  await openByQuickOpen(page, 'narrow.llmload');
  await runCommand(page, 'llmload: Run Scenario');
  const view = panel(page);
  await poll('the results panel', async () => (await page.locator('iframe.webview').count()) > 0, 30_000);
  await view.locator('[data-state="running"]').waitFor({ timeout: 30_000 });
  assert.equal(await view.locator('vscode-button[data-action="stop"]').count(), 1, 'a Stop button while the run goes');
  await view.locator('[data-state="finished"]').waitFor({ timeout: 60_000 });
  assert.equal(await view.locator('vscode-button[data-action="stop"]').count(), 0, 'no Stop button after the run');

  // The verdict, with each expectation's actual value, in the header.
  const verdict = view.locator('.run-header .verdict');
  await verdict.waitFor({ timeout: 10_000 });
  assert.equal(await verdict.getAttribute('data-verdict'), 'pass');
  const verdictText = await verdict.innerText();
  assert.match(verdictText, /PASS/);
  assert.match(verdictText, /success >= 50%\s+actual [\d.]+%/);
  assert.match(verdictText, /ttft p95 < 30s\s+actual [\d.]+m?s/);
  await page.locator('.statusbar-item', { hasText: 'llmload PASS' }).first().waitFor({ timeout: 10_000 });

  // The panel alone in the editor area, no side bar: its width is set by the browser's.
  await runCommand(page, 'View: Close Primary Side Bar');
  await page.waitForTimeout(500);
  await runCommand(page, 'View: Close All Editors');
  await poll('no editor open', async () => (await page.locator('.tab').count()) === 0, 15_000);
  // Open Results shows the last run in its panel, now the only editor.
  await runCommand(page, 'llmload: Open Results');
  await poll('the panel alone in the editor area', async () => (await page.locator('iframe.webview').count()) > 0 && (await page.locator('.tab').count()) === 1, 30_000);
  await view.locator('[data-state="finished"]').waitFor({ timeout: 30_000 });

  for (const target of [300, 600, 1200]) {
    const actual = await panelWidth(page, target);
    ctx.log(`panel width ${actual.toFixed(0)} px (asked ${target})`);
    assert.ok(Math.abs(actual - target) <= 4, `the panel is ${target} px wide: ${actual}`);
    await view.locator('vscode-tab-header[data-tab="live"]').click();
    await page.waitForTimeout(600);
    const live = await view.locator('body').evaluate(() => {
      // No named helpers in here: the bundler would wrap them in a function the page does not have.
      const root = document.documentElement;
      return {
        width: root.clientWidth,
        scrollWidth: root.scrollWidth,
        charts: [...document.querySelectorAll('canvas[data-chart]')].map((c: any) => {
          const r = c.getBoundingClientRect();
          return { id: c.dataset.chart, box: { left: r.left, right: r.right, top: r.top, bottom: r.bottom }, w: c.width };
        }),
      };
    });
    assert.ok(live.scrollWidth <= live.width + 1, `${target}px: nothing overflows sideways (${live.scrollWidth} > ${live.width})`);
    assert.ok(live.charts.length >= 3, 'the live charts are there');
    for (const c of live.charts as { id: string; box: Box; w: number }[]) {
      assert.ok(c.box.left >= 0 && c.box.right <= live.width + 1, `${target}px: chart ${c.id} fits (${c.box.left}-${c.box.right} of ${live.width})`);
      assert.ok(c.w > 0, `chart ${c.id} is drawn`);
    }
    await ctx.screenshot(`${target}-1-live`);

    await view.locator('vscode-tab-header[data-tab="requests"]').click();
    await view.locator('vscode-table-row[data-request]').first().waitFor({ timeout: 15_000 });
    // `#` is never cut: every id cell shows its whole number.
    const ids = await view.locator('vscode-table-cell[data-column="id"]').evaluateAll((cells: any[]) => cells.map((c) => ({ text: c.textContent, fits: c.scrollWidth <= c.clientWidth + 1, w: c.clientWidth })));
    assert.ok(ids.length > 0);
    for (const id of ids) assert.ok(id.fits, `${target}px: #${id.text} fits its cell (${id.w}px)`);
    const requestsOverflow = await view.locator('body').evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(requestsOverflow <= 1, `${target}px: the Requests tab does not overflow sideways (${requestsOverflow}px)`);
    // Click a request further down the page: its timeline comes into view.
    const rows = view.locator('vscode-table-row[data-request]');
    const n = await rows.count();
    await rows.nth(Math.min(n - 1, 12)).click();
    await view.locator('.timeline-svg').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(400);
    const tl = await view.locator('body').evaluate(() => {
      const svg = document.querySelector('.timeline-svg');
      const r = svg.getBoundingClientRect();
      const labels = [...document.querySelectorAll('.timeline-svg [data-marker-label]')].map((t: any) => {
        const b = t.getBoundingClientRect();
        return { id: t.dataset.markerLabel, text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom };
      });
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, vh: window.innerHeight, vw: document.documentElement.clientWidth, labels };
    });
    assert.ok(tl.top >= -1 && tl.top < tl.vh - 40, `${target}px: the timeline is in view after the click (top ${tl.top} of ${tl.vh})`);
    assert.ok(tl.left >= 0 && tl.right <= tl.vw + 1, `${target}px: the timeline fits the width (${tl.left}-${tl.right} of ${tl.vw})`);
    assert.ok(tl.labels.length >= 4, `marker labels: ${tl.labels.map((l: { text: string }) => l.text).join(', ')}`);
    for (let i = 0; i < tl.labels.length; i++)
      for (let j = i + 1; j < tl.labels.length; j++) {
        const a = tl.labels[i]!;
        const b = tl.labels[j]!;
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        assert.ok(apart, `${target}px: "${a.text}" and "${b.text}" overlap`);
        assert.ok(a.left >= tl.left - 1 && a.right <= tl.right + 1, `${target}px: "${a.text}" inside the timeline`);
      }
    ctx.log(`${target}px: ${ids.length} rows, timeline ${Math.round(tl.right - tl.left)} px, labels ${tl.labels.map((l: { text: string }) => l.text).join(' | ')}`);
    await ctx.screenshot(`${target}-2-timeline`);
    await view.locator('vscode-tab-header[data-tab="requests"]').scrollIntoViewIfNeeded();
  }

  // A second run, longer, stopped with the panel's own Stop button: STOPPED, never PASS.
  writeFileSync(path.join(ctx.workspace, 'narrow.llmload'), SCENARIO.replace('load users 4 for 6s', 'load users 4 for 60s'));
  await openByQuickOpen(page, 'narrow.llmload');
  await poll('the longer load in the editor', async () => /for\s60s/.test(await page.locator('.monaco-editor .view-lines').first().innerText()), 15_000);
  await runCommand(page, 'llmload: Run Scenario');
  await view.locator('[data-state="running"]').waitFor({ timeout: 30_000 });
  await poll('requests in the second run', async () => Number(await view.locator('[data-card="requests"] .card-value').innerText({ timeout: 2000 })) > 0, 30_000);
  await view.locator('vscode-button[data-action="stop"]').click();
  const stopped = view.locator('.run-header .verdict[data-verdict="stopped"]');
  await stopped.waitFor({ timeout: 20_000 });
  const stoppedText = await view.locator('.run-header').innerText();
  assert.match(stoppedText, /STOPPED/);
  assert.match(stoppedText, /stopped after [\d.]+s of 60s: expectations not judged/);
  assert.match(stoppedText, /success >= 50%\s+actual [\d.]+%\s*\(not judged\)/);
  assert.doesNotMatch(stoppedText, /PASS|hold/);
  await page.locator('.statusbar-item', { hasText: 'llmload STOPPED' }).first().waitFor({ timeout: 10_000 });
  await ctx.screenshot('stopped');

  // Compare at 300 px: the two runs' difference (how each ended) and the noise band are said; figure names are whole.
  await runCommand(page, 'View: Close Primary Side Bar').catch(() => undefined);
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'llmload: Open Results');
  await view.locator('[data-state="finished"]').waitFor({ timeout: 30_000 });
  await panelWidth(page, 300);
  await view.locator('vscode-tab-header[data-tab="compare"]').click();
  const pick = view.locator('select[data-compare="run"]');
  await pick.waitFor({ timeout: 15_000 });
  await view.locator('vscode-button[data-action="run-compare"]').click();
  await view.locator('[data-table="compare"] vscode-table-row').first().waitFor({ timeout: 15_000 });
  await page.waitForTimeout(400);
  const cmp = await view.locator('.comparison').evaluate((box: any) => ({
    text: box.innerText,
    figures: [...box.querySelectorAll('[data-table="compare"] vscode-table-cell[data-column="figure"]')].map((c: any) => ({ text: c.textContent, fits: c.scrollWidth <= c.clientWidth + 1 })),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  }));
  assert.ok(cmp.overflow <= 1, `Compare at 300 px does not overflow sideways (${cmp.overflow}px)`);
  assert.match(cmp.text, /ended by: A (stopped|completed) → B (completed|stopped)/);
  assert.match(cmp.text, /load: A 4 users for (6s|1m) → B 4 users for (1m|6s)/);
  assert.match(cmp.text, /Noise: changes within ±\d+%/);
  assert.ok(cmp.figures.some((f: { text: string }) => f.text === 'Time to first token, p95'), cmp.figures.map((f: { text: string }) => f.text).join(' | '));
  for (const f of cmp.figures) assert.ok(f.fits, `the figure name "${f.text}" is whole at 300 px`);
  assert.doesNotMatch(cmp.text, /ttft…/);
  await ctx.screenshot('300-3-compare');
}
