/**
 * The capacity chart of a sweep on screen (issue 18): a `load sweep` scenario against the built-in
 * simulator with 2 serving slots, each request about 1 s (50 tokens at 50 tokens/s), so a third user
 * waits for a slot and TTFT p95 < 300ms holds up to 2 users: the capacity is 2. Run from the palette;
 * when it finishes, the panel's Live grid has the capacity chart: a drawn canvas with a size, one
 * point per measured step, the SLO line and the capacity marker (read from the canvas's data
 * attributes, which say what chart.js was given) and the screen-reader table under it, one row per
 * step, the capacity's row marked; all of it agreeing with the run's summary.json. Steps of 3 s:
 * the run takes 9-12 s.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { openByQuickOpen, openFile, poll, runCommand, type UiContext } from '../ui-context';

type HTMLCanvasElement = { width: number; height: number; getContext(kind: '2d'): any };

const SCENARIO = `# Written by the capacity chart's UI test: 2 slots, so the capacity is 2 users.
scenario "Capacity sweep"

target builtin:chat?max_concurrency=2&decode_tokens_per_s=50&answer_tokens=50&jitter=0.1&overhead_ms=5&batch_slowdown=0&keepalive_interval_ms=0
api openai-chat
model sim-chat
timeout 30s
seed 7

load sweep users 1..4 step +1 each 3s

prompt "hello"
  user Say hello.

expect
  ttft p95 < 300ms
`;

function panel(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').first().frameLocator('iframe#active-frame');
}

interface SweepOnDisk {
  steps: Array<{ level: number }>;
  capacity: { level: number; step: number } | null;
}

export default async function (ctx: UiContext): Promise<void> {
  const { page } = ctx;
  const name = 'capacity-sweep.llmload';
  writeFileSync(path.join(ctx.workspace, name), SCENARIO);
  const listed = async () => (await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).count()) > 0;
  if (await poll('the new scenario in the explorer', listed, 8000).catch(() => false)) await openFile(page, name);
  else await openByQuickOpen(page, name);
  await runCommand(page, 'llmload: Run Scenario');

  const view = panel(page);
  await poll('the results panel', async () => (await page.locator('iframe.webview').count()) > 0, 30_000);
  await view.locator('[data-state="finished"]').waitFor({ timeout: 90_000 });
  const runs = path.join(ctx.workspace, '.llmload', 'runs');
  const dir = await poll('the run folder with summary.json', async () => (existsSync(runs) ? readdirSync(runs).map((d) => path.join(runs, d)).find((d) => existsSync(path.join(d, 'summary.json'))) : undefined), 15_000);
  const sweep = (JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { sweep?: SweepOnDisk }).sweep;
  assert.ok(sweep && sweep.steps.length >= 2, `summary.json has a sweep of at least two steps: ${JSON.stringify(sweep?.steps.map((s) => s.level))}`);
  assert.ok(sweep.capacity, 'a capacity was found');
  assert.ok(Math.abs(sweep.capacity.level - 2) <= 1, `capacity within one step of the 2 slots: ${sweep.capacity.level}`);
  const steps = sweep.steps.length;
  ctx.log(`sweep: levels ${sweep.steps.map((s) => s.level).join(', ')}, capacity ${sweep.capacity.level}`);

  // The chart: in the Live grid, drawn, with a size.
  const canvas = view.locator('canvas[data-chart="capacity"]');
  await canvas.waitFor({ timeout: 15_000 });
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  assert.ok(box && box.width > 100 && box.height > 100, `the canvas has a size on screen: ${JSON.stringify(box)}`);
  const drawn = await poll('a drawn capacity chart', async () =>
    canvas.evaluate((c) => {
      const el = c as HTMLCanvasElement;
      const g = el.getContext('2d');
      if (!g || !el.width || !el.height) return false;
      const d = g.getImageData(0, 0, el.width, el.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
      return n > 0 ? { width: el.width, height: el.height, painted: n } : false;
    }),
  );
  ctx.log(`canvas ${drawn.width}x${drawn.height} px, ${drawn.painted} painted`);
  // What chart.js was given: one point per step, the SLO line, the capacity marker.
  assert.equal(await canvas.getAttribute('data-steps'), String(steps));
  assert.equal(await canvas.getAttribute('data-points'), String(steps), 'one point per step');
  assert.equal(await canvas.getAttribute('data-slo-lines'), '1');
  assert.equal(await canvas.getAttribute('data-capacity'), String(sweep.capacity.level));
  const lines = ((await canvas.getAttribute('data-lines')) ?? '').split('|');
  assert.ok(lines.includes('SLO ttft p95 < 300ms'), `the SLO line: ${lines.join(', ')}`);
  assert.ok(lines.includes('capacity'), `the capacity marker: ${lines.join(', ')}`);
  assert.match((await canvas.getAttribute('aria-label')) ?? '', new RegExp(`^Capacity sweep: capacity ${sweep.capacity.level} users`));
  // The text twin: a table for screen readers, one row per step, the capacity's row marked.
  const table = view.locator('table[data-chart-table="capacity"]');
  assert.equal(await table.locator('tbody tr').count(), steps);
  assert.deepEqual(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as { getAttribute(n: string): string }).getAttribute('data-level')))), sweep.steps.map((s) => s.level));
  assert.equal(await table.locator('tbody tr[data-capacity]').getAttribute('data-level'), String(sweep.capacity.level));
  assert.match((await table.locator('caption').textContent()) ?? '', new RegExp(`capacity ${sweep.capacity.level} users`));
  await ctx.screenshot('1-capacity-chart');
}
