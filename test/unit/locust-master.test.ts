// Two `llmload worker` processes under a REAL Locust master (Debian's python3-locust, 2.12.1) on
// loopback, against the built-in simulator with seeded failures: the master's per-entry totals and
// failures by kind equal the workers' requests.jsonl; users split and ramp as the master asked;
// a stop from the master stops both workers, which keep their results and stay ready; a killed
// worker is marked missing while the other goes on; a worker whose master is gone quits; and
// `llmload merge` of the folders gives the master's totals and one histogram's percentiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startCli, runCli, tempDir, type CliResult } from '../helpers/cli';
import { defineProfile, startSimulator, type RunningSimulator } from '../../src/core/sim/index';
import { Hist } from '../../src/core/metrics/histogram';
import type { RequestRecord } from '../../src/core/metrics/record';
import type { Summary } from '../../src/core/metrics/summary';

/** A Python that imports locust: Debian's first (pyenv's python3 may not have it). */
function locustPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import locust'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}
const PY = locustPython();
const SKIP = PY ? false : 'python3-locust is not installed (apt-get install python3-locust): no real Locust master to test against';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const LOCUSTFILE = `from locust import User, task, constant
class LLMUser(User):
    wait_time = constant(1)
    @task
    def placeholder(self):
        pass
`;

function setup(): { dir: string } {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'locustfile.py'), LOCUSTFILE);
  fs.writeFileSync(
    path.join(dir, 's.llmload'),
    `scenario "locust fleet"\ntarget builtin:chat\napi openai-chat\nmodel sim-chat\nload users 1 for 5s\n` +
      `prompt "short" weight 2\n  user hi\n  max_tokens 16\nprompt "long"\n  user tell me more\n  max_tokens 24\n`,
  );
  return { dir };
}

async function simulator(): Promise<RunningSimulator> {
  const profile = defineProfile('chat', {
    name: 'locust-test',
    decode_tokens_per_s: 300,
    overhead_ms: 10,
    keepalive_interval_ms: 0,
    answer_tokens: [6, 14],
    fault_rates: { http_500: 0.08, http_429: 0.06 },
  });
  return startSimulator({ profile, seed: 17 });
}

function startMaster(dir: string, args: string[]): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(PY!, ['-m', 'locust', '-f', 'locustfile.py', '--master', '--master-bind-host', '127.0.0.1', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

function records(run: string): RequestRecord[] {
  return fs
    .readFileSync(path.join(run, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RequestRecord);
}

/** What the worker reports to the master, counted from its own records (see src/core/locust/stats.ts). */
function expectedEntries(recs: RequestRecord[]): Map<string, { requests: number; failures: number }> {
  const out = new Map<string, { requests: number; failures: number }>();
  const bump = (name: string, failed: boolean): void => {
    const e = out.get(name) ?? { requests: 0, failures: 0 };
    e.requests++;
    if (failed) e.failures++;
    out.set(name, e);
  };
  for (const r of recs) {
    if (r.warmup || r.error?.kind === 'cancelled') continue;
    if (r.status === 'ok' && r.ttft_ms !== null) bump(`ttft ${r.prompt}`, false);
    if (r.status === 'ok' && r.ttfa_ms !== null) bump(`ttfa ${r.prompt}`, false);
    bump(`e2e ${r.prompt}`, r.status === 'error');
  }
  return out;
}

function csvRows(file: string): Array<Record<string, string>> {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`${what}: no end within ${ms} ms`)), ms).unref())]);
}

