/**
 * Stale keep-alive connections. llama.cpp's server answers with `Keep-Alive: timeout=5, max=100`
 * yet closes the connection after each stream; a request sent on that socket before its FIN
 * arrives fails with no response byte. These loopback stand-ins do the same: the run has no failed
 * request, the retries are counted in requests.jsonl and summary.json, the server's habit is noted
 * once, and `keep_alive off` opens a fresh connection for every request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { startRun } from '../../src/core/run/runner';
import { summaryText } from '../../src/cli/format';
import { connectionNote, closesAfterEachResponse, mergeConnectionStats } from '../../src/core/protocols/connections';
import type { RunPlan } from '../../src/core/scenario';
import { plan } from '../helpers/plans';

const SSE =
  'data: {"id":"r","choices":[{"delta":{"role":"assistant","content":null}}]}\n\n' +
  'data: {"id":"r","choices":[{"delta":{"content":"ok"}}]}\n\n' +
  'data: {"id":"r","choices":[{"delta":{},"finish_reason":"stop"}]}\n\n' +
  'data: [DONE]\n\n';

/** `close`: what the server does with the socket after each response; absent, it keeps it open for more. */
async function llamaLike(close?: (socket: Socket) => void): Promise<{ url: string; connections: () => number; served: () => number; stop: () => Promise<void> }> {
  let connections = 0;
  let served = 0;
  const server = http.createServer((req, res) => {
    // Like llama-server, a connection that carried a response serves nothing more: a request that
    // arrives before its close is dropped unanswered (Node would answer it, or parse one that
    // arrives after its FIN).
    const sock = req.socket as Socket & { answered?: boolean };
    if (close && sock.answered) {
      sock.destroy();
      return;
    }
    sock.answered = true;
    req.resume();
    req.on('end', () => {
      served++;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'keep-alive': 'timeout=5, max=100' });
      res.end(SSE);
      if (close) res.on('finish', () => close(req.socket));
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    connections: () => connections,
    served: () => served,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function outDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-keepalive-')), 'run');
}

function records(dir: string): Array<{ status: string; retries?: number; error?: { kind: string } }> {
  return fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

function runPlan(url: string, users: number, requests: number, over: Partial<RunPlan> = {}): RunPlan {
  return plan({ target: { kind: 'url', url }, model: 'm', load: { kind: 'users', users, duration_ms: 120_000 }, stop: { after_requests: requests }, trace: { mode: 'failures' }, ...over });
}

test('a server that closes each connection just after its response: 4 users x 200 requests, no failure, the retries counted and the habit noted', async (t) => {
  // The FIN goes out 1 ms after the response: the next request often leaves before it arrives.
  const s = await llamaLike((socket) => setTimeout(() => socket.end(), 1));
  try {
    const dir = outDir();
    const h = await startRun(runPlan(s.url, 4, 800), { outDir: dir });
    const { summary } = await h.done;
    assert.equal(summary.requests.failed, 0, JSON.stringify(summary.errors));
    // (requests in flight when the 800th ends still finish)
    assert.ok(summary.requests.ok >= 800, String(summary.requests.ok));
    const recs = records(dir);
    assert.equal(recs.length, summary.requests.total);
    assert.ok(recs.every((r) => r.status === 'ok'));
    const retried = recs.reduce((n, r) => n + (r.retries ?? 0), 0);
    const c = summary.connections!;
    assert.ok(c, 'summary.json has connections');
    t.diagnostic(`connections ${JSON.stringify(c)}`);
    assert.equal(c.retries, retried, 'the summary total equals the records');
    assert.ok(retried >= 1, `at least one request met a closing connection (retries ${retried})`);
    assert.ok(recs.every((r) => (r.retries ?? 0) <= 1), 'a request is retried at most once');
    // Every response's connection was closed by the server: the run says so, once.
    assert.equal(c.responses, s.served());
    assert.ok(closesAfterEachResponse(c), JSON.stringify(c));
    assert.match(c.note ?? '', /the server closes connections after each response; llmload reconnects each time/);
    assert.equal(summaryText(summary, dir).split('\n').filter((l) => l.includes('closes connections after each response')).length, 1);
    // The retried sends reached the server only once each: it served one request per record.
    assert.equal(s.served(), recs.length);
  } finally {
    await s.stop();
  }
});

test('a request sent on a connection the server has already closed is retried once on a fresh one, never twice', async () => {
  // Deterministic: the server answers the first request of each connection and drops the
  // connection, unanswered, when a second request arrives on it.
  let connections = 0;
  let dropped = 0;
  const server = http.createServer((req, res) => {
    const sock = req.socket as Socket & { answered?: boolean };
    if (sock.answered) {
      dropped++;
      sock.destroy();
      return;
    }
    sock.answered = true;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(SSE);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  try {
    const dir = outDir();
    const h = await startRun(runPlan(url, 2, 400), { outDir: dir });
    const { summary } = await h.done;
    assert.equal(summary.requests.failed, 0, JSON.stringify(summary.errors));
    const recs = records(dir);
    const retried = recs.reduce((n, r) => n + (r.retries ?? 0), 0);
    assert.equal(retried, dropped, 'every dropped request was retried, and counted');
    assert.ok(dropped >= 100, `most second requests on a connection were dropped (${dropped})`);
    assert.equal(summary.connections?.retries, dropped);
    assert.ok(recs.every((r) => (r.retries ?? 0) <= 1));
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('keep_alive off: a fresh connection per request, closed after it; no retries and no note', async () => {
  const s = await llamaLike((socket) => setTimeout(() => socket.end(), 1));
  try {
    const dir = outDir();
    const h = await startRun(runPlan(s.url, 2, 200, { keep_alive: false }), { outDir: dir });
    const { summary } = await h.done;
    assert.equal(summary.requests.failed, 0, JSON.stringify(summary.errors));
    // (the run's preflight may open one more)
    assert.ok(s.served() >= 200 && s.connections() >= s.served(), `one connection per request (${s.connections()} for ${s.served()})`);
    assert.equal(summary.connections?.retries, 0);
    assert.equal(summary.connections?.keep_alive, false);
    assert.equal(summary.connections?.note, undefined);
  } finally {
    await s.stop();
  }
});

test('a server that keeps its connections open: reused, no retries, no note', async () => {
  const s = await llamaLike();
  try {
    const dir = outDir();
    const h = await startRun(runPlan(s.url, 2, 200), { outDir: dir });
    const { summary } = await h.done;
    assert.equal(summary.requests.failed, 0);
    assert.ok(s.connections() <= 4, `connections reused (${s.connections()} for 200 requests)`);
    assert.equal(summary.connections?.retries, 0);
    assert.equal(summary.connections?.closed_after_response, 0);
    assert.equal(summary.connections?.note, undefined);
  } finally {
    await s.stop();
  }
});

test('the connection note: said when nearly every response closed its connection, or when requests were retried', () => {
  const base = { opened: 100, responses: 100, closed_after_response: 0, retries: 0, keep_alive: true };
  assert.equal(connectionNote(base), undefined);
  assert.match(connectionNote({ ...base, closed_after_response: 95, retries: 3 }) ?? '', /closes connections after each response.*3 requests were sent on a connection the server was closing/);
  assert.match(connectionNote({ ...base, retries: 1 }) ?? '', /^1 request was sent on a connection the server was closing and retried on a fresh one/);
  assert.equal(connectionNote({ ...base, closed_after_response: 100, keep_alive: false }), undefined, 'keep_alive off closes them on purpose');
  assert.equal(connectionNote({ ...base, responses: 2, closed_after_response: 2 }), undefined, 'two responses say nothing');
  assert.deepEqual(mergeConnectionStats([base, undefined, { ...base, retries: 2 }]), { ...base, opened: 200, responses: 200, retries: 2 });
});

/** Diagnostics as `LINE:COL-LINE:COL severity: message` (1-based). */
function diagnose(text: string): string[] {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: () => undefined });
  return [...p.diagnostics, ...r.diagnostics].map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}`,
  );
}

const B = 'target http://127.0.0.1:9/v1\nmodel m\nload users 1 for 1s\nprompt "p"\n  user hi\n';
const W = 'target ws://127.0.0.1:9/ws\napi websocket\nload users 1 for 1s\nprompt "p"\n  user hi\n';

test('keep_alive in scenarios: off and on resolve into the plan, each mistake is one diagnostic', () => {
  const planOf = (text: string): RunPlan => {
    const p = parseScenario(text, '/virtual/s.llmload');
    const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, readFile: () => undefined });
    assert.deepEqual([...p.diagnostics, ...r.diagnostics], []);
    return r.plan!;
  };
  assert.equal(planOf(`${B}keep_alive off\n`).keep_alive, false);
  assert.equal(planOf(`${B}keep_alive on\n`).keep_alive, undefined);
  assert.equal(planOf(B).keep_alive, undefined);
  const cases: Array<[string, string[]]> = [
    [`${B}keep_alive\n`, ['6:1-6:11 error: keep_alive needs on or off; write keep_alive off (a fresh connection for every request) or keep_alive on (the default: connections are reused)']],
    [`${B}keep_alive of\n`, ['6:12-6:14 error: unexpected "of"; write keep_alive off (a fresh connection for every request) or keep_alive on (the default: connections are reused)']],
    [`${B}keep_alive offf\n`, ['6:12-6:16 error: unexpected "offf"; did you mean "off"?']],
    [`${B}keep_alive off now\n`, ['6:16-6:19 error: unexpected "now"; write keep_alive off (a fresh connection for every request) or keep_alive on (the default: connections are reused)']],
    [`${B}keep_alive off\nkeep_alive on\n`, ['7:1-7:11 error: duplicate "keep_alive" line; the first is on line 6']],
    [`${B}keepalive off\n`, ['6:1-6:10 error: unknown directive "keepalive"; did you mean "keep_alive"?']],
    [`${W}keep_alive off\n`, ['6:1-6:15 warning: keep_alive applies to HTTP APIs only: api websocket opens a connection per request anyway']],
  ];
  for (const [text, expect] of cases) assert.deepEqual(diagnose(text), expect, text);
});
