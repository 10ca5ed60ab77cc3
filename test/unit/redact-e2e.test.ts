// A server that echoes the request: its error bodies quote the Authorization header, its answers
// stream the key a few characters per chunk, its response ids carry it. The key comes from an
// environment variable; no file of the run, no report, no trace and no line the CLI prints holds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { CLI, ensureBuilt, tempDir } from '../helpers/cli';
import { REDACTED } from '../../src/core/results/redact';

const KEY = 'sk-echo-4d9a1c7e2b8f3a60';
const ORG = 'org-env-secret-77aa';

function cli(args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  ensureBuilt();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, LLMLOAD_ECHO_KEY: KEY, LLMLOAD_ECHO_ORG: ORG, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((r) => child.on('close', (code) => r({ code, out, err })));
}

function chunk(id: string, content: string | null, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;
}

test('a server that echoes the key leaves it in no file, report, trace or console line; the marker is there instead', async () => {
  let n = 0;
  const seenAuth: string[] = [];
  const server = http.createServer((req, res) => {
    seenAuth.push(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => {
      const i = n++;
      if (i % 2 === 1) {
        // An error body quoting the request's credentials.
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization} (org ${req.headers['x-org']})`, type: 'invalid_request_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const id = `chatcmpl-${KEY}`;
      // The model repeats its input: the key streamed 3 characters per chunk.
      const parts = ['You said: '];
      for (let k = 0; k < KEY.length; k += 3) parts.push(KEY.slice(k, k + 3));
      parts.push(' and ', ORG, '. Done.');
      res.write(chunk(id, ''));
      for (const p of parts) res.write(chunk(id, p));
      res.end(chunk(id, null, 'stop') + 'data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, 's.llmload'),
    `scenario "echo"\ntarget ${url}\napi openai-chat\nmodel m\nkey \${env:LLMLOAD_ECHO_KEY}\nheader x-org \${env:LLMLOAD_ECHO_ORG}\ntrace all\nload users 1 for 5s\nstop after 6 requests\nprompt "p"\n  user repeat after me\n`,
  );
  try {
    const run = await cli(['run', 's.llmload', '--out', 'run'], dir);
    assert.ok(run.code === 0 || run.code === 1, run.err);
    assert.ok(seenAuth.length >= 6 && seenAuth.every((a) => a === `Bearer ${KEY}`), 'the server got the key');
    const report = await cli(['report', 'run', '--html', 'report.html'], dir);
    assert.equal(report.code, 0, report.err);
    const perfetto = await cli(['trace', 'run', '--out', 'trace.json'], dir);
    assert.equal(perfetto.code, 0, perfetto.err);
    const jsonl = await cli(['trace', 'run', '--format', 'jsonl'], dir);
    assert.equal(jsonl.code, 0, jsonl.err);

    const files = fs.readdirSync(path.join(dir, 'run')).map((f) => path.join('run', f));
    assert.ok(files.includes(path.join('run', 'packets.jsonl')) && files.includes(path.join('run', 'summary.json')));
    const texts: Array<[string, string]> = [
      ...files.map((f): [string, string] => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
      ['report.html', fs.readFileSync(path.join(dir, 'report.html'), 'utf8')],
      ['trace.json', fs.readFileSync(path.join(dir, 'trace.json'), 'utf8')],
      ['run stdout', run.out],
      ['run stderr', run.err],
      ['trace --format jsonl stdout', jsonl.out],
      ['report/trace stderr', report.err + perfetto.err + jsonl.err],
    ];
    for (const [name, body] of texts) {
      assert.ok(!body.includes(KEY), `${name} holds the key`);
      assert.ok(!body.includes(ORG), `${name} holds the env value sent as a header`);
      // The key's middle, as streamed across packets, is gone too.
      assert.ok(!body.includes(KEY.slice(6, 12)), `${name} holds a piece of the key`);
    }
    const get = (name: string): string => texts.find(([n]) => n === name)![1];
    const requests = get(path.join('run', 'requests.jsonl'));
    assert.ok(requests.includes(REDACTED), 'requests.jsonl: the error message and response id keep the marker');
    assert.ok(get(path.join('run', 'packets.jsonl')).includes(REDACTED), 'packets.jsonl: the answer text keeps the marker');
    assert.ok(get(path.join('run', 'summary.json')).includes(REDACTED), 'summary.json: the error sample keeps the marker');
    assert.ok(get('report.html').includes(REDACTED), 'the report shows the marker');
    assert.ok(get('trace.json').includes(REDACTED), 'the Perfetto trace shows the marker');
    assert.ok(jsonl.out.includes(REDACTED));
    assert.ok(run.out.includes(REDACTED), 'the CLI summary shows the error sample with the marker');
    assert.ok(requests.includes('You said') === false, 'answer text is not in requests.jsonl');
    assert.ok(get(path.join('run', 'packets.jsonl')).includes('You said'), 'the rest of the answer is kept');
  } finally {
    server.close();
  }
});
