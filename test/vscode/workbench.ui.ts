/**
 * The user's picture in a real workbench: a scenario with token counts inline, a run started from
 * the palette (F1), the live status bar and the results panel beside the file, then Stop.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openFile, poll, runCommand, type UiContext } from './ui-context';

export default async function (ctx: UiContext): Promise<void> {
  const { page } = ctx;
  await openFile(page, 'ui.llmload');
  // Inlay hints are rendered as text inside the editor's lines.
  const lines = page.locator('.monaco-editor .view-lines').first();
  const text = await poll('inline token counts', async () => {
    const t = await lines.innerText();
    return /⟵\s\d+\stok/.test(t) ? t : undefined;
  });
  const counts = text.match(/⟵\s\d+\stok/g) ?? [];
  assert.ok(counts.length >= 5, `a count after each prompt and turn: ${counts.join(', ')}`);
  // The CodeLens on the scenario line.
  await page.locator('.codelens-decoration', { hasText: 'Run' }).first().waitFor({ timeout: 15_000 });
  await ctx.screenshot('1-scenario-with-counts');

  await runCommand(page, 'llmload: Run Scenario');
  const status = page.locator('.statusbar-item', { hasText: 'QPM' });
  await status.first().waitFor({ timeout: 30_000 });
  const statusText = await status.first().innerText();
  assert.match(statusText, /QPM \d+\s+TTFT p95 (\d+ ms|-)\s+errors \d+/);
  // The results panel (issue 8) opens beside the file: a webview, read through its inner frame.
  const webview = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  const panelText = await poll('the results panel', async () => {
    if ((await page.locator('iframe.webview').count()) === 0) return undefined;
    const t = await webview.locator('body').innerText({ timeout: 2000 });
    return /UI walkthrough/.test(t) && /running/.test(t) ? t : undefined;
  }, 20_000);
  ctx.log(`results panel shows: ${panelText.slice(0, 120).replace(/\s+/g, ' ')}`);
  await page.waitForTimeout(3000);
  await ctx.screenshot('2-running');

  await runCommand(page, 'llmload: Stop Run');
  await poll('the run status to go away', async () => (await page.locator('.statusbar-item', { hasText: 'QPM' }).count()) === 0, 15_000);
  const runs = path.join(ctx.workspace, '.llmload', 'runs');
  assert.ok(existsSync(runs) && readdirSync(runs).length === 1, 'the stopped run kept its folder');
  // The verdict of a stopped run: STOPPED in the panel's header and in the status bar, never PASS.
  await webview.locator('.run-header [data-verdict="stopped"]').first().waitFor({ timeout: 15_000 });
  const header = await webview.locator('.run-header').innerText();
  assert.match(header, /STOPPED/);
  assert.match(header, /stopped after \d+(\.\d)?s of \d+s/);
  assert.doesNotMatch(header, /PASS|hold/);
  await page.locator('.statusbar-item', { hasText: 'llmload STOPPED' }).first().waitFor({ timeout: 10_000 });
  await ctx.screenshot('3-stopped');
}
