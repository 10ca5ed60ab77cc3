// A target that goes away mid-run: the requests it refuses are classified `connect`, the run goes
// on to its stop condition, and what was measured before stays on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRun } from '../../src/core/run/runner';
import { plan } from '../helpers/plans';

test('connection refused after the server goes down mid-run: classified, and the run goes on', async () => {
  let served = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      served++;
      res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'close' });
      res.end('data: {"id":"r","choices":[{"delta":{"content":"ok"}}]}\n\ndata: {"id":"r","choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
      if (served === 3) {
        server.close();
        server.closeAllConnections();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-fail-')), 'run');
  const h = await startRun(plan({ target: { kind: 'url', url }, load: { kind: 'users', users: 1, duration_ms: 30_000 }, stop: { after_requests: 10 } }), { outDir: dir });
  const { summary } = await h.done;
  assert.equal(summary.ended_by, 'requests');
  assert.equal(summary.requests.ok, 3);
  assert.equal(summary.requests.failed, 7);
  // The request sent while the last response's socket was still closing may see that close
  // (disconnect) rather than a refused connection; every later one is refused.
  assert.equal((summary.errors.connect ?? 0) + (summary.errors.disconnect ?? 0), 7, JSON.stringify(summary.errors));
  assert.ok((summary.errors.connect ?? 0) >= 6, JSON.stringify(summary.errors));
  assert.match(summary.error_samples.connect ?? '', /ECONNREFUSED|refused/i);
  const lines = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.status), ['ok', 'ok', 'ok', 'error', 'error', 'error', 'error', 'error', 'error', 'error']);
  assert.ok(lines.slice(4).every((l) => l.http_status === null && l.error.kind === 'connect'));
});
