// A server that echoes the request: its error bodies quote the Authorization header, its answers
// stream the key a few characters per chunk, its response ids carry it. The key comes from an
// environment variable; no file of the run, no report, no trace and no line the CLI prints holds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, ensureBuilt, tempDir } from '../helpers/cli';
import { startEchoServer } from '../helpers/echo-server';
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

test('a server that echoes the key leaves it in no file, report, trace or console line; the marker is there instead', async () => {
  const server = await startEchoServer();
  const url = server.url;
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, 's.llmload'),
    `scenario "echo"\ntarget ${url}\napi openai-chat\nmodel m\nkey \${env:LLMLOAD_ECHO_KEY}\nheader x-org \${env:LLMLOAD_ECHO_ORG}\ntrace all\nload users 1 for 5s\nstop after 6 requests\nprompt "p"\n  user repeat after me\n`,
  );
  try {
    const run = await cli(['run', 's.llmload', '--out', 'run'], dir);
    assert.ok(run.code === 0 || run.code === 1, run.err);
    assert.ok(server.auth.length >= 6 && server.auth.every((a) => a === `Bearer ${KEY}`), 'the server got the key');
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
    await server.close();
  }
});
