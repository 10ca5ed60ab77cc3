// Scraping during a real run over loopback: the built-in simulator's /metrics is scraped on its
// own and its series match the run; an endpoint that hangs, 404s or answers garbage is recorded
// scrape by scrape and the run still completes with every client result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startRun } from '../../src/core/run/runner';
import type { RequestRecord } from '../../src/core/metrics/record';
import { readScrapeLines, type ScrapeLine } from '../../src/core/server-metrics/scraper';
import { pointsOf } from '../../src/core/server-metrics/series';
import { startSimulator } from '../../src/core/sim';
import { claimRunDir } from '../../src/core/results/run-dir';
import { plan } from '../helpers/plans';

function tmp(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-srvm-')), 'run');
}

const lines = <T>(file: string): T[] => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);

test('a builtin target is scraped on its own: running stays within the users and slots, waiting shows the queue, counters rise by the requests served', async () => {
  const dir = tmp();
  // 2 serving slots, 4 users: half the users wait at the server.
  const p = plan({
    target: { kind: 'builtin', profile: 'chat?max_concurrency=2&decode_tokens_per_s=200&answer_tokens=20-20&overhead_ms=0&jitter=0' },
    model: 'sim',
    load: { kind: 'users', users: 4, duration_ms: 2500 },
    server_metrics: { url: 'builtin:', every_ms: 200 },
  });
  const h = await startRun(p, { outDir: dir, workers: 1 });
  const { summary, error } = await h.done;
  assert.equal(error, undefined);
  const recs = lines<RequestRecord>(path.join(dir, 'requests.jsonl'));
  const raw = lines<ScrapeLine>(path.join(dir, 'server-metrics.jsonl'));
  assert.ok(raw.length >= 8, `${raw.length} scrapes in 2.5 s at 200 ms`);
  assert.ok(raw.every((l) => l.ok && typeof l.t_s === 'number'));
  const { scrapes } = readScrapeLines(fs.readFileSync(path.join(dir, 'server-metrics.jsonl'), 'utf8'));
  const { engine, points } = pointsOf(scrapes);
  assert.equal(engine?.engine, 'vllm');
  assert.ok(points.every((pt) => pt.running! <= 2 && pt.running! <= 4), 'running never above the slots or the users');
  assert.ok(points.some((pt) => pt.running === 2), 'both slots busy at some scrape');
  assert.ok(points.some((pt) => pt.waiting! > 0), 'users beyond the slots wait');
  const served = (s: (typeof scrapes)[number]): number => s.samples.find((x) => x.name === 'vllm:request_success_total')!.value;
  assert.equal(served(scrapes[scrapes.length - 1]!) - served(scrapes[0]!) <= recs.length, true);
  // The last scrape comes after every request ended: the counter holds every request the run sent.
  assert.equal(served(scrapes[scrapes.length - 1]!), recs.length);
  const sm = summary.server_metrics!;
  assert.equal(sm.engine, 'vllm');
  assert.equal(sm.failed_scrapes, 0);
  assert.equal(sm.running!.max, 2);
  assert.equal(sm.queued, true);
  const outTokens = recs.reduce((a, r) => a + r.output_tokens, 0);
  assert.equal(sm.generation_tokens! <= outTokens, true);
  assert.ok(sm.generation_tokens! > 0);
});

test('an endpoint that hangs, 404s or answers garbage is recorded, and the run completes with all its client results', async () => {
  let hits = 0;
  const bad = http.createServer((req, res) => {
    hits++;
    const n = hits % 3;
    if (n === 1) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found');
    } else if (n === 2) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>metrics are elsewhere</body></html>');
    } // else: hang, never answer
  });
  await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
  const port = (bad.address() as AddressInfo).port;
  const sim = await startSimulator({ profile: 'chat?decode_tokens_per_s=2000&overhead_ms=0&answer_tokens=6-6', seed: 1 });
  try {
    const dir = tmp();
    const p = plan({
      target: { kind: 'url', url: sim.url },
      model: 'sim',
      load: { kind: 'users', users: 2, duration_ms: 2500 },
      server_metrics: { url: `http://127.0.0.1:${port}/metrics`, every_ms: 300 },
    });
    const h = await startRun(p, { outDir: dir, workers: 1 });
    const { summary, error } = await h.done;
    assert.equal(error, undefined);
    assert.equal(summary.ended_by, 'completed');
    const recs = lines<RequestRecord>(path.join(dir, 'requests.jsonl'));
    assert.equal(recs.length, summary.requests.total);
    assert.ok(summary.requests.ok > 5 && summary.requests.failed === 0);
    const raw = lines<ScrapeLine>(path.join(dir, 'server-metrics.jsonl'));
    assert.ok(raw.length >= 3);
    assert.ok(raw.every((l) => !l.ok));
    const errors = raw.map((l) => l.error!);
    assert.ok(errors.some((e) => e.startsWith('HTTP 404')), errors.join(' | '));
    assert.ok(errors.some((e) => e.startsWith('not Prometheus text format: line 1')), errors.join(' | '));
    assert.ok(errors.some((e) => /^no answer within \d+ ms$/.test(e)), errors.join(' | '));
    const sm = summary.server_metrics!;
    assert.equal(sm.failed_scrapes, raw.length);
    assert.equal(sm.engine, null);
    assert.equal(sm.queued, null);
    assert.ok(sm.scrape_errors.length > 0);
  } finally {
    await sim.close();
    bad.closeAllConnections();
    await new Promise<void>((r) => bad.close(() => r()));
  }
});

test('--force clears server-metrics.jsonl with the other run files', () => {
  const dir = tmp();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'server-metrics.jsonl'), '{}\n');
  assert.throws(() => claimRunDir(dir), /already holds a run \(server-metrics.jsonl\)/);
  claimRunDir(dir, { replace: true });
  assert.equal(fs.existsSync(path.join(dir, 'server-metrics.jsonl')), false);
});

test('llmload run: a failed server expectation exits 1 like a client SLO, and the summary says the server queued', async () => {
  const { runCli, tempDir } = await import('../helpers/cli');
  const dir = tempDir();
  const file = path.join(dir, 's.llmload');
  fs.writeFileSync(
    file,
    [
      'target builtin:chat?max_concurrency=1&decode_tokens_per_s=200&answer_tokens=10-10&overhead_ms=0',
      'load users 3 for 2s',
      'server metrics builtin: every 200ms',
      'prompt "p"',
      '  user hi',
      'expect',
      '  server waiting max == 0',
      '  server failed_scrapes == 0',
      '  server running max <= 1',
      '',
    ].join('\n'),
  );
  const r = await runCli(['run', file, '--out', path.join(dir, 'run')], dir);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /FAIL {2}server waiting max == 0 +actual [12]\b/);
  assert.match(r.stdout, /PASS {2}server failed_scrapes == 0 +actual 0/);
  assert.match(r.stdout, /PASS {2}server running max <= 1 +actual 1/);
  assert.match(r.stdout, /server metrics \(vllm, \d+\/\d+ scrapes ok\): running max 1, waiting max [12]/);
  assert.match(r.stdout, /the server queued requests \(waiting up to [12]\)/);
  assert.ok(fs.existsSync(path.join(dir, 'run', 'server-metrics.jsonl')));
});
