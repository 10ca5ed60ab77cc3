import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ROOT, runCli, startCli, tempDir } from '../helpers/cli';

function scenario(dir: string, body: { target?: string; load?: string; expect?: string }): string {
  const file = path.join(dir, 'test.llmload');
  fs.writeFileSync(
    file,
    `scenario "cli test"
target ${body.target ?? 'builtin:chat'}
api openai-chat
model sim-chat
timeout 30s

${body.load ?? 'load step\n  start 2 users\n  add 2 users every 200ms\n  max 4 users\n  hold 1s'}

prompt "hello"
  user Say hello.
  max_tokens 32

expect
${body.expect ?? '  success >= 99%'}
`,
  );
  return file;
}

function runDirs(dir: string): string[] {
  const root = path.join(dir, '.llmload', 'runs');
  return fs.existsSync(root) ? fs.readdirSync(root).map((d) => path.join(root, d)) : [];
}

test('exit 0 when every expectation holds, with the summary on stdout and the results folder on disk', async () => {
  const dir = tempDir();
  const file = scenario(dir, {});
  const r = await runCli(['run', file], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /PASS\s+success >= 99%/);
  assert.match(r.stdout, /ttft\s+\S+ms/);
  const [run] = runDirs(dir);
  assert.ok(run, 'a run folder');
  assert.match(path.basename(run), /^\d{8}T\d{6}Z-cli-test$/);
  assert.match(r.stdout, new RegExp(`results: .*${path.basename(run)}`));

  const summary = JSON.parse(fs.readFileSync(path.join(run, 'summary.json'), 'utf8'));
  for (const k of ['scenario', 'target', 'started_at', 'duration_s', 'requests', 'success_rate', 'qpm', 'rps', 'output_tokens_per_s', 'ttft_ms', 'ttfa_ms', 'e2e_ms', 'token_rate', 'errors', 'expectations']) {
    assert.ok(k in summary, `summary.${k}`);
  }
  for (const m of ['ttft_ms', 'ttfa_ms', 'e2e_ms', 'token_rate']) {
    assert.deepEqual(Object.keys(summary[m]).sort(), ['max', 'mean', 'p50', 'p90', 'p95', 'p99']);
    assert.ok(summary[m].p50 > 0, m);
  }
  assert.deepEqual(Object.keys(summary.requests).sort(), ['cancelled', 'failed', 'ok', 'total', 'warmup']);
  assert.equal(summary.target, 'builtin:chat');
  assert.ok(!Number.isNaN(Date.parse(summary.started_at)));
  assert.deepEqual(summary.expectations[0], { text: 'success >= 99%', pass: true, actual: 1, actual_text: '100.00%' });

  const lines = fs.readFileSync(path.join(run, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, summary.requests.total);
  for (const k of ['id', 'prompt', 'user', 'start_ms', 'response_id', 'status', 'http_status', 'ttft_ms', 'ttfa_ms', 'e2e_ms', 'input_tokens', 'output_tokens', 'thinking_tokens', 'token_rate', 'finish_reason', 'packets']) {
    assert.ok(k in lines[0], `requests.jsonl ${k}`);
  }
  assert.equal(lines[0].prompt, 'hello');
  const packets = fs.readFileSync(path.join(run, 'packets.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(packets[0]).sort(), ['bytes', 'kind', 'request', 't_ms', 'text']);
  assert.deepEqual(new Set(packets.map((p) => p.request)), new Set(lines.map((l) => l.id)), 'the first 200 requests are traced');
});

test('exit 1 when an expectation fails', async () => {
  const dir = tempDir();
  const r = await runCli(['run', scenario(dir, { expect: '  ttft p95 < 1ms\n  success >= 99%' })], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /FAIL\s+ttft p95 < 1ms/);
  assert.match(r.stdout, /PASS\s+success >= 99%/);
});

test('exit 2 on an invalid scenario, with FILE:LINE:COL diagnostics and no run', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'bad.llmload');
  fs.writeFileSync(file, 'scenario "bad"\ntarget builtin:chat\napi openai-chat\nmodel m\nlaod step\n');
  const r = await runCli(['run', file], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.llmload:5:1: error: /);
  assert.equal(runDirs(dir).length, 0);
  const c = await runCli(['check', file], dir);
  assert.equal(c.code, 2);
  assert.match(c.stdout + c.stderr, /bad\.llmload:5:1: error: /);
  const ok = await runCli(['check', path.join(ROOT, 'examples', 'quickstart.llmload')], dir);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
});

test('exit 3 when the target cannot be reached, naming it and the fix', async () => {
  const dir = tempDir();
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const r = await runCli(['run', scenario(dir, {}), '--target', `http://127.0.0.1:${port}/v1`], dir);
  assert.equal(r.code, 3);
  assert.match(r.stderr, new RegExp(`cannot reach the target http://127.0.0.1:${port}: connection refused`));
  assert.equal(runDirs(dir).length, 0);
});

test('--target sends the load to another server; --out picks the folder', async () => {
  const dir = tempDir();
  const sim = startCli(['sim', '--port', '0', '--profile', 'chat'], dir);
  const url = await new Promise<string>((resolve) => {
    let buf = '';
    sim.child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
  });
  try {
    const out = path.join(dir, 'out');
    const r = await runCli(['run', scenario(dir, { target: 'http://127.0.0.1:9/v1' }), '--target', url, '--out', out], dir);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.target, url);
    assert.ok(summary.requests.ok > 0);
  } finally {
    sim.child.kill('SIGINT');
    assert.equal((await sim.done).code, 0);
  }
});

