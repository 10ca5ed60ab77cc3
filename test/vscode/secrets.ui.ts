/**
 * A missing `${secret:NAME}` is asked for once in a password box, then read from SecretStorage:
 * the second run does not ask. The typed key appears in no file of either run.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openFile, poll, runCommand, type UiContext } from './ui-context';

const KEY = 'sk-ui-typed-8f3b2c1d9e';

function runDirs(workspace: string): string[] {
  const root = path.join(workspace, '.llmload', 'runs');
  return existsSync(root) ? readdirSync(root).map((d) => path.join(root, d)) : [];
}

async function waitForRun(ctx: UiContext, count: number): Promise<string> {
  return poll(`run ${count} to finish`, async () => {
    const dirs = runDirs(ctx.workspace).filter((d) => existsSync(path.join(d, 'summary.json')));
    return dirs.length >= count ? dirs.sort().at(-1) : undefined;
  }, 60_000);
}

export default async function (ctx: UiContext): Promise<void> {
  const { page } = ctx;
  await openFile(page, 'ask-secret.llmload');
  await runCommand(page, 'llmload: Run Scenario');
  const box = page.locator('.quick-input-widget', { hasText: 'UI_TEST_KEY' });
  await box.waitFor({ state: 'visible', timeout: 15_000 });
  assert.equal(await page.locator('.quick-input-widget input[type="password"]').count(), 1, 'a password box');
  await ctx.screenshot('1-asks-for-the-secret');
  await page.keyboard.type(KEY);
  await page.keyboard.press('Enter');
  await waitForRun(ctx, 1);

  await runCommand(page, 'llmload: Run Scenario');
  await poll('the second run to start', async () => runDirs(ctx.workspace).length >= 2, 30_000);
  assert.equal(await page.locator('.quick-input-widget', { hasText: 'UI_TEST_KEY' }).isVisible(), false, 'not asked again');
  await waitForRun(ctx, 2);

  for (const dir of runDirs(ctx.workspace)) {
    for (const f of readdirSync(dir, { recursive: true }) as string[]) {
      const p = path.join(dir, f);
      if (!f.includes('.') || !existsSync(p)) continue;
      assert.ok(!readFileSync(p, 'utf8').includes(KEY), `${path.relative(ctx.workspace, p)} does not contain the key`);
    }
  }
}
