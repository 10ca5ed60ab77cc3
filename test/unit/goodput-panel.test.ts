/**
 * Goodput in the panel's app (here through the HTML report, which renders the same app): a card
 * beside the headline figures with the good share, the count and the rate, and the goodput
 * expectation with its actual value in the header's expectation list. In headless Chromium.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRun } from '../../src/core/run/runner';
import { runReport } from '../../src/cli/report';
import type { Summary } from '../../src/core/metrics/summary';
import { goodputCard } from '../../src/core/viewmodel/goodput-card';
import { plan } from '../helpers/plans';
import { buildWebviewBundle, openBrowser, type Browser } from '../vscode/panel/fixtures';

let tmp: string;
let runDir: string;
let browser: Browser;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-goodput-panel-'));
  await buildWebviewBundle();
  const p = plan({
    target: { kind: 'builtin', profile: 'chat?decode_tokens_per_s=1000&overhead_ms=5&fault.http_500=0.2' },
    model: 'sim-chat',
    load: { kind: 'users', users: 4, duration_ms: 30_000 },
    stop: { after_requests: 30 },
    goodput: { text: 'output_tokens >= 50', conditions: [{ figure: 'output_tokens', op: '>=', value: 50 }] },
    expectations: [{ text: 'goodput share >= 99%', metric: 'goodput', goodput: 'share', op: '>=', value: 0.99, line: 0 }],
  });
  const result = await (await startRun(p, { outDir: path.join(tmp, 'run') })).done;
  assert.equal(result.error, undefined);
  runDir = result.dir;
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the goodput card shows the good share, count and rate; the expectation shows its actual share', async () => {
  const file = path.join(tmp, 'report.html');
  assert.equal(await runReport([runDir, '--html', file], { out: () => {}, err: () => {} }), 0);
  const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as Summary;
  const g = summary.goodput!;
  assert.ok(g.of >= 30 && g.requests < g.of, `${g.requests} of ${g.of}`);
  const want = goodputCard(g)!;
  const { page, errors } = browser;
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('[data-card="goodput"]');
  assert.equal(await page.locator('[data-card="goodput"] .card-value').textContent(), `${((g.requests / g.of) * 100).toFixed(1)}%`);
  assert.equal(await page.locator('[data-card="goodput"] .card-label').textContent(), `goodput · ${g.requests} of ${g.of} · ${g.rps.toFixed(2)} rps`);
  assert.equal(await page.locator('[data-card="goodput"]').getAttribute('title'), want.title);
  assert.match(want.title, /met output_tokens >= 50; failed requests count in the share/);
  const body = (await page.locator('body').textContent()) ?? '';
  assert.ok(body.includes('goodput share >= 99%'), 'the expectation is listed');
  assert.ok(body.includes(`${((g.requests / g.of) * 100).toFixed(2)}%`), 'with its actual share');
  assert.deepEqual(errors, []);
});
