/**
 * Shared by the panel's and the report's browser tests: a headless Chromium with every network
 * request refused and recorded, console errors collected, and a run folder whose every text field
 * carries script-injection payloads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

// Browser globals inside page.evaluate callbacks (the project's tsconfig has no DOM typings).
type HTMLCanvasElement = { width: number; height: number; getContext(kind: '2d'): any };

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const TEST_OUTPUT = path.join(ROOT, 'test-output');

/** Builds dist/webview (the app the panel and reports load). */
export async function buildWebviewBundle(): Promise<void> {
  const mod = (await import(path.join(ROOT, 'webview', 'build.mjs'))) as { buildWebview(o?: object): Promise<void> };
  await mod.buildWebview();
}

export interface Browser {
  ctx: BrowserContext;
  page: Page;
  /** Console errors and page errors, as text. */
  errors: string[];
  /** Requests to anything but file: URLs (all refused). */
  blocked: string[];
  dialogs: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const errors: string[] = [];
  const blocked: string[] = [];
  const dialogs: string[] = [];
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return {
    ctx,
    page,
    errors,
    blocked,
    dialogs,
    close: async () => {
      await ctx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True when the canvas has at least one non-transparent pixel. */
export async function canvasDrawn(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (c) => {
    const canvas = c as HTMLCanvasElement;
    const ctx = canvas.getContext('2d');
    if (!ctx || canvas.width === 0 || canvas.height === 0) return false;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
    return false;
  });
}

export const XSS = {
  script: '<script>window.__xss = "script"; alert("script")</script>',
  img: '<img src=x onerror="window.__xss = \'img\'; alert(\'img\')">',
  link: '<a href="javascript:window.__xss=\'link\'">click me</a> javascript:alert(1)',
  breakout: '</script><script>window.__xss = "breakout"</script><!--',
  svg: '<svg onload="window.__xss=\'svg\'"></svg>',
};
export const ALL_XSS = Object.values(XSS).join(' ');

/** A finished run folder whose scenario, prompt, headers, error messages, answer and thinking text all carry payloads. */
export function writeXssRun(root: string): string {
  const dir = path.join(root, '20261128T000000Z-xss');
  fs.mkdirSync(dir, { recursive: true });
  const pct = { p50: 10, p90: 20, p95: 30, p99: 40, max: 50, mean: 15 };
  fs.writeFileSync(
    path.join(dir, 'plan.json'),
    JSON.stringify({ scenario: `xss ${XSS.script}`, file: '', buckets: [1024], headers: { 'X-Note': XSS.img, Authorization: 'Bearer sk-should-never-show' } }),
  );
  const summary = {
    scenario: `xss ${XSS.script}`,
    file: '',
    target: `http://127.0.0.1:1/${XSS.img}`,
    api: 'openai-chat',
    model: XSS.link,
    started_at: '2026-11-28T00:00:00.000Z',
    duration_s: 3,
    ended_by: 'completed',
    requests: { total: 2, ok: 1, failed: 1, cancelled: 0, warmup: 0 },
    success_rate: 0.5,
    qpm: 20,
    rps: 0.33,
    output_tokens_per_s: 10,
    tokens: { input: 20, output: 30, thinking: 5 },
    ttft_ms: pct,
    ttfa_ms: pct,
    e2e_ms: pct,
    thinking_ms: pct,
    token_rate: pct,
    errors: { http_5xx: 1 },
    error_samples: { http_5xx: `upstream said ${XSS.script} ${XSS.img} ${XSS.breakout}` },
    warnings: {},
    expectations: [{ text: `ttft p95 < 1s ${XSS.svg}`, pass: true, actual: 30, actual_text: XSS.img }],
    histograms: {},
    buckets: [{ label: `<1k ${XSS.img}`, count: 2, ttft_ms: pct }],
  };
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
  const row = (t: number) => ({ t, active_users: 1, in_flight: 1, sent: 1, completed: 1, ok: 1, failed: t === 1 ? 1 : 0, qpm: 60, ttft_p50: 10, ttft_p95: 20, ttft_p99: 30, ttfa_p50: 15, ttfa_p95: 25, token_rate_p50: 40, output_tokens_per_s: 10, errors: t === 1 ? { http_5xx: 1 } : {} });
  fs.writeFileSync(path.join(dir, 'series.json'), JSON.stringify([row(0), row(1), row(2)]));
  const base = { user: 0, start_ms: 0, http_status: 200, thinking_ms: 5, input_tokens: 10, output_tokens: 15, output_tokens_source: 'server', thinking_tokens: 2, thinking_tokens_source: 'server', finish_reason: 'stop', packets: {} };
  fs.writeFileSync(
    path.join(dir, 'requests.jsonl'),
    [
      { ...base, id: 0, prompt: `p ${XSS.img}`, offset_ms: 10, status: 'ok', ttft_ms: 10, ttfa_ms: 20, e2e_ms: 400, token_rate: 40 },
      { ...base, id: 1, prompt: `p ${XSS.img}`, offset_ms: 1000, status: 'error', http_status: 500, ttft_ms: null, ttfa_ms: null, e2e_ms: 30, token_rate: null, error: { kind: 'http_5xx', message: `HTTP 500: ${XSS.script} ${XSS.breakout} ${XSS.link}` } },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );
  const packets = [
    { request: 0, t_ms: 5, kind: 'other', bytes: 80, text: `{"role":"assistant","x":"${XSS.svg.replace(/"/g, "'")}"}` },
    { request: 0, t_ms: 10, kind: 'thinking', bytes: 60, text: `thinking ${XSS.script}` },
    { request: 0, t_ms: 15, kind: 'thinking', bytes: 60, text: ` more ${XSS.svg}` },
    { request: 0, t_ms: 20, kind: 'answer', bytes: 60, text: `answer ${XSS.img}` },
    { request: 0, t_ms: 30, kind: 'answer', bytes: 60, text: ` ${XSS.link} ${XSS.breakout}` },
    { request: 0, t_ms: 400, kind: 'done', bytes: 14, text: '[DONE]' },
    { request: 1, t_ms: 30, kind: 'error', bytes: 90, text: `{"error":"${XSS.script.replace(/"/g, "'")}"}` },
  ];
  fs.writeFileSync(path.join(dir, 'packets.jsonl'), packets.map((p) => JSON.stringify(p)).join('\n') + '\n');
  return dir;
}