test('headless master, 2 workers: totals per entry and failures by kind equal the workers\' records; users split and ramp; merge equals the master', { skip: SKIP, timeout: 90_000 }, async () => {
  const { dir } = setup();
  const sim = await simulator();
  const port = await freePort();
  try {
    const master = startMaster(dir, ['--headless', '--expect-workers', '2', '-u', '4', '-r', '2', '-t', '7s', '--master-bind-port', String(port), '--csv', 'master', '--exit-code-on-error', '0']);
    const w = ['w1', 'w2'].map((out) => startCli(['worker', 's.llmload', '--master', `127.0.0.1:${port}`, '--out', out, '--target', sim.url, '--quiet'], dir));
    const [m, r1, r2] = await within(Promise.all([master.done, w[0]!.done, w[1]!.done]), 60_000, 'master and workers');
    assert.equal(m.code, 0, m.stderr.slice(-3000));
    for (const r of [r1!, r2!]) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /s\.llmload:5:1: note: under a Locust master/);
      assert.match(r.stderr, /the master says quit/);
      // -u 4 -r 2 over two workers: the master ramps each one 1 -> 2 users, a step a second.
      const users = [...r.stderr.matchAll(/^users: (\d+)$/gm)].map((x) => Number(x[1]));
      assert.equal(users.at(-1), 2, `each worker ends with half the users: ${users}`);
      assert.ok(users[0]! < 2, `the ramp reached the worker one step at a time: ${users}`);
    }
    const recs = [...records(path.join(dir, 'w1')), ...records(path.join(dir, 'w2'))];
    const expected = expectedEntries(recs);
    const failedKinds = new Set(recs.filter((r) => r.status === 'error' && r.error?.kind !== 'cancelled').map((r) => r.error!.kind));
    assert.ok(recs.length >= 40, `enough requests to compare: ${recs.length}`);
    assert.ok(failedKinds.size >= 1, 'the seeded faults gave failures');

    const rows = csvRows(path.join(dir, 'master_stats.csv'));
    const byName = new Map(rows.map((r) => [r.Name!, r]));
    for (const [name, e] of expected) {
      const row = byName.get(name);
      assert.ok(row, `the master shows ${name}`);
      assert.equal(row.Type, 'LLM');
      assert.equal(Number(row['Request Count']), e.requests, `${name}: requests`);
      assert.equal(Number(row['Failure Count']), e.failures, `${name}: failures`);
    }
    assert.equal(rows.filter((r) => r.Name !== 'Aggregated').length, expected.size, 'no entry the workers did not send');
    const finished = recs.filter((r) => !r.warmup && r.error?.kind !== 'cancelled');
    const agg = byName.get('Aggregated')!;
    assert.equal(Number(agg['Request Count']), finished.length, 'Aggregated counts each request once');

    // Failures by kind: the master's failures table against the records.
    const failures = csvRows(path.join(dir, 'master_failures.csv'));
    const masterKinds = new Map<string, number>();
    for (const f of failures) masterKinds.set(`${f.Name} ${f.Error!.replace(/^'|'$/g, '')}`, Number(f.Occurrences));
    const ourKinds = new Map<string, number>();
    for (const r of finished) if (r.status === 'error') ourKinds.set(`e2e ${r.prompt} ${r.error!.kind}`, (ourKinds.get(`e2e ${r.prompt} ${r.error!.kind}`) ?? 0) + 1);
    assert.deepEqual([...masterKinds].sort(), [...ourKinds].sort());

    // Each worker's folder is a complete run.
    for (const out of ['w1', 'w2']) assert.ok(fs.existsSync(path.join(dir, out, 'summary.json')), `${out}/summary.json`);

    // merge: the master's totals, and one histogram's percentiles.
    const merged = await runCli(['merge', 'w1', 'w2', '--out', 'm'], dir);
    assert.equal(merged.code, 0, merged.stderr);
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'm', 'summary.json'), 'utf8')) as Summary;
    assert.equal(s.requests.ok + s.requests.failed, Number(agg['Request Count']));
    assert.equal(s.requests.failed, Number(agg['Failure Count']));
    const all = new Hist();
    for (const r of finished) if (r.status === 'ok' && r.ttft_ms !== null) all.record(r.ttft_ms);
    assert.deepEqual(s.ttft_ms, all.percentiles(), 'percentiles of one histogram of every request');
    const added = new Hist();
    for (const out of ['w1', 'w2']) added.add(Hist.decode((JSON.parse(fs.readFileSync(path.join(dir, out, 'summary.json'), 'utf8')) as Summary).histograms.e2e_ms));
    assert.deepEqual(s.e2e_ms, added.percentiles(), 'the workers\' HDR histograms added, not averaged');
    const mrecs = records(path.join(dir, 'm'));
    assert.equal(mrecs.length, recs.length);
    assert.equal(new Set(mrecs.map((r) => r.id)).size, mrecs.length, 'ids unique across workers');
    const report = await runCli(['report', 'm', '--html', 'm.html'], dir);
    assert.equal(report.code, 0, report.stderr);
    const compare = await runCli(['compare', 'w1', 'm'], dir);
    assert.equal(compare.code, 0, compare.stderr);
  } finally {
    await sim.close();
  }
});

