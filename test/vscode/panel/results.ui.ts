/**
 * The results panel in a real workbench: a reasoning scenario run from the palette opens the panel
 * beside the file without taking focus, its charts fill while the run goes, a click on a request
 * opens its timeline with thinking and answer bands and TTFT/TTFA markers, a window reload restores
 * the panel, and screenshots show it in dark and light themes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { openFile, poll, runCommand, type UiContext } from '../ui-context';

// Browser globals inside page.evaluate callbacks (the project's tsconfig has no DOM typings).
declare const document: any;
declare const window: any;
type HTMLCanvasElement = { width: number; height: number; getContext(kind: '2d'): any };

const SCENARIO = `# Written by the panel's UI test: a reasoning model, so the timeline has both phases.
scenario "Panel reasoning"

target builtin:reasoning
api openai-chat
model sim-reasoner
timeout 30s

load step
  start 2 users
  add 2 users every 1s
  max 4 users
  hold 5s

prompt "short question"
  user What is the capital of France?
  max_tokens 96
`;

function panel(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').first().frameLocator('iframe#active-frame');
}

async function canvasDrawn(view: FrameLocator, id: string): Promise<boolean> {
  return view.locator(`canvas[data-chart="${id}"]`).evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const g = canvas.getContext('2d');
    if (!g || !canvas.width || !canvas.height) return false;
    const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    return false;
  });
}

/** Switches the colour theme through the workspace settings and waits for the workbench to repaint in it. */
async function setTheme(page: Page, workspace: string, theme: 'Default Dark Modern' | 'Default Light Modern'): Promise<void> {
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  const file = path.join(workspace, '.vscode', 'settings.json');
  const dark = theme.includes('Dark');
  const painted = async (): Promise<boolean> => page.evaluate((d) => document.querySelector('.monaco-workbench')?.classList.contains(d ? 'vs-dark' : 'vs') === true, dark);
  // code-server's file watcher can miss a write on a busy machine (a fresh-clone CI run waited 30 s
  // for the light theme in vain): the settings are written again, changed by a trailing newline, until the theme shows.
  for (let attempt = 0; attempt < 6; attempt++) {
    writeFileSync(file, JSON.stringify({ 'workbench.colorTheme': theme }, null, 2) + '\n'.repeat(attempt % 2));
    if (await poll(`the ${theme} theme`, painted, 5_000).then(() => true, () => false)) break;
  }
  await poll(`the ${theme} theme`, painted, 1_000);
  await page.waitForTimeout(800);
}

export default async function (ctx: UiContext): Promise<void> {
  const { page } = ctx;
  writeFileSync(path.join(ctx.workspace, 'panel-reasoning.llmload'), SCENARIO);
  await setTheme(page, ctx.workspace, 'Default Dark Modern');
  const listed = async () => (await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'panel-reasoning.llmload' }).count()) > 0;
  if (await poll('the new scenario in the explorer', listed, 8000).catch(() => false)) {
    await openFile(page, 'panel-reasoning.llmload');
  } else {
    // The file watcher can be slow on a busy machine: open it through Quick Open instead.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('panel-reasoning.llmload');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'panel-reasoning.llmload' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'panel-reasoning.llmload' }).waitFor({ timeout: 15_000 });
  }
  // Put the focus in the editor, as a person typing in the scenario has it.
  await page.locator('.monaco-editor .view-lines').first().click();
  await poll('focus in the editor', async () => page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null));
  await runCommand(page, 'llmload: Run Scenario');

  const view = panel(page);
  await poll('the results panel', async () => (await page.locator('iframe.webview').count()) > 0, 30_000);
  await view.locator('[data-state="running"]').waitFor({ timeout: 30_000 });
  // Focus stayed in the editor: the panel opened beside it without taking it.
  const focusInEditor = await page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null);
  assert.ok(focusInEditor, 'the scenario editor keeps the focus');
  assert.equal(await page.locator('.tab.active', { hasText: 'panel-reasoning.llmload' }).count() > 0, true);
  // Live: requests counted and the latency chart drawn while the run still goes.
  await poll('live requests', async () => Number(await view.locator('[data-card="requests"] .card-value').innerText({ timeout: 2000 })) > 0, 30_000);
  await poll('a drawn latency chart', async () => canvasDrawn(view, 'latency'), 15_000);
  assert.equal(await view.locator('[data-state="running"]').count(), 1, 'the charts filled before the run ended');
  await ctx.screenshot('1-live-dark');

  await view.locator('[data-state="finished"]').waitFor({ timeout: 60_000 });
  await ctx.screenshot('2-finished-dark');

  await view.locator('vscode-tab-header[data-tab="requests"]').click();
  await view.locator('vscode-table-row[data-request]').first().click();
  await view.locator('.timeline-svg rect.band-thinking').waitFor({ timeout: 15_000 });
  assert.equal(await view.locator('.timeline-svg rect.band-answer').count(), 1);
  assert.equal(await view.locator('.timeline-svg [data-marker="ttft"]').count(), 1);
  assert.equal(await view.locator('.timeline-svg [data-marker="ttfa"]').count(), 1);
  await view.locator('.timeline-svg').scrollIntoViewIfNeeded();
  await ctx.screenshot('3-timeline-dark');

  // A window reload: the serializer restores the panel, with its tab and selected request.
  await page.reload();
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await poll('the restored panel', async () => (await page.locator('iframe.webview').count()) > 0, 60_000);
  await panel(page).locator('[data-state="finished"]').waitFor({ timeout: 60_000 });
  const restored = await panel(page)
    .locator('body')
    .evaluate(() => {
      const app = (window as unknown as { llmloadApp?: { tab: string; selected: number | null } }).llmloadApp;
      return app ? `${app.tab} ${app.selected}` : 'no app';
    });
  ctx.log(`restored view: tab and selection ${restored}`);
  await panel(page).locator('.timeline-svg rect.band-thinking').waitFor({ timeout: 30_000 });
  await ctx.screenshot('4-restored-dark');

  await setTheme(page, ctx.workspace, 'Default Light Modern');
  await panel(page).locator('.timeline-svg').waitFor({ timeout: 30_000 });
  await panel(page).locator('.timeline-svg').scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await ctx.screenshot('5-timeline-light');
  await panel(page).locator('vscode-tab-header[data-tab="live"]').click();
  await page.waitForTimeout(500);
  await ctx.screenshot('6-live-light');
}
