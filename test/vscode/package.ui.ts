/**
 * The packaged extension: `npm run package` builds the .vsix, the harness installs it with
 * `code-server --install-extension` into a clean profile (no extensionDevelopmentPath), and the
 * extension activates on a .llmload file: its CodeLens and inline counts appear.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { openFile, poll, runCommand, type UiContext, type UiOptions } from './ui-context';

export const options: UiOptions = { vsix: true };

export default async function (ctx: UiContext): Promise<void> {
  const installed = readdirSync(ctx.server.extensionsDir).filter((d) => d.startsWith('llmload.llmload-'));
  assert.equal(installed.length, 1, `installed: ${readdirSync(ctx.server.extensionsDir).join(', ')}`);
  await openFile(ctx.page, 'tokens.llmload');
  await ctx.page.locator('.codelens-decoration', { hasText: 'Run' }).first().waitFor({ timeout: 30_000 });
  const lines = ctx.page.locator('.monaco-editor .view-lines').first();
  await poll('the inline count of the greeting prompt', async () => /⟵\s12\stok/.test(await lines.innerText()), 30_000);
  // A palette command of the extension runs (Select Tokenizer opens its quick pick).
  await runCommand(ctx.page, 'llmload: Select Tokenizer');
  await ctx.page.locator('.quick-input-list .monaco-list-row', { hasText: 'llama3' }).first().waitFor({ timeout: 10_000 });
  await ctx.page.keyboard.press('Escape');
  await ctx.screenshot('vsix-activated');
}