async function stats(web: number): Promise<{ state: string; workers: Array<{ id: string; state: string; user_count: number }>; stats: Array<{ name: string; num_requests: number }> }> {
  const r = await fetch(`http://127.0.0.1:${web}/stats/requests`);
  return (await r.json()) as never;
}

async function until<T>(what: string, ms: number, f: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

test('web-UI master: stop stops both workers (results kept, ready again); a killed worker goes missing while the other runs; a lost master ends the worker', { skip: SKIP, timeout: 90_000 }, async () => {
  const { dir } = setup();
  const sim = await simulator();
  const [port, web] = [await freePort(), await freePort()];
  const master = startMaster(dir, ['--master-bind-port', String(port), '--web-host', '127.0.0.1', '--web-port', String(web)]);
  const w = ['a', 'b'].map((out) => startCli(['worker', 's.llmload', '--master', `127.0.0.1:${port}`, '--out', out, '--target', sim.url, '--quiet', '--master-timeout', '2'], dir));
  const swarm = (users: number): Promise<Response> =>
    fetch(`http://127.0.0.1:${web}/swarm`, { method: 'POST', body: new URLSearchParams({ user_count: String(users), spawn_rate: '4', host: 'http://llm' }) });
  try {
    await until('two ready workers', 20_000, async () => (await stats(web)).workers.filter((x) => x.state === 'ready').length === 2);
    await swarm(4);
    await until('both workers running 2 users', 15_000, async () => {
      const s = await stats(web);
      return s.workers.length === 2 && s.workers.every((x) => x.state === 'running' && x.user_count === 2);
    });
    await until('requests reported', 10_000, async () => ((await stats(web)).stats.find((x) => x.name === 'Aggregated')?.num_requests ?? 0) > 0);

    await fetch(`http://127.0.0.1:${web}/stop`);
    await until('both workers stopped and ready again', 15_000, async () => {
      const s = await stats(web);
      return s.workers.length === 2 && s.workers.every((x) => x.state === 'ready') && fs.existsSync(path.join(dir, 'a', 'summary.json')) && fs.existsSync(path.join(dir, 'b', 'summary.json'));
    });
    for (const x of w) assert.equal(x.child.exitCode, null, 'a stopped worker stays for the next test');
    for (const out of ['a', 'b']) assert.ok(records(path.join(dir, out)).length > 0, `${out} kept its requests`);

    // A second test: new folders a-2, b-2. Then one worker dies.
    await swarm(4);
    await until('both running again', 15_000, async () => (await stats(web)).workers.filter((x) => x.state === 'running' && x.user_count === 2).length === 2);
    assert.ok(fs.existsSync(path.join(dir, 'a-2', 'requests.jsonl')), 'the second test has its own folder');
    w[1]!.child.kill('SIGKILL');
    const s1 = await until('the killed worker marked missing', 15_000, async () => {
      const s = await stats(web);
      return s.workers.some((x) => x.state === 'missing') && s;
    });
    assert.deepEqual(s1.workers.map((x) => x.state).sort(), ['missing', 'running'], 'the other worker goes on');
    const n1 = s1.stats.find((x) => x.name === 'Aggregated')!.num_requests;
    await until('the live worker still reporting requests', 10_000, async () => ((await stats(web)).stats.find((x) => x.name === 'Aggregated')?.num_requests ?? 0) > n1);

    // The master goes away without a word: the worker notices within its --master-timeout and ends its test.
    master.child.kill('SIGKILL');
    const r = await within(w[0]!.done, 20_000, 'worker a after the master died');
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /lost the connection to the master/);
    assert.ok(fs.existsSync(path.join(dir, 'a-2', 'summary.json')), 'its last test is complete on disk');
  } finally {
    for (const x of w) x.child.kill('SIGKILL');
    master.child.kill('SIGKILL');
    await sim.close();
  }
});
