// Keys and ${secret:NAME} values reach the server, and no file of the run holds them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { CLI, ensureBuilt, tempDir } from '../helpers/cli';

test('secrets are sent, never written: every output file of the run is free of them', async () => {
  const KEY = 'sk-live-7f3a9c1e5b2d4f60';
  const TEAM = 'team-secret-ab12cd34';
  const seen: Array<{ auth?: string; team?: string }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ auth: req.headers.authorization, team: req.headers['x-team'] as string | undefined });
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"id":"r","choices":[{"delta":{"content":"ok"}}]}\n\ndata: {"id":"r","choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, 's.llmload'),
    `scenario "secrets"\ntarget ${url}\napi openai-chat\nmodel m\nkey \${secret:LLMLOAD_TEST_KEY}\nheader x-team \${secret:LLMLOAD_TEST_TEAM}\nload users 1 for 1s\nstop after 3 requests\nprompt "p"\n  user hi\n`,
  );
  ensureBuilt();
  const child = spawn(process.execPath, [CLI, 'run', 's.llmload', '--out', 'run'], {
    cwd: dir,
    env: { ...process.env, LLMLOAD_TEST_KEY: KEY, LLMLOAD_TEST_TEAM: TEAM },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  server.close();
  assert.equal(code, 0, out);
  assert.ok(seen.length >= 3);
  assert.ok(seen.every((s) => s.auth === `Bearer ${KEY}` && s.team === TEAM), 'the server got the secrets');
  const files = fs.readdirSync(path.join(dir, 'run'));
  assert.ok(files.includes('plan.json') && files.includes('requests.jsonl'));
  for (const f of files) {
    const body = fs.readFileSync(path.join(dir, 'run', f), 'utf8');
    assert.ok(!body.includes(KEY) && !body.includes(TEAM), `${f} holds a secret`);
  }
  assert.ok(!out.includes(KEY) && !out.includes(TEAM), 'the console output holds a secret');
});
