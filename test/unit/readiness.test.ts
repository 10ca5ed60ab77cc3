// Readiness before load: a server still loading its model (llama.cpp's `503 Loading model`) gets no
// load until it says it is ready; one that never does stops the run from starting (exit 3); one
// with no readiness endpoint does not hold the run back.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { readinessUrls, waitUntilReady } from '../../src/core/run/readiness';
import { RunStartError } from '../../src/core/run/preflight';
import { startScenarioRun } from '../../src/core/run/scenario-run';
import { loadTokenizer, type LoadedTokenizer } from '../../src/core/tokenize';
import { startStandin } from '../helpers/engine-standin';

function scenarioFile(url: string, extra = '', api = 'openai-chat'): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-ready-'));
  const file = path.join(dir, 'ready.llmload');
  fs.writeFileSync(
    file,
    `scenario "ready"\ntarget ${url}\napi ${api}\nmodel tiny\ntokenizer qwen3\nload users 2 for 30s\nstop after 4 requests\n${extra}` +
      `prompt "p"\n  user Say hello.\n  max_tokens 4\n`,
  );
  return { dir, file };
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string; progress: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), progress: (l) => progress.push(l), progressDone: () => undefined };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n'), progress };
}

describe('readiness endpoints per API', () => {
  it('asks /health at the server root, then the OpenAI models list; TGI /health then /info; Ollama its tags; none for websocket', () => {
    assert.deepEqual(readinessUrls('openai-chat', 'http://h:8000/v1'), ['http://h:8000/health', 'http://h:8000/v1/models']);
    assert.deepEqual(readinessUrls('openai-completions', 'http://h:8000/v1/'), ['http://h:8000/health', 'http://h:8000/v1/models']);
    assert.deepEqual(readinessUrls('anthropic', 'https://gw.example/llm/v1'), ['https://gw.example/llm/health', 'https://gw.example/llm/v1/models']);
    assert.deepEqual(readinessUrls('tgi', 'http://h:8080'), ['http://h:8080/health', 'http://h:8080/info']);
    assert.deepEqual(readinessUrls('ollama', 'http://h:11434'), ['http://h:11434/api/tags']);
    assert.deepEqual(readinessUrls('ollama', 'http://h:11434/api/'), ['http://h:11434/api/tags']);
    assert.deepEqual(readinessUrls('websocket', 'ws://h:9000/ws'), []);
  });
});

