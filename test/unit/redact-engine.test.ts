// The editor's path: the engine process (dist/engine-process.js, forked as the extension does) runs a
// scenario whose key comes from the editor's secret store against a server that echoes it. No
// message the engine sends to the host (live rows, the summary, failures), nothing it prints, and
// no file of the run holds the key; two runs started together get two folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fork } from 'node:child_process';
import { ROOT, ensureBuilt, tempDir } from '../helpers/cli';
import { startEchoServer } from '../helpers/echo-server';
import { REDACTED } from '../../src/core/results/redact';

const KEY = 'sk-editor-9b8c7d6e5f4a3b2c';
const ORG = 'org-from-env-5566ee';

function runEngine(file: string, outRoot: string): Promise<{ messages: unknown[]; output: string; code: number | null }> {
  const child = fork(path.join(ROOT, 'dist', 'engine-process.js'), [], {
    cwd: path.dirname(file),
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', LLMLOAD_EDITOR_ORG: ORG },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: [], // as the extension forks it: plain Node, no loader of the test runner
  });
  const messages: unknown[] = [];
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  child.on('message', (m) => messages.push(m));
  child.send({ type: 'run', file, outRoot, secrets: { EDITOR_KEY: KEY } });
  return new Promise((r) => child.on('exit', (code) => r({ messages, output, code })));
}

test('engine process: no IPC message, console line or run file holds the key; runs started together get their own folders', async () => {
  ensureBuilt();
  const server = await startEchoServer();
  const dir = tempDir();
  const file = path.join(dir, 's.llmload');
  fs.writeFileSync(
    file,
    `scenario "editor echo"\ntarget ${server.url}\napi openai-chat\nmodel m\nkey \${secret:EDITOR_KEY}\nheader x-org \${env:LLMLOAD_EDITOR_ORG}\ntrace all\nload users 1 for 5s\nstop after 6 requests\nprompt "p"\n  user repeat after me\n`,
  );
  const outRoot = path.join(dir, '.llmload', 'runs');
  try {
    const [a, b] = await Promise.all([runEngine(file, outRoot), runEngine(file, outRoot)]);
    assert.ok(server.auth.length >= 12 && server.auth.every((x) => x === `Bearer ${KEY}`), 'the server got the key');
    for (const r of [a, b]) {
      assert.equal(r.code, 0, r.output);
      const kinds = r.messages.map((m) => (m as { type: string }).type);
      assert.ok(kinds.includes('started') && kinds.includes('finished') && kinds.includes('live'), kinds.join(','));
      const wire = JSON.stringify(r.messages) + r.output;
      assert.ok(!wire.includes(KEY) && !wire.includes(ORG), 'an engine message or console line holds a secret');
      const finished = r.messages.find((m) => (m as { type: string }).type === 'finished') as { summary: { error_samples: Record<string, string> } };
      assert.ok(Object.values(finished.summary.error_samples).some((s) => s.includes(REDACTED)), 'the summary sent to the host keeps the marker');
    }
    const runs = fs.readdirSync(outRoot);
    assert.equal(runs.length, 2, `two folders: ${runs.join(', ')}`);
    for (const run of runs) {
      const files = fs.readdirSync(path.join(outRoot, run));
      assert.ok(files.includes('packets.jsonl'));
      for (const f of files) {
        const body = fs.readFileSync(path.join(outRoot, run, f), 'utf8');
        assert.ok(!body.includes(KEY) && !body.includes(ORG), `${run}/${f} holds a secret`);
      }
      const summary = JSON.parse(fs.readFileSync(path.join(outRoot, run, 'summary.json'), 'utf8')) as { requests: { total: number } };
      const lines = fs.readFileSync(path.join(outRoot, run, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean);
      assert.equal(lines.length, summary.requests.total, `${run}: one run's records only`);
    }
  } finally {
    await server.close();
  }
});
