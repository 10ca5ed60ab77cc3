/**
 * The cost guard: with an environment that sends runs to a non-local target and a low token limit,
 * Run Scenario asks for confirmation in a modal dialog first; Cancel starts nothing. The target is
 * under `.invalid` (never resolvable), and nothing is sent before the dialog is answered.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openFile, runCommand, type UiContext, type UiOptions } from './ui-context';

export const options: UiOptions = {
  settings: {
    'llmload.environments': { remote: 'https://api.example.invalid/v1' },
    'llmload.environment': 'remote',
    'llmload.costGuard.maxTokens': 1,
  },
};

export default async function (ctx: UiContext): Promise<void> {
  const { page } = ctx;
  // The environment is shown in the status bar.
  await page.locator('.statusbar-item', { hasText: 'remote' }).first().waitFor({ timeout: 20_000 });
  await openFile(page, 'quickstart.llmload');
  await runCommand(page, 'llmload: Run Scenario');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 20_000 });
  const text = await dialog.innerText();
  assert.match(text, /api\.example\.invalid/);
  assert.match(text, /may use about [\d,]+ tokens/);
  await ctx.screenshot('1-confirmation');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('.statusbar-item', { hasText: 'QPM' }).count(), 0, 'no run status');
  assert.equal(existsSync(path.join(ctx.workspace, '.llmload')), false, 'no run folder');
}
