// A target that goes down mid-run, sheds load with 429s or 503s: closed-loop users back off (no
// retry storm), open-loop arrivals keep their schedule (and skip while down when asked), the outage
// is reported with its start and end, and the run recovers. Real HTTP over loopback; counts are
// checked against the documented bounds with generous margins, never the machine's speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRun } from '../../src/core/run/runner';
import type { RequestRecord } from '../../src/core/metrics/record';
import type { SeriesRow } from '../../src/core/metrics/aggregate';
import type { Summary } from '../../src/core/metrics/summary';
import type { RunPlan } from '../../src/core/scenario/plan';
import { DEFAULT_BACKOFF } from '../../src/core/load/backoff';
import { plan } from '../helpers/plans';
import { summaryText } from '../../src/cli/format';

type Mode = 'up' | 'down' | '503' | '429';

const STREAM =
  'data: {"id":"r","choices":[{"delta":{"role":"assistant","content":null}}]}\n\n' +
  'data: {"id":"r","choices":[{"delta":{"content":"Paris"}}]}\n\n' +
  'data: {"id":"r","choices":[{"delta":{"content":" is"}}]}\n\n' +
  'data: {"id":"r","choices":[{"delta":{},"finish_reason":"stop"}]}\n\n' +
  'data: [DONE]\n\n';

/**
 * An OpenAI-chat stand-in like llama-server: streams an answer over ~30 ms; `down` closes the
 * listening socket (connections are refused), `503` answers "Loading model", `429` rate-limits with
 * Retry-After: 1. GETs (health, models) answer 200 while it listens.
 */
class Target {
  mode: Mode = 'up';
  port = 0;
  /** Chat requests that reached the server, by mode at arrival. */
  readonly got: Record<Mode, number> = { up: 0, down: 0, '503': 0, '429': 0 };
  private server!: http.Server;

  async listen(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","data":[]}');
        return;
      }
      this.got[this.mode]++;
      if (this.mode === '503') {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"Loading model","type":"unavailable_error","code":503}}');
      } else if (this.mode === '429') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"error":{"message":"rate limited"}}');
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(STREAM.slice(0, STREAM.indexOf('\n\n') + 2));
        setTimeout(() => res.end(STREAM.slice(STREAM.indexOf('\n\n') + 2)), 30);
      }
    });
  }

  /** Killed: the listening socket closes and open connections are cut. */
  async kill(): Promise<void> {
    this.mode = 'down';
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Restarted on the same port. */
  async restart(): Promise<void> {
    await this.listen();
    this.mode = 'up';
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

async function run(p: RunPlan, schedule: Array<[number, () => Promise<void> | void]>): Promise<{ summary: Summary; records: RequestRecord[]; series: SeriesRow[]; events: number[] }> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-outage-')), 'run');
  const h = await startRun(p, { outDir: dir, workers: 2 });
  // When each scheduled change happened (epoch ms), then on the run's clock.
  const at: number[] = [];
  const timers = schedule.map(([ms, f]) =>
    setTimeout(() => {
      at.push(Date.now());
      void f();
    }, ms),
  );
  const { summary } = await h.done;
  const events = at.map((e) => e - Date.parse(summary.started_at));
  timers.forEach(clearTimeout);
  const records = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestRecord);
  const series = JSON.parse(fs.readFileSync(path.join(dir, 'series.json'), 'utf8')) as SeriesRow[];
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  return { summary, records, series, events };
}

const closed = (url: string, users: number, duration_ms: number, over: Partial<RunPlan> = {}): RunPlan =>
  plan({ target: { kind: 'url', url }, model: 'm', load: { kind: 'users', users, duration_ms }, timeouts: { total_ms: 5000 }, ...over });

