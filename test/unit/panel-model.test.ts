import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LiveDelta, Progress, RequestRow } from '../../src/core/messages';
import type { SeriesRow } from '../../src/core/metrics/aggregate';
import type { Summary } from '../../src/core/metrics/summary';
import { panelCsp, panelHtml } from '../../src/extension/panel/panel-html';
import { PanelModel } from '../../src/extension/panel/panel-model';
import { ViewStateStore } from '../../src/extension/panel/view-state-store';
import { writeXssRun } from '../vscode/panel/fixtures';

function progress(ok: number): Progress {
  return { elapsed_s: ok, planned_s: 10, active_users: 2, target_users: 2, in_flight: 2, sent: ok + 2, ok, failed: 0, qpm: 60, ttft_p95_ms: 100, token_rate_p50: 50 };
}
function srow(t: number, ok: number): SeriesRow {
  return { t, active_users: 2, in_flight: 2, sent: 1, completed: ok, ok, failed: 0, qpm: ok * 60, ttft_p50: 1, ttft_p95: 2, ttft_p99: 3, ttfa_p50: 4, ttfa_p95: 5, token_rate_p50: 6, output_tokens_per_s: 7, errors: {} };
}
function req(id: number, input: number): RequestRow {
  return { id, prompt: 'p', status: 'ok', offset_ms: id, ttft_ms: id, ttfa_ms: id, e2e_ms: 10, token_rate: 5, input_tokens: input, output_tokens: 3 };
}

test('the panel CSP allows scripts by nonce only and styles/images/fonts from the extension', () => {
  assert.equal(panelCsp('https://x.vscode-cdn.net', 'N0nce'), "default-src 'none'; script-src 'nonce-N0nce'; style-src https://x.vscode-cdn.net 'nonce-N0nce'; img-src https://x.vscode-cdn.net data:; font-src https://x.vscode-cdn.net");
  const html = panelHtml({ cspSource: 'https://x.vscode-cdn.net', scriptUri: 'https://x/app.js?a=1&b="2"', styleUri: 'https://x/app.css', nonce: 'N0nce' });
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-N0nce&#39;;/);
  const scripts = html.match(/<script[^>]*>/g) ?? [];
  assert.deepEqual(scripts, ['<script nonce="N0nce" src="https://x/app.js?a=1&amp;b=&quot;2&quot;">']);
  assert.match(html, /<link rel="stylesheet" href="https:\/\/x\/app.css" nonce="N0nce">/);
  assert.doesNotMatch(html, /style=/);
});

test('a live run: rows accumulate with their bucket, series merge by second, messages are batched, the finish brings the summary', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-pm-'));
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ scenario: 'Live one', buckets: [100] }));
  const m = new PanelModel('/w/a.llmload', 'a', '/w/a.llmload', 200);
  assert.equal(m.current().state, 'idle');
  m.startRun(dir);
  assert.deepEqual(m.current().buckets, [100]);
  assert.equal(m.current().scenario, 'Live one');
  const d = (ok: number, rows: SeriesRow[], reqs: RequestRow[]): LiveDelta => ({ progress: progress(ok), series: rows, requests: reqs });
  const first = m.live(d(1, [srow(0, 1)], [req(1, 50)]), 1000);
  assert.ok(first, 'the first delta goes out at once');
  assert.equal(m.live(d(2, [srow(0, 2)], [req(2, 150)]), 1050), null, 'held: inside the interval');
  assert.equal(m.live(d(3, [srow(0, 2), srow(1, 1)], [req(3, 50)]), 1100), null);
  assert.ok(m.hasPending);
  const batched = m.flush(1300)!;
  assert.deepEqual(batched.requests.map((r) => r.id), [2, 3]);
  const msg = m.liveMessage(batched);
  assert.equal(msg.type === 'live' && msg.requests_total, 3);
  const snap = m.current();
  assert.deepEqual(snap.series.map((r) => [r.t, r.ok]), [
    [0, 2],
    [1, 1],
  ]);
  const page = m.page({ sort: 'id', desc: false, page: 0, page_size: 10 });
  assert.deepEqual(page.rows.map((r) => r.bucket !== undefined), [true, true, true]);
  assert.notEqual(page.rows[0]!.bucket, page.rows[1]!.bucket);
  assert.equal(page.facets.buckets.length, 2);
  fs.writeFileSync(path.join(dir, 'series.json'), JSON.stringify([srow(0, 2), srow(1, 1), srow(2, 4)]));
  m.finishRun({ scenario: 'Live one', requests: { total: 3 } } as unknown as Summary);
  assert.equal(m.current().state, 'finished');
  assert.equal(m.current().series.length, 3, 'the written series replaces the live one');
  // A new run resets the table.
  m.startRun(dir);
  assert.equal(m.current().requests_total, 0);
  assert.equal(m.current().state, 'running');
});