test('Ctrl-C stops within a second and keeps every result measured so far', async () => {
  const dir = tempDir();
  const file = scenario(dir, { load: 'load users 4 for 5m' });
  const { child, done } = startCli(['run', file], dir);
  let stderr = '';
  await new Promise<void>((resolve) => {
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (/ok [1-9]/.test(stderr)) resolve();
    });
  });
  const t = performance.now();
  child.kill('SIGINT');
  const r = await done;
  assert.ok(performance.now() - t < 1500, 'exits within a second or so');
  assert.equal(r.code, 130);
  const [run] = runDirs(dir);
  const summary = JSON.parse(fs.readFileSync(path.join(run!, 'summary.json'), 'utf8'));
  assert.equal(summary.ended_by, 'stopped');
  assert.ok(summary.requests.ok >= 1);
  // The expectation (success >= 99%) would hold on the figures so far, but a stopped run is not judged.
  assert.doesNotMatch(r.stdout, /PASS/);
  assert.match(r.stdout, /verdict: STOPPED, stopped after [\d.]+s: expectations not judged/);
  const lines = fs.readFileSync(path.join(run!, 'requests.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, summary.requests.total);
});

test('sim: an unknown profile is a clear error listing the known ones; a profile may carry options', async () => {
  const dir = tempDir();
  const bad = await runCli(['sim', '--port', '0', '--profile', 'nope'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown simulator profile "nope"; known profiles: chat, reasoning/);
  const sim = startCli(['sim', '--port', '0', '--profile', 'chat?decode_tokens_per_s=20'], dir);
  await new Promise<void>((resolve) => sim.child.stdout!.on('data', (b: Buffer) => /listening on/.test(b.toString()) && resolve()));
  sim.child.kill('SIGINT');
  assert.equal((await sim.done).code, 0);
});

test('the progress line of a load with no planned end shows the elapsed time alone', async () => {
  const { progressLine } = await import('../../src/cli/format');
  const p = { elapsed_s: 3, planned_s: Infinity, active_users: 1, target_users: 1, in_flight: 1, sent: 2, ok: 1, failed: 0, qpm: 60, ttft_p95_ms: 12, token_rate_p50: 30 };
  assert.match(progressLine(p), /^\[  3s\] users 1\/1/);
  assert.match(progressLine({ ...p, planned_s: 17 }), /^\[  3s\/17s\]/);
});
