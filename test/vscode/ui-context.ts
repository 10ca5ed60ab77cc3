/**
 * What a UI test (`*.ui.ts` under test/vscode) gets from the harness, scripts/vscode-test.mjs:
 *   export default async function (ctx: UiContext) { ... }   // throw to fail
 *   export const options = { vsix: true };                    // optional: run against the packaged .vsix
 * The workbench is loaded (explorer visible) on a fresh copy of test/vscode/fixtures/workspace.
 * Screenshots go to test-output/vscode/screenshots/<test>-<label>.png.
 */
import type { Page } from 'playwright-core';

export interface UiContext {
  page: Page;
  /** Absolute path of the workspace copy the workbench has open. */
  workspace: string;
  /** The project folder (the extension under development, unless options.vsix). */
  root: string;
  server: { base: string; port: number; extensionsDir: string };
  screenshot(label: string): Promise<string>;
  log(message: string): void;
}

export interface UiOptions {
  /** Package with `npm run package` and install the .vsix into a clean profile instead of loading the sources. */
  vsix?: boolean;
  /** false: open the workspace without trusting it. */
  trust?: boolean;
  /** User settings for this test's session (merged over the harness's defaults). */
  settings?: Record<string, unknown>;
}

/** F1, type the command's title, wait for it in the list, Enter. Tries again once if the list stays empty. */
export async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 20_000 });
    } catch (e) {
      if (attempt >= 2) throw e;
      await page.keyboard.press('Escape');
      continue;
    }
    await page.keyboard.press('Enter');
    return;
  }
}

/** Opens a workspace file by clicking it in the explorer. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
}

async function openOnce(page: Page, name: string): Promise<void> {
  // The title bar's command center opens Quick Open wherever the focus is (a webview that has the
  // focus may keep Ctrl+P for itself).
  const center = page.locator('.command-center-center').first();
  if ((await center.count()) > 0) await center.click();
  else await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  // The file itself, not a run folder's copy (.llmload/runs/*/scenario.llmload also matches the name).
  const exact = new RegExp(`^${name.replace(/[.]/g, '\\.')}$`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
  await row.waitFor({ timeout: 10_000 });
  // A click on the row itself (Enter could pick a row of the list from before it was filtered).
  await row.click();
  // The file may open as a tab that is not the active one (the results panel's group can keep the
  // focus): click its tab when it is there.
  const tab = page.locator('.tab', { hasText: name }).first();
  await tab.waitFor({ timeout: 10_000 });
  if ((await page.locator('.tab.active', { hasText: name }).count()) === 0) await tab.click();
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 10_000 });
}

/**
 * Opens a workspace file through Quick Open; with the results panel's group maximized and its
 * webview focused, the pick now and then opens nothing (seen in CI), and then the file, closed
 * earlier by Close All Editors, is reopened as a closed editor.
 */
export async function openByQuickOpen(page: Page, name: string): Promise<void> {
  try {
    await openOnce(page, name);
  } catch {
    // A file that was open before (and closed by Close All Editors) comes back as a closed editor.
    await page.keyboard.press('Escape');
    for (let attempt = 1; ; attempt++) {
      await runCommand(page, 'View: Reopen Closed Editor');
      try {
        await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 5_000 });
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
  }
}

/** Polls `fn` until it returns a truthy value. */
export async function poll<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
