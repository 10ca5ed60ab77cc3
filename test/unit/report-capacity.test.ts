/**
 * The capacity section of the HTML report (issue 18): a sweep's report carries the capacity chart as
 * a static SVG (one point per step on each line, the SLO line at its threshold, the capacity and
 * knee markers at their levels, every text escaped, no script or style attribute) and the per-step
 * table; a run that was not a sweep has no capacity section. On a real sweep against the built-in
 * simulator with 2 serving slots and 0.5 s requests (capacity 2 users for TTFT p95 < 250ms: a third user waits for a slot), then in headless Chromium:
 * the SVG is drawn under the report's CSP with no error, and the panel app's capacity chart has its
 * screen-reader table with one row per step.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runReport } from '../../src/cli/report';
import { startRun } from '../../src/core/run/runner';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import type { SweepStepFigures, SweepSummary } from '../../src/core/metrics/capacity';
import type { Summary } from '../../src/core/metrics/summary';
import { capacitySection, capacitySvg, capacityScales } from '../../src/core/report/capacity-svg';
import { capacityChartData, capacityTable } from '../../src/core/viewmodel/capacity-chart';
import { plan } from '../helpers/plans';
import { buildWebviewBundle, canvasDrawn, openBrowser, TEST_OUTPUT, type Browser } from '../vscode/panel/fixtures';

declare function getComputedStyle(e: unknown): { stroke: string };

const SCENARIO = `scenario "capacity report"
target builtin:chat?max_concurrency=2&decode_tokens_per_s=60&answer_tokens=30&jitter=0.2&overhead_ms=5&batch_slowdown=0&keepalive_interval_ms=0
model sim
load sweep users 1..4 step +1 each 2s
seed 7
prompt "p"
  user Say hi
expect
  ttft p95 < 250ms
`;

let tmp: string;
let sweepDir: string;
let sweep: SweepSummary;
let plainDir: string;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-report-capacity-'));
  const file = path.join(tmp, 'capacity.llmload');
  fs.writeFileSync(file, SCENARIO);
  const parsed = parseScenario(SCENARIO, file);
  const r = resolvePlan(parsed.tree, { file, env: {}, secret: () => undefined, readFile: () => undefined });
  assert.deepEqual([...parsed.diagnostics, ...r.diagnostics].filter((d) => d.severity === 'error'), []);
  const swept = await (await startRun(r.plan!, { outDir: path.join(tmp, 'sweep'), workers: 1 })).done;
  assert.equal(swept.error, undefined);
  sweepDir = swept.dir;
  sweep = (JSON.parse(fs.readFileSync(path.join(sweepDir, 'summary.json'), 'utf8')) as Summary).sweep!;
  assert.ok(sweep && sweep.steps.length >= 2, `a sweep of at least two steps: ${JSON.stringify(sweep?.steps.map((s) => s.level))}`);
  assert.ok(sweep.capacity, `a capacity was found: ${JSON.stringify(sweep.steps.map((s) => [s.level, s.ttft_ms.p95]))}`);
  const plain = await (await startRun(plan({ load: { kind: 'users', users: 2, duration_ms: 1000 } }), { outDir: path.join(tmp, 'plain') })).done;
  plainDir = plain.dir;
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The `<g class="cls" ...>...</g>` groups of the SVG (they hold no nested group). */
function groups(svg: string, cls: string): string[] {
  return [...svg.matchAll(new RegExp(`<g class="[^"]*\\b${cls}\\b[^"]*"[^>]*>[\\s\\S]*?</g>`, 'g'))].map((m) => m[0]);
}
const attr = (el: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(el)?.[1];

test('the report of a sweep has the capacity SVG: one point per step on every line, the SLO line at 250 ms, the capacity marker at the capacity, the table', async () => {
  const out = path.join(tmp, 'sweep.html');
  assert.equal(await runReport([sweepDir, '--html', out], { out: () => undefined, err: () => undefined }), 0);
  const html = fs.readFileSync(out, 'utf8');
  const section = /<section class="report-capacity" data-section="capacity">[\s\S]*?<\/section>/.exec(html)?.[0];
  assert.ok(section, 'a capacity section');
  const svg = /<svg class="capacity-svg"[\s\S]*?<\/svg>/.exec(section)![0];
  const n = sweep.steps.length;
  assert.equal(attr(svg, 'data-steps'), String(n));
  for (const series of ['ttft-p50', 'ttft-p95', 'e2e-p95', 'throughput']) {
    const g = groups(svg, `cap-${series}`).find((x) => x.includes('data-series'))!;
    const levels = [...g.matchAll(/<circle [^>]*data-level="([^"]+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(levels, sweep.steps.map((s) => s.level), `${series}: one point per step`);
  }
  // Each throughput point sits at its step's value on the right axis.
  const d = capacityChartData(sweep)!;
  const sc = capacityScales(d);
  const tp = groups(svg, 'cap-throughput').find((x) => x.includes('data-series'))!;
  [...tp.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].forEach((m, i) => {
    assert.ok(Math.abs(Number(m[1]) - sc.x(sweep.steps[i]!.level)) < 0.1);
    assert.ok(Math.abs(Number(m[2]) - sc.yRight(sweep.steps[i]!.throughput_rps)) < 0.1);
  });
  // The SLO: one dashed line at 250 ms, its text escaped.
  const slo = groups(svg, 'cap-slo').filter((g) => g.includes('data-slo'));
  assert.equal(slo.length, 1);
  assert.equal(attr(slo[0]!, 'data-slo'), 'ttft p95 &lt; 250ms');
  assert.equal(attr(slo[0]!, 'data-threshold-ms'), '250');
  assert.ok(Math.abs(Number(attr(slo[0]!, 'y1')) - sc.yLeft(250)) < 0.1);
  // The capacity marker at the capacity's level, where that step's points are.
  const cap = groups(svg, 'cap-capacity').find((g) => g.includes('data-level'))!;
  assert.equal(Number(attr(cap, 'data-level')), sweep.capacity!.level);
  const capX = Number(attr(cap, 'x1'));
  const capPoint = new RegExp(`<circle cx="([\\d.]+)"[^>]*data-level="${sweep.capacity!.level}"`).exec(tp)!;
  assert.equal(capX, Number(capPoint[1]));
  assert.match(cap, new RegExp(`>capacity ${sweep.capacity!.level}<`));
  if (sweep.knee) assert.equal(Number(attr(groups(svg, 'cap-knee').find((g) => g.includes('data-level'))!, 'data-level')), sweep.knee.level);
  // The table: one row per step, the capacity row marked.
  const rows = [...section.matchAll(/<tr data-level="([^"]+)"([^>]*)>/g)];
  assert.deepEqual(rows.map((m) => Number(m[1])), sweep.steps.map((s) => s.level));
  assert.deepEqual(rows.filter((m) => m[2]!.includes('data-capacity')).map((m) => Number(m[1])), [sweep.capacity!.level]);
  assert.match(section, new RegExp(`<caption>Sweep steps \\(${n} of 4 planned\\): capacity ${sweep.capacity!.level} users`));
  // Static markup under the report's CSP: nothing that runs, no style attribute, nothing external.
  assert.doesNotMatch(section, /<script|\son\w+=|\sstyle=|href=|javascript:|<foreignObject/i);
  assert.ok(/content="default-src &#39;none&#39;; script-src &#39;nonce-[^&]+&#39;; style-src &#39;nonce-[^&]+&#39;;/.test(html), 'the CSP allows only the nonce\'s script and style');
});

test('a run that was not a sweep: its report has no capacity section', async () => {
  const out = path.join(tmp, 'plain.html');
  assert.equal(await runReport([plainDir, '--html', out], { out: () => undefined, err: () => undefined }), 0);
  const html = fs.readFileSync(out, 'utf8');
  const body = html.slice(html.indexOf('<body'));
  assert.ok(!/data-section="capacity"|<svg class="capacity-svg"|data-steps-table/.test(body), 'no capacity section');
  assert.ok(body.includes('<div id="app"></div>') && body.includes('report-footer'), 'the rest of the report is there');
  assert.equal(capacitySection(undefined), '');
  assert.equal(capacitySection({ sweep: { ...sweep, steps: [] } } as unknown as Summary), '');
});

function fig(level: number, rps: number, ttftP95: number | null, slo: { text: string; pass: boolean; actual_text: string }): SweepStepFigures {
  const p = (v: number | null) => ({ p50: v === null ? null : v / 2, p90: v, p95: v, p99: v, max: v, mean: v });
  return {
    level, start_s: 0, measured_from_s: 0, end_s: 0, duration_s: 10, requests: 10, ok: 10, failed: 0, error_rate: 0,
    throughput_rps: rps, qpm: rps * 60, output_tokens_per_s: rps * 30,
    ttft_ms: p(ttftP95), ttfa_ms: p(ttftP95), e2e_ms: p(ttftP95 === null ? null : ttftP95 + 300), token_rate: p(50), tpot_ms: p(20),
    slos: [{ ...slo, actual: ttftP95 }] as SweepStepFigures['slos'], slo_met: slo.pass,
  };
}

test('a rate sweep with a step that measured no latency: the line breaks there, the point count says so, SLO text with markup is escaped', () => {
  const odd = 'e2e p95 <= 1.5s<script>x</script>';
  const s: SweepSummary = {
    over: 'rate', planned_steps: 5,
    steps: [fig(0.5, 0.5, 80, { text: 'ttft p95 < 1s', pass: true, actual_text: '80ms' }), fig(1, 1, null, { text: 'ttft p95 < 1s', pass: false, actual_text: '-' }), fig(2, 1.9, 400, { text: 'ttft p95 < 1s', pass: true, actual_text: '400ms' })],
    capacity: { level: 2, step: 2 }, knee: { level: 0.5, step: 0 }, saturated_at: null, stopped_by: 'completed', settle_s: 1, slo_not_per_step: [],
  };
  const svg = capacitySvg(capacityChartData(s)!);
  const tp = groups(svg, 'cap-throughput').find((x) => x.includes('data-series'))!;
  assert.equal([...tp.matchAll(/<circle /g)].length, 3, 'throughput measured at every step');
  const p95 = groups(svg, 'cap-ttft-p95').find((x) => x.includes('data-series'))!;
  assert.equal([...p95.matchAll(/<circle /g)].length, 2, 'no TTFT point where no request ended ok');
  assert.equal((attr(p95, 'd') ?? '').split('M').length - 1, 2, 'the line breaks at the gap');
  assert.match(svg, />requests\/s offered</);
  assert.equal(Number(attr(groups(svg, 'cap-capacity').find((g) => g.includes('data-level'))!, 'data-level')), 2);
  assert.equal(Number(attr(groups(svg, 'cap-knee').find((g) => g.includes('data-level'))!, 'data-level')), 0.5);
  // A made-up SLO text with markup (the chart only draws latency SLOs it can read; the table shows any).
  const t = capacityTable({ ...s, steps: s.steps.map((x) => ({ ...x, slos: [{ text: odd, pass: false, actual: 2, actual_text: '<b>2s</b>' }] as SweepStepFigures['slos'], slo_met: false })) })!;
  assert.equal(t.rows[1]!.cells[7], `broke: ${odd} (<b>2s</b>)`);
  const html = capacitySection({ sweep: { ...s, steps: s.steps.map((x) => ({ ...x, slos: [{ text: odd, pass: false, actual: 2, actual_text: '<b>2s</b>' }] as SweepStepFigures['slos'] })) } } as unknown as Summary);
  assert.doesNotMatch(html, /<script>|<b>/);
  assert.match(html, /broke: e2e p95 &lt;= 1\.5s&lt;script&gt;x&lt;\/script&gt; \(&lt;b&gt;2s&lt;\/b&gt;\)/);
  assert.deepEqual(t.headers.slice(0, 2), ['offered req/s', 'served req/s']);
});

let browser: Browser | undefined;
after(async () => browser?.close());

test('in Chromium: the SVG is drawn under the CSP with no error, and the app\'s capacity chart has its table twin, one row per step', async () => {
  await buildWebviewBundle();
  const out = path.join(tmp, 'sweep-browser.html');
  assert.equal(await runReport([sweepDir, '--html', out], { out: () => undefined, err: () => undefined }), 0);
  browser = await openBrowser();
  const { page, errors, blocked } = browser;
  await page.goto(pathToFileURL(out).href);
  const box = await page.locator('svg.capacity-svg').boundingBox();
  assert.ok(box && box.width > 300 && box.height > 100, `the SVG has a size: ${JSON.stringify(box)}`);
  // The stylesheet's theme colour reached the throughput line (a class rule, not an inline style).
  const stroke = await page.locator('svg.capacity-svg .cap-throughput path').evaluate((p) => getComputedStyle(p).stroke);
  assert.match(stroke, /^rgb/);
  // The app's own chart in the Live tab, drawn with its screen-reader twin.
  await page.waitForSelector('canvas[data-chart="capacity"][data-points]');
  assert.ok(await canvasDrawn(page, 'canvas[data-chart="capacity"]'));
  const n = sweep.steps.length;
  assert.equal(await page.getAttribute('canvas[data-chart="capacity"]', 'data-points'), String(n));
  assert.equal(await page.getAttribute('canvas[data-chart="capacity"]', 'data-capacity'), String(sweep.capacity!.level));
  assert.equal(await page.locator('table[data-chart-table="capacity"] tbody tr').count(), n);
  assert.equal(await page.locator('table[data-chart-table="capacity"] tbody tr[data-capacity]').getAttribute('data-level'), String(sweep.capacity!.level));
  await page.locator('section.report-capacity').scrollIntoViewIfNeeded();
  fs.mkdirSync(TEST_OUTPUT, { recursive: true });
  await page.locator('section.report-capacity').screenshot({ path: path.join(TEST_OUTPUT, 'report-capacity.png') });
  assert.deepEqual(errors, []);
  assert.deepEqual(blocked, []);

});

test('axis tops: the smallest round number at or above the highest value whose quarters are round', async () => {
  const { niceCeil } = await import('../../src/core/report/capacity-svg');
  assert.deepEqual([2068, 2.625, 0.3, 999, 1000, 1001, 7].map((v) => niceCeil(v, 0.01)), [2400, 3, 0.3, 1000, 1000, 1200, 8]);
  assert.equal(niceCeil(3, 10), 10, 'never under the floor');
});
