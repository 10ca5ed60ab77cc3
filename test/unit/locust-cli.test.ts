// The command line around the Locust worker, without a master: `check --worker` and `worker` say
// the load shape is ignored under a master and refuse a replay load; bad --master values, a folder
// holding a run and a master that never answers are clear errors with the usual exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli';
import { testOutDir } from '../../src/cli/worker';

function scenario(dir: string, load = 'load users 3 for 10s'): void {
  fs.writeFileSync(path.join(dir, 's.llmload'), `scenario "cli"\ntarget builtin:chat\napi openai-chat\nmodel sim-chat\n\n${load}\nprompt "p"\n  user hi\n  max_tokens 8\n`);
}

test('check --worker notes that the load shape is ignored under a master, at the load line; plain check does not', async () => {
  const dir = tempDir();
  scenario(dir);
  const r = await runCli(['check', '--worker', 's.llmload'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^s\.llmload:6:1: note: under a Locust master \(`llmload worker`\) this load shape is ignored/m);
  const plain = await runCli(['check', 's.llmload'], dir);
  assert.equal(plain.code, 0);
  assert.doesNotMatch(plain.stdout, /Locust/);
});

test('a replay load cannot run under a master: check --worker and worker exit 2', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'log.jsonl'), '{"offset_ms":0,"messages":[{"role":"user","content":"hi"}]}\n');
  scenario(dir, 'load replay log.jsonl');
  const c = await runCli(['check', '--worker', 's.llmload'], dir);
  assert.equal(c.code, 2, c.stdout + c.stderr);
  assert.match(c.stderr, /error: a replay load cannot run under a Locust master/);
  const w = await runCli(['worker', 's.llmload', '--master', '127.0.0.1:9'], dir);
  assert.equal(w.code, 2);
  assert.match(w.stderr, /replay load cannot run under a Locust master/);
});

test('worker: bad --master, missing --master, and an --out folder holding a run are refused (exit 2)', async () => {
  const dir = tempDir();
  scenario(dir);
  const bad = await runCli(['worker', 's.llmload', '--master', 'host:99999'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--master port must be 1-65535/);
  const none = await runCli(['worker', 's.llmload'], dir);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--master HOST\[:PORT\]/);
  fs.mkdirSync(path.join(dir, 'w'));
  fs.writeFileSync(path.join(dir, 'w', 'requests.jsonl'), '');
  const used = await runCli(['worker', 's.llmload', '--master', '127.0.0.1:9', '--out', 'w'], dir);
  assert.equal(used.code, 2);
  assert.match(used.stderr, /llmload worker: w already holds a run/);
});

test('each test of one worker process gets its own folder: DIR, DIR-2, DIR-3', () => {
  assert.equal(testOutDir('runs/a', 1), 'runs/a');
  assert.equal(testOutDir('runs/a/', 2), 'runs/a-2');
  assert.equal(testOutDir(undefined, 3), undefined);
});

test('merge: fewer than two folders, or a folder that is no run, is exit 2', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'x'));
  const one = await runCli(['merge', 'x', '--out', 'm'], dir);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /two or more run folders/);
  fs.mkdirSync(path.join(dir, 'y'));
  const notRuns = await runCli(['merge', 'x', 'y', '--out', 'm'], dir);
  assert.equal(notRuns.code, 2);
  assert.match(notRuns.stderr, /not a run folder/);
});