test('killed and restarted mid-run: failing requests stay under the backoff bound, the outage is reported, the run recovers', async (t) => {
  const target = new Target();
  await target.listen();
  const users = 4;
  const { summary, records, series, events } = await run(closed(target.url, users, 5000), [
    [1300, () => target.kill()],
    [3800, () => target.restart()],
  ]);
  await target.close();
  const [killedAt, restartedAt] = events as [number, number];
  const failed = records.filter((r) => r.status === 'error');
  const downS = (restartedAt - killedAt) / 1000;
  // The documented bound: each user waits at least `base` after a no-answer failure, so at most
  // users / base failing requests per second (here 4 x 10/s); one in flight per user may land on top.
  const cap = users * (downS / (DEFAULT_BACKOFF.base_ms / 1000)) + users;
  t.diagnostic(`killed at ${killedAt}, restarted at ${restartedAt}; outage ${downS.toFixed(2)} s: ${failed.length} failed (cap ${cap}), outages ${JSON.stringify(summary.outages)}`);
  assert.ok(failed.length > 0, 'the outage was seen');
  assert.ok(failed.length <= cap, `${failed.length} failing requests in a ${downS.toFixed(1)} s outage, cap ${cap}`);
  // In practice far fewer, the waits growing: the old engine sent thousands per second.
  assert.ok(failed.length < 60, String(failed.length));
  assert.ok(failed.every((r) => r.error!.kind === 'connect' || r.error!.kind === 'disconnect'), JSON.stringify(summary.errors));

  // The outage: one, starting at the kill and ending after the restart, holding every failure.
  assert.equal(summary.outages?.length, 1, JSON.stringify(summary.outages));
  const o = summary.outages![0]!;
  assert.ok(o.start_ms >= killedAt - 200 && o.start_ms <= killedAt + 500, `start ${o.start_ms} vs kill at ${killedAt}`);
  assert.ok(o.end_ms >= restartedAt - 200 && o.end_ms <= restartedAt + 10_500, `end ${o.end_ms} vs restart at ${restartedAt}`);
  assert.equal(o.recovered, true);
  // Streams cut by the kill after their first output got an answer: they are failures, not outage ones.
  const noAnswer = failed.filter((r) => r.ttft_ms === null);
  assert.ok(o.failed <= noAnswer.length && o.failed >= noAnswer.length - users, `${o.failed} failed in the outage, ${noAnswer.length} without an answer: ${JSON.stringify(o)}`);
  assert.ok((o.kinds.connect ?? 0) >= 3, JSON.stringify(o.kinds));
  assert.ok(o.held_back >= o.failed - users && o.held_back <= o.failed + users, `held back ${o.held_back}, failed ${o.failed}`);
  assert.equal(summary.outage_totals?.backoff, '100ms..10s');
  assert.equal(summary.outage_totals?.outages, 1);
  assert.ok(summary.outage_totals!.held_back >= o.held_back, 'the run holds the outage');
  assert.ok(summary.outage_totals!.backoff_wait_ms > 0, 'users waited');

  // The run recovered: successes before the kill and after the restart.
  assert.ok(records.some((r) => r.status === 'ok' && r.offset_ms < killedAt), 'successes before the kill');
  assert.ok(records.filter((r) => r.status === 'ok' && r.offset_ms > restartedAt).length >= users, 'every user got going again');
  // series.json flags the seconds of the outage and counts what was held back in them.
  const down = series.filter((r) => r.down === 1).map((r) => r.t);
  assert.ok(down.includes(Math.floor(killedAt / 1000) + 1) && down.includes(Math.floor(restartedAt / 1000) - 1), JSON.stringify(down));
  assert.ok(!down.includes(0), `the first second was up: ${JSON.stringify(down)}`);
  assert.equal(series.reduce((s, r) => s + (r.held_back ?? 0), 0), summary.outage_totals!.held_back);
  // The CLI summary lists it.
  const text = summaryText(summary, '/tmp/x');
  assert.match(text, /outages: 1, down \d+\.\ds in all, \d+ failed with no answer; \d+ request\(s\) held back by backoff 100ms\.\.10s/);
  assert.match(text, new RegExp(`    ${(o.start_ms / 1000).toFixed(1)}s - ${(o.end_ms / 1000).toFixed(1)}s: .* down, ${o.failed} failed \\(.*connect ${o.kinds.connect}.*\\), ${o.held_back} held back`));
});

test('backoff off: the old behaviour, every user resends at once, far above the backoff bound', async (t) => {
  const target = new Target();
  await target.listen();
  const users = 2;
  const { summary, records, events } = await run(closed(target.url, users, 2500, { backoff: false }), [
    [500, () => target.kill()],
    [1500, () => target.restart()],
  ]);
  await target.close();
  const downS = (events[1]! - events[0]!) / 1000;
  const failed = records.filter((r) => r.status === 'error').length;
  const cap = users * (downS / (DEFAULT_BACKOFF.base_ms / 1000)) + users;
  t.diagnostic(`backoff off, outage ${downS.toFixed(2)} s: ${failed} failed`);
  assert.ok(failed > 2 * cap, `${failed} failing requests without backoff (the bound with it: ${cap})`);
  assert.equal(summary.outage_totals?.backoff, 'off');
  assert.equal(summary.outage_totals?.held_back, 0);
  assert.equal(summary.outages?.length, 1, 'outages are still reported');
});

