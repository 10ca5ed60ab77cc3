/**
 * Distributed bench (issue 17), loopback only: the QPM two `llmload worker` processes reach
 * against nginx's short canned streams (22 SSE events) when a headless Locust master spreads the
 * users over them, beside one `llmload run` process alone with the same users for the same time.
 * Both sides are the built CLI in child processes; the fleet's QPM comes from `llmload merge` of
 * the workers' folders, and the master's own count (its CSV's Aggregated row) is shown beside it.
 * On a 2-core machine two workers share the cores with nginx and the master, so this measures the
 * cost of going through a master more than any scale-out; on N machines each worker has its own.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Summary } from '../src/core/metrics/summary';
import { cannedStream, ensureTools, freePort, startNginx } from './load-servers';
import { envNumber, type BenchRow } from './bench-kit';

const SECONDS = envNumber('LLMLOAD_BENCH_SECONDS', 10);
const USERS = envNumber('LLMLOAD_BENCH_USERS', 64);
const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const log = (line: string): void => console.log(`[fleet] ${line}`);

const LOCUSTFILE = `from locust import User, task, constant
class LLMUser(User):
    wait_time = constant(1)
    @task
    def placeholder(self):
        pass
`;

function proc(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

function summaryOf(dir: string): Summary {
  return JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary;
}

export async function run(): Promise<BenchRow[]> {
  const { found, missing } = ensureTools(log);
  if (!found.nginx || !found.locust) {
    for (const m of missing) log(m);
    log('skipped: the fleet bench needs nginx and Locust');
    return [];
  }
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: npm run bench builds it first');
  const server = await startNginx(found.nginx, { short: cannedStream(22) }, os.availableParallelism());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bench-fleet-'));
  try {
    fs.writeFileSync(path.join(dir, 'locustfile.py'), LOCUSTFILE);
    fs.writeFileSync(
      path.join(dir, 's.llmload'),
      `scenario "fleet bench"\ntarget http://127.0.0.1:${server.port}/short/v1\napi openai-chat\nmodel bench\n` +
        `load users ${USERS} for ${SECONDS}s\ntrace failures\nprompt "hello"\n  user Hello\n  max_tokens 32\n`,
    );
    // One process alone.
    const alone = await proc(process.execPath, [CLI, 'run', 's.llmload', '--out', 'alone', '--quiet'], dir);
    if (alone.code !== 0 && alone.code !== 1) throw new Error(`llmload run failed: ${alone.out.slice(-500)}`);
    const aloneQpm = summaryOf(path.join(dir, 'alone')).qpm;
    log(`one llmload process, ${USERS} users, ${SECONDS}s: ${Math.round(aloneQpm)} QPM`);

    // Two workers through a headless master, all users at once (-r = -u).
    const port = await freePort();
    const master = proc(
      found.locust,
      ['-f', 'locustfile.py', '--master', '--headless', '--expect-workers', '2', '-u', String(USERS), '-r', String(USERS), '-t', `${SECONDS}s`,
        '--master-bind-host', '127.0.0.1', '--master-bind-port', String(port), '--csv', 'fleet', '--only-summary'],
      dir,
    );
    const workers = ['w1', 'w2'].map((out) => proc(process.execPath, [CLI, 'worker', 's.llmload', '--master', `127.0.0.1:${port}`, '--out', out, '--quiet'], dir));
    const [m, ...ws] = await Promise.all([master, ...workers]);
    if (m.code !== 0) throw new Error(`the Locust master failed: ${m.out.slice(-500)}`);
    for (const w of ws) if (w.code !== 0) throw new Error(`a worker failed: ${w.out.slice(-500)}`);
    const merged = await proc(process.execPath, [CLI, 'merge', 'w1', 'w2', '--out', 'fleet-run'], dir);
    if (merged.code !== 0) throw new Error(`merge failed: ${merged.out.slice(-500)}`);
    const fleet = summaryOf(path.join(dir, 'fleet-run'));
    const csv = fs.readFileSync(path.join(dir, 'fleet_stats.csv'), 'utf8').split(/\r?\n/);
    const aggregated = csv.find((l) => l.startsWith(',Aggregated,'))?.split(',') ?? [];
    const masterRequests = Number(aggregated[2] ?? NaN);
    log(`two workers via a Locust master, ${USERS} users, ${SECONDS}s: ${Math.round(fleet.qpm)} QPM (merged folders), the master counted ${masterRequests} requests`);
    const r = (x: number): number => Math.round(x * 100) / 100;
    return [
      { name: '(f) 2 workers via a Locust master', value: r(fleet.qpm), unit: 'QPM', baseline_name: 'one llmload process', baseline: r(aloneQpm), ratio: aloneQpm > 0 ? r(fleet.qpm / aloneQpm) : NaN },
      { name: '(f) requests the master counted', value: masterRequests, unit: 'requests', baseline_name: 'the merged workers\' requests', baseline: fleet.requests.ok + fleet.requests.failed, ratio: r(masterRequests / (fleet.requests.ok + fleet.requests.failed)) },
    ];
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
