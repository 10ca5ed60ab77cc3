/**
 * The three clients the load bench compares, each run once against a server and measured the
 * same way: requests completed, wall time, and the client's CPU time (user + system of every
 * process and thread of it, from the OS) over the time it was loading the server.
 *  - llmload: `startRun` in this process, load threads running dist/load-worker.js; CPU from
 *    getrusage (process.cpuUsage: every thread) between the load's start and end, as the run's
 *    client check measures it (worker boot excluded);
 *  - Locust: a master and one worker process per core (bench/servers/locust_run.py); CPU of all
 *    of them from /proc, from the moment the server starts working (Python's start-up excluded)
 *    to the master's exit;
 *  - wrk: CPU of its process (all threads) from the shell's `times` after it exits.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../src/core/run/runner';
import type { RequestRecord } from '../src/core/metrics/record';
import type { Summary } from '../src/core/metrics/summary';
import type { RunPlan } from '../src/core/scenario/plan';
import { cpuSeconds, freePort, treePids, type NginxServer } from './load-servers';

const CORES = os.availableParallelism();
/** The bundle `npm run bench` builds first: the load threads run the shipped code, not tsx. */
export const WORKER_FILE = path.join(__dirname, '..', 'dist', 'load-worker.js');

export interface LlmloadResult {
  summary: Summary;
  records: RequestRecord[];
  /** packets.jsonl as written. */
  traced: string;
  /** CPU seconds of this process from before startRun to the end (worker boot included). */
  cpuS: number;
  /** CPU seconds of this process over the load (the client check's window: load start to end). */
  loadCpuS: number;
  rss: number[];
  serverCpuS: number;
}