test('429 with Retry-After: 1: at most about one request per user per second', async (t) => {
  const target = new Target();
  await target.listen();
  target.mode = '429';
  const users = 3;
  const seconds = 3;
  const { summary } = await run(closed(target.url, users, seconds * 1000), []);
  await target.close();
  t.diagnostic(`429 for ${seconds} s, ${users} users: ${target.got['429']} requests`);
  // Each user sends at once, then once per second Retry-After allows: seconds + 1 each at most.
  assert.ok(target.got['429'] <= users * (seconds + 1), `${target.got['429']} requests`);
  assert.ok(target.got['429'] >= users, 'every user tried');
  assert.equal(summary.errors.http_429, target.got['429']);
  assert.equal(summary.outages?.length, 1);
  assert.equal(summary.outages![0]!.recovered, false, 'never recovered before the run ended');
  assert.deepEqual(Object.keys(summary.outages![0]!.kinds), ['http_429']);
});

test('503 "Loading model" for two seconds: bounded failing traffic, an outage of http_5xx, and recovery', async (t) => {
  const target = new Target();
  await target.listen();
  const users = 4;
  const { summary, records, events } = await run(closed(target.url, users, 4500), [
    [500, () => void (target.mode = '503')],
    [2500, () => void (target.mode = 'up')],
  ]);
  await target.close();
  const downS = (events[1]! - events[0]!) / 1000;
  const cap = users * (downS / (DEFAULT_BACKOFF.base_ms / 1000)) + users;
  t.diagnostic(`503 for ${downS.toFixed(2)} s: ${target.got['503']} requests got 503 (cap ${cap}), outages ${JSON.stringify(summary.outages)}`);
  assert.ok(target.got['503'] >= users && target.got['503'] <= cap, `${target.got['503']} requests got 503 (cap ${cap})`);
  assert.equal(summary.outages?.length, 1, JSON.stringify(summary.outages));
  const o = summary.outages![0]!;
  assert.deepEqual(Object.keys(o.kinds), ['http_5xx']);
  // A stream sent just before the switch may answer after the first 503s: it neither ends the outage
  // nor breaks the row (docs/metrics.md, Outages), so every 503 but those seen before an earlier
  // answer belongs to the one outage.
  assert.ok(o.failed <= target.got['503'] && o.failed >= target.got['503'] - users, `${o.failed} in the outage of ${target.got['503']}`);
  assert.ok(o.end_ms >= events[1]! - 200, `${o.end_ms} vs ${events[1]}`);
  assert.ok(records.some((r) => r.status === 'ok' && r.offset_ms > events[1]!), 'recovered');
});

test('open loop keeps its schedule through an outage; with skip, arrivals while down are skipped and counted', async (t) => {
  const rate = 40;
  const duration = 3000;
  const openPlan = (url: string, skip: boolean): RunPlan =>
    plan({ target: { kind: 'url', url }, model: 'm', load: { kind: 'rate', per_s: rate, duration_ms: duration, arrival: 'uniform' }, timeouts: { total_ms: 5000 }, ...(skip ? { backoff: { ...DEFAULT_BACKOFF, skip: true } } : {}) });

  // Without skip: every arrival is sent, and never more than the schedule holds.
  const a = new Target();
  await a.listen();
  const keep = await run(openPlan(a.url, false), [
    [800, () => a.kill()],
    [1800, () => a.restart()],
  ]);
  await a.close();
  const scheduled = (rate * duration) / 1000;
  assert.ok(keep.records.length <= scheduled, `${keep.records.length} sent, ${scheduled} scheduled`);
  assert.ok(keep.records.length >= scheduled - 2, `${keep.records.length} sent, ${scheduled} scheduled`);
  const keptFailed = keep.records.filter((r) => r.status === 'error').length;
  assert.ok(keptFailed >= 20, `the outage's arrivals were sent and failed: ${keptFailed}`);
  assert.equal(keep.summary.outage_totals?.held_back, 0);

  // With skip: arrivals while down are held back; probes find the restart.
  const b = new Target();
  await b.listen();
  const skip = await run(openPlan(b.url, true), [
    [800, () => b.kill()],
    [1800, () => b.restart()],
  ]);
  await b.close();
  const skipFailed = skip.records.filter((r) => r.status === 'error').length;
  const held = skip.summary.outage_totals!.held_back;
  t.diagnostic(`rate ${rate}/s: ${keep.records.length} sent of ${scheduled}, ${keptFailed} failed; with skip ${skip.records.length} sent, ${skipFailed} failed, ${held} skipped`);
  assert.ok(held >= 10, `held back ${held}`);
  assert.ok(skipFailed < keptFailed / 2, `failed with skip ${skipFailed}, without ${keptFailed}`);
  assert.equal(skip.records.length + held, scheduled, 'every arrival was either sent or counted as skipped');
  assert.equal(skip.summary.outage_totals?.backoff, '100ms..10s skip');
  assert.ok(skip.records.some((r) => r.status === 'ok' && r.offset_ms > skip.events[1]!), 'recovered');
});
