// Run folders are never mixed: `--out DIR` holding a run is refused unless --force (which deletes
// only that run's files), a new run folder never collides with one made in the same second, and
// every path the CLI prints is relative to where the user stands when inside it, else absolute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli';
import { claimRunDir, existingRunFiles, freshRunDir, RunDirInUseError } from '../../src/core/results/run-dir';
import { RESULT_FILES, RUN_FILE_NAMES } from '../../src/core/results/writer';
import { inCwd, shownPath } from '../../src/cli/paths';

function scenario(dir: string, requests = 3): string {
  const file = path.join(dir, 's.llmload');
  fs.writeFileSync(file, `scenario "out test"\ntarget builtin:chat\napi openai-chat\nmodel sim-chat\nload users 1 for 5s\nstop after ${requests} requests\nprompt "p"\n  user hi\n  max_tokens 8\n`);
  return file;
}

function ids(run: string): number[] {
  return fs
    .readFileSync(path.join(run, RESULT_FILES.requests), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { id: number }).id);
}

function summary(run: string): { started_at: string; requests: { total: number } } {
  return JSON.parse(fs.readFileSync(path.join(run, RESULT_FILES.summary), 'utf8'));
}

test('a second run with the same --out is refused (exit 2, naming --force) and leaves the first run as it was', async () => {
  const dir = tempDir();
  scenario(dir);
  const first = await runCli(['run', 's.llmload', '--out', 'run'], dir);
  assert.equal(first.code, 0, first.stderr);
  const run = path.join(dir, 'run');
  const before = fs.readFileSync(path.join(run, RESULT_FILES.requests), 'utf8');
  const second = await runCli(['run', 's.llmload', '--out', 'run'], dir);
  assert.equal(second.code, 2);
  assert.match(second.stderr, /run already holds a run \(.*requests\.jsonl.*\)/);
  assert.match(second.stderr, /--force/);
  assert.equal(fs.readFileSync(path.join(run, RESULT_FILES.requests), 'utf8'), before, 'the first run is untouched');
  const s = summary(run);
  assert.equal(ids(run).length, s.requests.total, 'requests.jsonl and summary.json agree');
});

test('--force replaces the earlier run: a clean folder with one run, and unrelated files kept', async () => {
  const dir = tempDir();
  scenario(dir, 4);
  assert.equal((await runCli(['run', 's.llmload', '--out', 'run'], dir)).code, 0);
  const run = path.join(dir, 'run');
  fs.writeFileSync(path.join(run, 'notes.txt'), 'mine');
  fs.mkdirSync(path.join(run, 'extra'));
  const firstStart = summary(run).started_at;
  scenario(dir, 3);
  const forced = await runCli(['run', 's.llmload', '--out', 'run', '--force'], dir);
  assert.equal(forced.code, 0, forced.stderr);
  const s = summary(run);
  assert.notEqual(s.started_at, firstStart, 'the summary is the second run');
  const got = ids(run);
  assert.equal(got.length, s.requests.total, 'every line in requests.jsonl is the second run');
  assert.equal(new Set(got).size, got.length, 'no duplicate ids');
  assert.equal(fs.readFileSync(path.join(run, 'notes.txt'), 'utf8'), 'mine', 'a file that is not the run is kept');
  assert.ok(fs.existsSync(path.join(run, 'extra')));
  const packets = fs.readFileSync(path.join(run, RESULT_FILES.packets), 'utf8').split('\n').filter(Boolean);
  assert.ok(packets.every((l) => got.includes((JSON.parse(l) as { request: number }).request)), 'packets only of the second run');
});

test('an --out folder holding other files but no run is used as it is', async () => {
  const dir = tempDir();
  scenario(dir);
  fs.mkdirSync(path.join(dir, 'run'));
  fs.writeFileSync(path.join(dir, 'run', 'README'), 'x');
  const r = await runCli(['run', 's.llmload', '--out', 'run'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(dir, 'run', RESULT_FILES.summary)));
});

test('claimRunDir refuses a folder with run files, and with replace deletes exactly those', () => {
  const dir = path.join(tempDir(), 'r');
  assert.equal(claimRunDir(dir), dir, 'a new folder is made');
  fs.writeFileSync(path.join(dir, RESULT_FILES.requests), '{"id":0}\n');
  fs.writeFileSync(path.join(dir, `${RESULT_FILES.summary}.tmp`), '{}');
  fs.writeFileSync(path.join(dir, 'keep.csv'), 'a,b');
  assert.throws(() => claimRunDir(dir), (e: unknown) => e instanceof RunDirInUseError && e.files.includes(RESULT_FILES.requests));
  claimRunDir(dir, { replace: true });
  assert.deepEqual(existingRunFiles(dir), []);
  assert.deepEqual(fs.readdirSync(dir), ['keep.csv']);
  assert.ok(RUN_FILE_NAMES.includes(RESULT_FILES.plan) && RUN_FILE_NAMES.includes(RESULT_FILES.scenario));
});