describe('waiting for the target to be ready', () => {
  let tok: LoadedTokenizer;
  before(async () => {
    tok = await loadTokenizer('qwen3');
  });

  it('a llama.cpp server that answers 503 Loading model for its first seconds gets no chat request before it is ready', { timeout: 60_000 }, async () => {
    const srv = await startStandin({ shape: 'llama.cpp', tok, loadingMs: 2500 });
    const { dir, file } = scenarioFile(srv.url);
    const waits: string[] = [];
    try {
      const started = await startScenarioRun(file, { outDir: path.join(dir, 'run'), env: {}, readyIntervalMs: 200, onReadinessWait: (w) => waits.push(w.status) });
      assert.equal(started.kind, 'started');
      if (started.kind !== 'started') return;
      const { summary } = await started.handle.done;
      const chats = srv.hits.filter((h) => h.method === 'POST' && h.path === '/v1/chat/completions');
      assert.ok(chats.length >= 4, `${chats.length} chat requests`);
      const early = chats.filter((h) => h.t_ms < srv.readyAt);
      assert.equal(early.length, 0, `chat requests while loading at ${early.map((h) => h.t_ms.toFixed(0)).join(', ')} ms`);
      assert.ok(chats.every((h) => h.status === 200));
      assert.equal(summary.requests.failed, 0, JSON.stringify(summary.errors));
      // The wait was seen and said what the server answered.
      assert.ok(waits.length >= 3, `${waits.length} waits`);
      assert.ok(waits.every((w) => w === '/health 503 Loading model'), waits.join(' | '));
      const healthProbes = srv.hits.filter((h) => h.path === '/health');
      assert.ok(healthProbes.some((h) => h.status === 503) && healthProbes.at(-1)!.status === 200);
      // Recorded in summary.json and plan.json.
      const r = summary.server?.readiness;
      assert.ok(r && r.checked && r.ready, JSON.stringify(summary.server));
      assert.equal(r.endpoint, '/health');
      assert.equal(r.waited_for, '/health 503 Loading model');
      assert.ok(r.waited_ms >= 2000 && r.waited_ms < 30_000, `waited ${r.waited_ms} ms`);
      const planJson = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'plan.json'), 'utf8'));
      assert.equal(planJson.server.readiness.endpoint, '/health');
      const summaryJson = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
      assert.equal(summaryJson.server.readiness.ready, true);
    } finally {
      await srv.close();
    }
  });

  it('the CLI shows the wait as it goes', { timeout: 60_000 }, async () => {
    const srv = await startStandin({ shape: 'llama.cpp', tok, loadingMs: 1500 });
    const { dir, file } = scenarioFile(srv.url);
    try {
      const r = await cli(['run', file, '--out', path.join(dir, 'run')]);
      assert.equal(r.code, 0, r.err);
      assert.ok(
        r.progress.some((l) => /^waiting for the target to be ready: \/health 503 Loading model \(\d+ s of 120 s\)$/.test(l)),
        r.progress.join('\n'),
      );
      assert.match(r.err, /the target is ready \(\/health 200\) after \d+\.\d s of \/health 503 Loading model/);
    } finally {
      await srv.close();
    }
  });

  it('a target that never gets ready: the run does not start (exit 3), says why and how to wait longer, and sends no load', { timeout: 60_000 }, async () => {
    const srv = await startStandin({ shape: 'llama.cpp', tok, loadingMs: 600_000 });
    const { dir, file } = scenarioFile(srv.url, 'timeout ready 1500ms\n');
    try {
      const r = await cli(['run', file, '--out', path.join(dir, 'run')]);
      assert.equal(r.code, 3, r.err);
      assert.match(r.err, /llmload: the target is not ready after \d+ s: \/health 503 Loading model\. .*`timeout ready 10m`/);
      assert.equal(srv.hits.filter((h) => h.method === 'POST').length, 0);
      assert.ok(!fs.existsSync(path.join(dir, 'run')), 'no run folder');
      // Bounded: a few probes a second at most, not a storm.
      const probes = srv.hits.filter((h) => h.method === 'GET').length;
      assert.ok(probes >= 2 && probes <= 20, `${probes} probes`);
    } finally {
      await srv.close();
    }
  });

  it('vLLM: /health 200 with an empty body is ready at once (one probe)', async () => {
    const srv = await startStandin({ shape: 'vllm', tok });
    try {
      const r = await waitUntilReady('openai-chat', srv.url, { interval_ms: 50 });
      assert.deepEqual({ checked: r.checked, ready: r.ready, endpoint: r.endpoint, probes: r.probes }, { checked: true, ready: true, endpoint: '/health', probes: 1 });
    } finally {
      await srv.close();
    }
  });

  it('no readiness endpoint (404 on /health and /v1/models): the run is not held back, and that is recorded', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      const r = await waitUntilReady('openai-chat', url, { interval_ms: 50, timeout_ms: 5000 });
      assert.equal(r.checked, false);
      assert.equal(r.ready, false);
      assert.equal(r.note, 'no readiness endpoint answered (/health 404 not found, /v1/models 404 not found)');
      assert.deepEqual(seen, ['GET /health', 'GET /v1/models']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a 503 on /health is the server\'s word even when /v1/models already answers (llama.cpp while loading)', async () => {
    const srv = await startStandin({ shape: 'llama.cpp', tok, loadingMs: 600_000 });
    try {
      await assert.rejects(waitUntilReady('openai-chat', srv.url, { interval_ms: 100, timeout_ms: 400 }), (e: unknown) => e instanceof RunStartError && /not ready/.test(e.message));
      assert.equal(srv.hits.filter((h) => h.path === '/v1/models').length, 0, 'the round ends at the 503');
    } finally {
      await srv.close();
    }
  });

  it('an error body that echoes the key does not carry it into what is recorded', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `bad key: ${req.headers.authorization}` } })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const key = 'sk-secret-123456';
    try {
      const r = await waitUntilReady('openai-chat', url, { headers: { authorization: `Bearer ${key}` }, secrets: [key] });
      assert.equal(r.checked, false);
      assert.equal(r.note, 'no readiness endpoint answered (/health 401 bad key: Bearer <redacted>, /v1/models 401 bad key: Bearer <redacted>)');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a server that stalls or resets the check is not waited for: the load is there to measure it', async () => {
    const server = http.createServer((req) => {
      if (req.url === '/health') return; // never answers
      req.socket.destroy(); // resets
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      const r = await waitUntilReady('openai-chat', url, { probe_timeout_ms: 300, timeout_ms: 60_000 });
      assert.equal(r.checked, false);
      assert.match(r.note ?? '', /^no readiness endpoint answered \(\/health no answer within 300 ms, \/v1\/models connection reset\)$/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a server that refuses connections while it restarts is waited for until it listens', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const server = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
    const waits: string[] = [];
    const listening = new Promise<void>((r) => setTimeout(() => server.listen(port, '127.0.0.1', r), 600));
    try {
      const r = await waitUntilReady('openai-chat', `http://127.0.0.1:${port}/v1`, { interval_ms: 100, timeout_ms: 20_000, onWait: (w) => waits.push(w.status) });
      assert.equal(r.ready, true);
      assert.equal(r.waited_for, '/health connection refused');
      assert.ok(waits.length >= 2, waits.join(' | '));
    } finally {
      await listening;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a server that answers 503 while the run waits is waited for, not taken as ready', async () => {
    let up = false;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => (up ? res.writeHead(200).end('{"status":"ok"}') : res.writeHead(503).end('{"error":{"message":"Loading model"}}')));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const statuses: string[] = [];
    setTimeout(() => (up = true), 500);
    try {
      const r = await waitUntilReady('tgi', url.replace(/\/v1$/, ''), { interval_ms: 100, timeout_ms: 10_000, onWait: (w) => statuses.push(w.status) });
      assert.equal(r.ready, true);
      assert.ok(statuses.length >= 2 && statuses.every((s) => s === '/health 503 Loading model'), statuses.join(' | '));
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
