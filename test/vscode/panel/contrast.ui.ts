/**
 * WCAG AA contrast of the results panel in a real workbench, in four themes (Default Dark Modern,
 * Default Light Modern, Default High Contrast, Default High Contrast Light): two finished runs, then
 * on every tab (Live, Tables, Requests, Compare with its better / worse / within-noise cells) each
 * visible element that holds text directly has its computed `color` measured against the effective
 * background (the first non-transparent background-color up its ancestors, semi-transparent layers
 * composed over it). Normal themes need 4.5:1, high-contrast themes 7:1. A screenshot per theme goes
 * to test-output/vscode/screenshots/contrast-*.png; the lowest ratio per theme goes to the log.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { openByQuickOpen, poll, runCommand, type UiContext } from '../ui-context';

// Browser globals inside evaluate callbacks (the project's tsconfig has no DOM typings).
declare const document: any;

const SCENARIO = (maxTokens: number) => `# Written by the contrast UI test.
scenario "Contrast"

target builtin:reasoning
api openai-chat
model sim-reasoner
timeout 30s

load users 3 for 6s

prompt "short question"
  user What is the capital of France?
  max_tokens ${maxTokens}

expect
  success >= 90%
  ttft p95 < 30s
`;

const THEMES = [
  { name: 'Default Dark Modern', cls: 'vs-dark', min: 4.5 },
  { name: 'Default Light Modern', cls: 'vs', min: 4.5 },
  { name: 'Default High Contrast', cls: 'hc-black', min: 7 },
  { name: 'Default High Contrast Light', cls: 'hc-light', min: 7 },
] as const;

function panel(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').first().frameLocator('iframe#active-frame');
}

async function setTheme(page: Page, workspace: string, theme: string, cls: string): Promise<void> {
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.colorTheme': theme }, null, 2));
  await poll(`the ${theme} theme`, async () => page.evaluate((c) => document.querySelector('.monaco-workbench')?.classList.contains(c) === true, cls), 30_000);
  await page.waitForTimeout(1000);
}

interface Measured {
  text: string;
  where: string;
  color: string;
  background: string;
  ratio: number;
}

/** Every visible element with its own text, its colour and effective background, and their contrast ratio. */
/**
 * Every visible element with its own text, its colour and effective background, and their contrast
 * ratio (WCAG 2 relative luminance). Plain JavaScript text: the bundler's name-keeping wrappers
 * (`__name`) do not exist inside the page.
 */
const MEASURE = `(() => {
  const parse = (s) => {
    const m = s.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3];
    return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
  };
  const lum = (c) => {
    const ch = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const cls = (e) => (e && typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg, canvas, script, style')) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join(' ').trim();
    if (!own) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none' || Number(cs.opacity) === 0) continue;
    // Backgrounds from the element up (through shadow hosts): layers until an opaque one, composed.
    const layers = [];
    for (let a = el; a; a = a.parentElement || (a.getRootNode && a.getRootNode().host)) {
      const bg = parse(getComputedStyle(a).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let bg = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop() : [255, 255, 255, 1];
    while (layers.length) bg = over(layers.pop(), bg);
    const fg = over(parse(cs.color), bg);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const where = el.tagName.toLowerCase() + cls(el) + (el.dataset && el.dataset.column ? '[' + el.dataset.column + ']' : '') + (cls(el.parentElement) ? ' in ' + cls(el.parentElement) : '');
    out.push({ text: own.slice(0, 40), where, color: cs.color, background: 'rgb(' + bg.slice(0, 3).map((v) => Math.round(v)).join(', ') + ')', ratio });
  }
  return out;
})()`;

async function measure(view: FrameLocator): Promise<Measured[]> {
  return view.locator('body').evaluate(MEASURE) as Promise<Measured[]>;
}