test('two new run folders in the same second get different names (a -2 suffix), never the same one', () => {
  const root = path.join(tempDir(), 'runs');
  const when = new Date('2026-12-06T11:40:00.100Z');
  const a = freshRunDir(root, 'My Scenario', when);
  const b = freshRunDir(root, 'My Scenario', new Date('2026-12-06T11:40:00.900Z'));
  const c = freshRunDir(root, 'My Scenario', when);
  assert.equal(path.basename(a), '20261206T114000Z-my-scenario');
  assert.equal(path.basename(b), '20261206T114000Z-my-scenario-2');
  assert.equal(path.basename(c), '20261206T114000Z-my-scenario-3');
  assert.equal(fs.readdirSync(root).length, 3);
});

test('shownPath: relative inside the current directory, absolute outside it, "." for itself', () => {
  const cwd = path.resolve(path.sep, 'home', 'u', 'proj');
  assert.equal(shownPath('runs/a', cwd), path.join('runs', 'a'));
  assert.equal(shownPath(path.join(cwd, 'runs', 'a'), cwd), path.join('runs', 'a'));
  assert.equal(shownPath('../other/r', cwd), path.resolve(cwd, '..', 'other', 'r'));
  assert.equal(shownPath(path.resolve(path.sep, 'tmp', 'x'), cwd), path.resolve(path.sep, 'tmp', 'x'));
  assert.equal(shownPath(cwd, cwd), '.');
  assert.equal(shownPath('..', cwd), path.dirname(cwd));
  assert.equal(shownPath('..x/y', cwd), path.join('..x', 'y'), 'a name starting with two dots is inside');
  assert.equal(inCwd(`${path.join(cwd, 'r', 'summary.json')} is not valid JSON`, cwd), `${path.join('r', 'summary.json')} is not valid JSON`);
  assert.equal(inCwd(`${path.join(cwd + 'x', 'a')} stays`, cwd), `${path.join(cwd + 'x', 'a')} stays`, 'a sibling folder with the same prefix stays absolute');
});

test('the CLI prints the run folder, report and trace files relative to the current directory when inside it, else absolute', async () => {
  const dir = tempDir();
  const sub = path.join(dir, 'work');
  fs.mkdirSync(sub);
  scenario(sub);
  const inside = await runCli(['run', 's.llmload', '--out', path.join(sub, 'runs', 'a')], sub);
  assert.equal(inside.code, 0, inside.stderr);
  assert.match(inside.stdout, new RegExp(`^results: ${escape(path.join('runs', 'a'))}$`, 'm'), 'an absolute --out inside the cwd is shown relative');
  const outside = await runCli(['run', 's.llmload', '--out', '../elsewhere'], sub);
  assert.equal(outside.code, 0, outside.stderr);
  assert.match(outside.stdout, new RegExp(`^results: ${escape(path.join(dir, 'elsewhere'))}$`, 'm'), 'a folder outside the cwd is shown absolute, not ../');
  const report = await runCli(['report', path.join('runs', 'a'), '--html', path.join(sub, 'out', 'r.html')], sub);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, new RegExp(`^report: ${escape(path.join('out', 'r.html'))} `, 'm'));
  const trace = await runCli(['trace', '../elsewhere', '--out', '../t.json'], sub);
  assert.equal(trace.code, 0, trace.stderr);
  assert.match(trace.stderr, new RegExp(`^wrote ${escape(path.join(dir, 't.json'))}$`, 'm'));
  const missing = await runCli(['report', '../nope', '--html', 'r.html'], sub);
  assert.equal(missing.code, 2);
  assert.ok(missing.stderr.includes(`${path.join(dir, 'nope')}: no such run folder`), missing.stderr);
  const refused = await runCli(['run', 's.llmload', '--out', '../elsewhere'], sub);
  assert.equal(refused.code, 2);
  assert.ok(refused.stderr.includes(`llmload run: ${path.join(dir, 'elsewhere')} already holds a run`), refused.stderr);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
