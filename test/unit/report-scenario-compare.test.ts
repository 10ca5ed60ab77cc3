/**
 * The HTML report's scenario text and Compare tab (issue 12): the run's scenario.llmload appears,
 * escaped and with its secrets redacted, in a collapsible section; `llmload report --compare` fills
 * the Compare tab with the comparison the panel shows (set-up differences, noise band, figures by
 * name), and without it the tab names the flag.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runReport } from '../../src/cli/report';
import { startRun } from '../../src/core/run/runner';
import { scrubScenarioSecrets } from '../../src/core/report/scenario-text';
import { plan } from '../helpers/plans';
import { buildWebviewBundle, openBrowser, TEST_OUTPUT, writeXssRun, XSS, type Browser } from '../vscode/panel/fixtures';

declare const document: any;
declare const window: any;

const KEY = 'sk-literal-0123456789abcdef';
const HDR = 'sk-hdr-fedcba9876543210';
const SCENARIO = [
  `scenario "report ${XSS.script}"`,
  'target builtin:reasoning',
  `key ${KEY}`,
  `header Authorization "Bearer ${HDR}"`,
  'header X-Team perf',
  'load users 2 for 1200ms',
  'prompt "xss"',
  `  user say ${XSS.img} and ${XSS.breakout}`,
  '',
].join('\n');

let tmp: string;
let runA: string;
let runB: string;
let browser: Browser;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-report-sc-'));
  await buildWebviewBundle();
  // Two real runs against the built-in simulator with different loads; B carries a literal key and
  // Authorization header, started without naming any secret (the writer must find them itself).
  const a = await (await startRun(plan({ load: { kind: 'users', users: 2, duration_ms: 1200 } }), { outDir: path.join(tmp, 'runA') })).done;
  const b = await (
    await startRun(plan({ load: { kind: 'users', users: 3, duration_ms: 1200 }, key: KEY, headers: { Authorization: `Bearer ${HDR}`, 'X-Team': 'perf' } }), {
      outDir: path.join(tmp, 'runB'),
      scenarioText: SCENARIO,
    })
  ).done;
  assert.equal(a.error, undefined);
  assert.equal(b.error, undefined);
  runA = a.dir;
  runB = b.dir;
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the run writes scenario.llmload with its key and credential header values redacted, the rest as written', () => {
  const text = fs.readFileSync(path.join(runB, 'scenario.llmload'), 'utf8');
  assert.ok(!text.includes(KEY), 'no key');
  assert.ok(!text.includes(HDR), 'no header token');
  assert.match(text, /^key \[redacted\]$/m);
  assert.match(text, /^header Authorization "Bearer \[redacted\]"$/m);
  assert.match(text, /^header X-Team perf$/m);
  assert.ok(text.includes(XSS.img), 'prompts as written');
});

test('report-time scrub: literal keys and credential header values go, references and other headers stay', () => {
  const out = scrubScenarioSecrets(
    [
      'key sk-abc123456789',
      'key "sk-quoted-123456"',
      'key ${secret:OPENAI_API_KEY}',
      'header X-Api-Key xk-9876543210',
      'header Authorization "Bearer ${env:TOKEN}"',
      'header Authorization Bearer abcdefgh1234',
      'header X-Team perf-team-name',
      'header Authorization "Bearer [redacted]"',
      'prompt "p"',
      '  user what is a key?',
    ].join('\n'),
  );
  assert.deepEqual(out.split('\n'), [
    'key [redacted]',
    'key [redacted]',
    'key ${secret:OPENAI_API_KEY}',
    'header X-Api-Key [redacted]',
    'header Authorization "Bearer ${env:TOKEN}"',
    'header Authorization [redacted]',
    'header X-Team perf-team-name',
    'header Authorization "Bearer [redacted]"',
    'prompt "p"',
    '  user what is a key?',
  ]);
});

test('the report carries the scenario text escaped and collapsed: payloads stay text, no key anywhere in the file', async () => {
  // A folder written by hand (or an older llmload): its scenario.llmload holds a key literally.
  const dir = writeXssRun(path.join(tmp, 'xss'));
  fs.writeFileSync(path.join(dir, 'scenario.llmload'), SCENARIO);
  // The old folder's header is scrubbed whole at report time; the run's was redacted by the writer, value by value.
  for (const [from, name, auth] of [
    [dir, 'scenario-old.html', 'header Authorization [redacted]'],
    [runB, 'scenario-run.html', 'header Authorization "Bearer [redacted]"'],
  ] as const) {
    const file = path.join(tmp, name);
    const x = io();
    assert.equal(await runReport([from, '--html', file], x.io), 0, x.err.join('\n'));
    const html = fs.readFileSync(file, 'utf8');
    assert.ok(!html.includes(KEY), `${name}: the key is not in the file`);
    assert.ok(!html.includes(HDR), `${name}: the header token is not in the file`);
    assert.ok(!html.includes(XSS.img), `${name}: the payload is escaped in the markup`);
    const { page, errors, blocked, dialogs } = browser;
    errors.length = 0;
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('details[data-section="scenario"]');
    assert.equal(await page.locator('details[data-section="scenario"]').evaluate((d: any) => d.open), false, 'collapsed at first');
    await page.click('details[data-section="scenario"] summary');
    assert.ok(await page.locator('pre.scenario-text').isVisible());
    const shown = (await page.locator('pre.scenario-text').textContent()) ?? '';
    assert.ok(shown.includes(`user say ${XSS.img} and ${XSS.breakout}`), `${name}: the prompt line as text`);
    assert.ok(shown.includes('key [redacted]'));
    assert.ok(shown.includes(auth), `${name}: ${auth}`);
    assert.ok(shown.includes('header X-Team perf'));
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'no payload ran');
    assert.equal(await page.locator('img, a[href], iframe, svg[onload]').count(), 0, 'no payload became an element');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(blocked, []);
    assert.deepEqual(errors, []);
  }
  fs.mkdirSync(TEST_OUTPUT, { recursive: true });
  await browser.page.screenshot({ path: path.join(TEST_OUTPUT, 'report-scenario.png'), fullPage: true });
});

test('llmload report --compare fills the Compare tab: runs, set-up differences, noise band, figures by name', async () => {
  const file = path.join(tmp, 'compare.html');
  const x = io();
  assert.equal(await runReport([runB, '--html', file, '--compare', runA], x.io), 0, x.err.join('\n'));
  assert.match(x.out[0]!, /compared with runA\)$/);
  const html = fs.readFileSync(file, 'utf8');
  const embedded = JSON.parse(/<script type="application\/json" id="llmload-report-data">([\s\S]*?)<\/script>/.exec(html)![1]!);
  assert.ok(!JSON.stringify(embedded.comparison).includes(tmp), 'the comparison names runs by folder, not by a path of this machine');
  const { page, errors, blocked } = browser;
  errors.length = 0;
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('[data-card="requests"]');
  await page.click('vscode-tab-header[data-tab="compare"]');
  await page.waitForSelector('vscode-table[data-table="compare"] vscode-table-row');
  assert.match((await page.locator('.compare-runs').textContent()) ?? '', /A runA \(\d+ requests\) · B runB \(\d+ requests\)/);
  assert.match((await page.locator('[data-differs="load"]').textContent()) ?? '', /load: A 2 users for 1\.2s → B 3 users for 1\.2s/);
  assert.match((await page.locator('.noise-note').textContent()) ?? '', /^Noise: changes within ±\d+(\.\d)?%/);
  const names = await page.$$eval('vscode-table[data-table="compare"] vscode-table-cell[data-column="figure"]', (cells) => cells.map((c) => (c.textContent ?? '').trim()));
  for (const n of ['Requests per minute', 'Success rate', 'Time to first token, p95', 'End-to-end latency, p50']) assert.ok(names.includes(n), `${n} in ${names.join(' | ')}`);
  assert.ok(names.every((n) => n.length > 0 && !/^ttft/.test(n)), 'readable names, not ids');
  // Each row has both runs' values.
  const ttft = page.locator('vscode-table-row[data-figure="ttft p95"] vscode-table-cell');
  assert.match((await ttft.nth(1).textContent()) ?? '', /\d/);
  assert.match((await ttft.nth(2).textContent()) ?? '', /\d/);
  await page.waitForFunction(() => document.querySelectorAll('.compare canvas[data-chart]').length > 0);
  fs.mkdirSync(TEST_OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(TEST_OUTPUT, 'report-compare.png'), fullPage: true });
  assert.deepEqual(blocked, []);
  assert.deepEqual(errors, []);
});

test('without --compare the Compare tab says how to get one; a bad baseline exits 2', async () => {
  const file = path.join(tmp, 'alone.html');
  assert.equal(await runReport([runA, '--html', file], io().io), 0);
  const { page } = browser;
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('[data-card="requests"]');
  await page.click('vscode-tab-header[data-tab="compare"]');
  const note = (await page.locator('[data-compare-note]').textContent()) ?? '';
  assert.match(note, /--compare BASELINE_RUN_DIR/);
  assert.equal(await page.locator('vscode-table[data-table="compare"]').count(), 0);
  const x = io();
  assert.equal(await runReport([runA, '--html', path.join(tmp, 'bad.html'), '--compare', path.join(tmp, 'nope')], x.io), 2);
  assert.match(x.err[0]!, /nope: no such run folder/);
  assert.ok(!fs.existsSync(path.join(tmp, 'bad.html')));
});