test('the model answers the view: snapshot on ready, pages, details, runs, comparison, and errors as messages', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-pm-'));
  const dir = writeXssRun(root);
  const other = path.join(root, '20261127T000000Z-older');
  fs.cpSync(dir, other, { recursive: true });
  const m = new PanelModel(dir, 'xss', '');
  await m.loadRun(dir);
  const ready = await m.answer({ type: 'ready' });
  assert.equal(ready?.type, 'snapshot');
  assert.equal(ready?.type === 'snapshot' && ready.snapshot.requests_total, 2);
  const page = await m.answer({ type: 'page', seq: 7, query: { sort: 'ttft_ms', desc: true, page: 0, page_size: 50, status: 'error' } });
  assert.ok(page?.type === 'page');
  assert.equal(page.seq, 7);
  assert.deepEqual(page.page.rows.map((r) => r.id), [1]);
  const detail = await m.answer({ type: 'detail', seq: 2, id: 0 });
  assert.ok(detail?.type === 'detail' && detail.detail);
  assert.equal(detail.detail.packets.length, 6);
  assert.equal(detail.detail.request_headers.Authorization, '<redacted>');
  const runs = await m.answer({ type: 'listRuns' });
  assert.ok(runs?.type === 'runs');
  assert.deepEqual(runs.runs.map((r) => path.basename(r.dir)), ['20261128T000000Z-xss', '20261127T000000Z-older']);
  const cmp = await m.answer({ type: 'compare', other });
  assert.ok(cmp?.type === 'comparison' && cmp.view);
  assert.equal(cmp.view.comparison.b.dir, dir);
  assert.equal(cmp.view.seriesA.length, 3);
  const bad = await m.answer({ type: 'compare', other: path.join(root, 'missing') });
  assert.ok(bad?.type === 'comparison' && bad.view === null && /no such run folder/.test(bad.error ?? ''));
  assert.equal(await m.answer({ type: 'exportReport' }), null, 'export is the host’s job');
  const idle = new PanelModel('k', 'k', '');
  const none = await idle.answer({ type: 'detail', seq: 1, id: 0 });
  assert.ok(none?.type === 'detail' && none.detail === null && none.error);
});

test('view states survive a restart through the store file; a broken file starts empty', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-vs-'));
  const file = path.join(dir, 'sub', 'views.json');
  const a = new ViewStateStore(file);
  assert.equal(a.get('k'), undefined);
  a.set('k', { key: 'k', runDir: '/r', tab: 'requests', selected: 4 });
  a.set('k2', { key: 'k2', runDir: null, tab: 'live', selected: null });
  const b = new ViewStateStore(file);
  assert.deepEqual(b.get('k'), { key: 'k', runDir: '/r', tab: 'requests', selected: 4 });
  fs.writeFileSync(file, '{broken');
  assert.equal(new ViewStateStore(file).get('k'), undefined);
  const m = new PanelModel('k', 'k', '');
  m.viewState = { key: 'k', runDir: '/elsewhere', tab: 'requests', selected: 1 };
  assert.equal(m.current().view, undefined, 'a state of another run is not replayed');
});