export default async function (ctx: UiContext): Promise<void> {
  const { page } = ctx;
  const view = panel(page);
  // Two runs that differ in length of answer, so Compare has better, worse and within-noise rows;
  // the second (32 tokens: the thinking often outlasts them) fails its success expectation, so the
  // header shows FAIL in its error colours.
  for (const tokens of [160, 32]) {
    writeFileSync(path.join(ctx.workspace, 'contrast.llmload'), SCENARIO(tokens));
    const shown = async (): Promise<boolean> => new RegExp(`max_tokens\\s${tokens}\\b`).test(await page.locator('.monaco-editor .view-lines').first().innerText());
    // The second time the file is still open in the first group and reloads from disk; code-server's
    // file watcher can miss the change (a CI run waited 15 s for it), so then the file is reverted
    // to what is on disk, as a user would.
    if (tokens === 160) await openByQuickOpen(page, 'contrast.llmload');
    else if (!(await poll('the reloaded scenario', shown, 5_000).catch(() => false))) await runCommand(page, 'File: Revert File');
    await poll('the scenario in the editor', shown, 15_000);
    await page.locator('.monaco-editor .view-lines').first().click();
    await runCommand(page, 'llmload: Run Scenario');
    await poll('the results panel', async () => (await page.locator('iframe.webview').count()) > 0, 30_000);
    await view.locator('[data-state="running"]').waitFor({ timeout: 30_000 });
    await view.locator('[data-state="finished"]').waitFor({ timeout: 60_000 });
  }
  await view.locator('.run-header .verdict').waitFor({ timeout: 10_000 });
  await view.locator('vscode-tab-header[data-tab="compare"]').click();
  await view.locator('select[data-compare="run"]').waitFor({ timeout: 15_000 });
  await view.locator('vscode-button[data-action="run-compare"]').click();
  await view.locator('[data-table="compare"] vscode-table-row').first().waitFor({ timeout: 15_000 });
  const verdicts = await view.locator('[data-table="compare"] vscode-table-cell[data-column="verdict"]').allInnerTexts();
  ctx.log(`compare verdicts: ${verdicts.map((v) => v.trim()).filter(Boolean).join(', ')}`);
  assert.ok(verdicts.some((v) => /better|worse/.test(v)), `a better or worse row to measure: ${verdicts.join(', ')}`);

  const failures: string[] = [];
  for (const theme of THEMES) {
    await setTheme(page, ctx.workspace, theme.name, theme.cls);
    let lowest: Measured | undefined;
    let count = 0;
    const seen = new Set<string>();
    for (const tab of ['live', 'tables', 'requests', 'compare']) {
      await view.locator(`vscode-tab-header[data-tab="${tab}"]`).click();
      await page.waitForTimeout(tab === 'requests' ? 800 : 400);
      if (tab === 'requests') await view.locator('vscode-table-row[data-request]').first().waitFor({ timeout: 15_000 });
      if (tab === 'compare') await view.locator('[data-table="compare"] vscode-table-row').first().waitFor({ timeout: 15_000 });
      for (const m of await measure(view)) {
        count++;
        if (!lowest || m.ratio < lowest.ratio) lowest = m;
        const key = `${m.where}|${m.color}|${m.background}`;
        if (m.ratio < theme.min && !seen.has(key)) {
          seen.add(key);
          failures.push(`${theme.name} (${tab}): "${m.text}" ${m.where}: ${m.color} on ${m.background} = ${m.ratio.toFixed(2)}:1 < ${theme.min}:1`);
        }
      }
      if (tab === 'compare') await ctx.screenshot(`${theme.cls}-compare`);
    }
    await view.locator('vscode-tab-header[data-tab="live"]').click();
    await page.waitForTimeout(400);
    await ctx.screenshot(`${theme.cls}-live`);
    assert.ok(count > 20, `${theme.name}: text elements measured (${count})`);
    ctx.log(`${theme.name}: ${count} text elements, lowest ${lowest!.ratio.toFixed(2)}:1 ("${lowest!.text}" ${lowest!.where}, ${lowest!.color} on ${lowest!.background}); needs ${theme.min}:1`);
  }
  for (const f of failures) ctx.log(`LOW CONTRAST ${f}`);
  assert.deepEqual(failures, [], 'every text meets WCAG AA (4.5:1; 7:1 in high contrast)');
}