export async function llmloadRun(url: string, p: RunPlan, server?: NginxServer, threads?: number): Promise<LlmloadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bench-run-'));
  const rss: number[] = [];
  const srv0 = server ? cpuSeconds(server.pids()) : 0;
  const cpu0 = process.cpuUsage();
  const h = await startRun(p, { outDir: dir, targetOverride: url, workers: threads, workerFile: fs.existsSync(WORKER_FILE) ? WORKER_FILE : undefined });
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
  const { summary, error } = await h.done;
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const serverCpuS = server ? cpuSeconds(server.pids()) - srv0 : 0;
  if (error) throw new Error(`llmload run failed: ${error}`);
  const records = fs
    .readFileSync(path.join(dir, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RequestRecord);
  const traced = fs.readFileSync(path.join(dir, 'packets.jsonl'), 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  const loadCpuS = ((summary.client?.cpu_percent ?? NaN) / 100) * summary.duration_s;
  return { summary, records, traced, cpuS: (cpu.user + cpu.system) / 1e6, loadCpuS, rss, serverCpuS };
}

export function packetsOf(records: RequestRecord[]): number {
  let n = 0;
  for (const r of records) for (const v of Object.values(r.packets)) n += v ?? 0;
  return n;
}

export interface LocustResult {
  streams: number;
  streamsPerS: number;
  eventsPerS: number;
  ttftMedianMs: number;
  /** CPU seconds of master and workers while the server was loaded (Python's start-up excluded). */
  cpuS: number;
  /** The same from the processes' start (imports, spawning). */
  cpuWithStartS: number;
  serverCpuS: number;
  failures: number;
}

/** Locust headless, distributed: a master and one worker process per core. */
export async function locustRun(bin: string, host: string, streamPath: string, users: number, seconds: number, server: NginxServer): Promise<LocustResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bench-locust-'));
  const file = path.join(__dirname, 'servers', 'locustfile.py');
  const port = await freePort();
  const childEnv = { ...process.env, STREAM_PATH: streamPath, PYTHONUNBUFFERED: '1' };
  // Locust through bench/servers/locust_run.py (see there: Debian's package cannot run distributed otherwise), with the locust command's own Python
  const python = /^#!\s*(\S+)/.exec(fs.readFileSync(bin, 'utf8').split('\n')[0] ?? '')?.[1] ?? 'python3';
  const common = [path.join(__dirname, 'servers', 'locust_run.py'), '-f', file, '--skip-log-setup'];
  const master = spawn(
    python,
    [...common, '--master', '--master-bind-host', '127.0.0.1', '--master-bind-port', String(port), '--headless', '--expect-workers', String(CORES), '-u', String(users), '-r', String(users), '-t', `${seconds}s`, '--host', host, '--csv', path.join(dir, 'out'), '--only-summary'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv },
  );
  let stderr = '';
  master.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const workers = Array.from({ length: CORES }, () => spawn(python, [...common, '--worker', '--master-host', '127.0.0.1', '--master-port', String(port)], { stdio: 'ignore', env: childEnv }));
  const pids = (): number[] => [...treePids(master.pid!), ...workers.flatMap((w) => treePids(w.pid!))];
  const srv0 = cpuSeconds(server.pids());
  // CPU of the client's processes at the last sample before the server got its first request,
  // and the highest total seen (processes that ended count 0 afterwards)
  let cpu = 0;
  let atLoadStart: number | undefined;
  const sampler = setInterval(() => {
    const now = cpuSeconds(pids());
    if (atLoadStart === undefined && cpuSeconds(server.pids()) - srv0 > 0.005) atLoadStart = cpu;
    cpu = Math.max(cpu, now);
  }, 100);
  const exited = new Promise<void>((r) => master.once('exit', () => r()));
  const timeout = setTimeout(() => master.kill('SIGKILL'), (seconds + 60) * 1000);
  await exited;
  clearTimeout(timeout);
  clearInterval(sampler);
  const serverCpuS = cpuSeconds(server.pids()) - srv0;
  for (const w of workers) w.kill('SIGKILL');
  const csv = path.join(dir, 'out_stats.csv');
  if (!fs.existsSync(csv)) throw new Error(`Locust wrote no stats: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
  const head = lines[0]!.split(',');
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])) as Record<string, string>);
  const stream = rows.find((r) => r.Type === 'SSE' && r.Name === 'stream');
  const ttft = rows.find((r) => r.Type === 'SSE' && r.Name === 'ttft');
  const post = rows.find((r) => r.Type === 'POST');
  fs.rmSync(dir, { recursive: true, force: true });
  if (!stream) throw new Error('Locust completed no stream');
  const n = Number(stream['Request Count']);
  const rps = Number(stream['Requests/s']);
  return {
    streams: n,
    streamsPerS: rps,
    eventsPerS: rps * Number(stream['Average Content Size']),
    ttftMedianMs: Number(ttft?.['Median Response Time'] ?? NaN),
    cpuS: cpu - (atLoadStart ?? 0),
    cpuWithStartS: cpu,
    serverCpuS,
    failures: Number(post?.['Failure Count'] ?? 0),
  };
}

export interface WrkResult {
  rps: number;
  requests: number;
  serverCpuS: number;
  /** CPU seconds of wrk (user + system, all its threads), from the kernel's accounting of the exited child. */
  cpuS: number;
}

/** wrk with one thread per core, POSTing the same body; no SSE parsing at all: the ceiling of the server and the kernel. */
export function wrkRun(bin: string, url: string, connections: number, seconds: number, server: NginxServer): WrkResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bench-wrk-'));
  const lua = path.join(dir, 'post.lua');
  fs.writeFileSync(lua, `wrk.method = "POST"\nwrk.body = '{"model":"bench","stream":true,"messages":[{"role":"user","content":"Hello"}]}'\nwrk.headers["Content-Type"] = "application/json"\n`);
  const srv0 = cpuSeconds(server.pids());
  // bash's `times` prints the CPU of the children it waited for (wrk and all its threads) on its last line
  const r = spawnSync('bash', ['-c', '"$0" "$@"; s=$?; times; exit $s', bin, '-t', String(CORES), '-c', String(connections), '-d', `${seconds}s`, '-s', lua, url], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  const serverCpuS = cpuSeconds(server.pids()) - srv0;
  fs.rmSync(dir, { recursive: true, force: true });
  const out = r.stdout ?? '';
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const total = /(\d+) requests in ([\d.]+)(m?s)/.exec(out);
  if (!m) throw new Error(`wrk gave no rate: ${out + (r.stderr ?? '')}`);
  return { rps: Number(m[1]), requests: total ? Number(total[1]) : NaN, serverCpuS, cpuS: childrenCpu(out) };
}

/** The children's user + system seconds from the last line of bash's `times` (`0m1.230s 0m0.450s`). */
export function childrenCpu(out: string): number {
  const last = out.trim().split('\n').pop() ?? '';
  const t = [...last.matchAll(/(\d+)m([\d.]+)s/g)].map((x) => Number(x[1]) * 60 + Number(x[2]));
  return t.length === 2 ? t[0]! + t[1]! : NaN;
}
