/**
 * CPU time per request of llmload against nginx's canned streams, from the OS, for a fixed number
 * of requests (the load threads' hot path; wall time is not used, so a shared machine does not skew
 * it much):
 *   npm run build && node --import tsx bench/hot-path-cpu.ts short|long [requests] [rounds]
 * Prints, per round, the process's user + system CPU µs per request (process.resourceUsage, every
 * thread), in the steady state (after the first fifth of the requests) and over the whole run
 * (thread start-up included), split into the load threads, the main thread and the helper threads
 * V8 and libuv share among all threads (parallel GC, compilers; from /proc/self/task), with the
 * rate and the load average. LLMLOAD_BENCH_USERS sets the users (default 64);
 * LLMLOAD_HOT_PATH_TRACE_GC=1 turns on V8's --trace-gc in every thread.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../src/core/run/runner';
import { benchPlan, envNumber } from './bench-kit';
import { cannedStream, ensureTools, startNginx } from './load-servers';

/** user + system CPU µs of every thread of this process, by thread id (Linux; empty elsewhere). */
function threadCpu(): Map<number, number> {
  const out = new Map<number, number>();
  const tick = 1e6 / 100; // USER_HZ is 100 on Linux
  let tids: string[];
  try {
    tids = fs.readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) * tick);
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** user and system CPU µs of the whole process. */
function cpuMicros(): { user: number; system: number } {
  const u = process.resourceUsage();
  return { user: u.userCPUTime, system: u.systemCPUTime };
}

interface Snapshot {
  cpu: { user: number; system: number };
  threads: Map<number, number>;
  requests: number;
  t: number;
}

function snapshot(requests: number): Snapshot {
  return { cpu: cpuMicros(), threads: threadCpu(), requests, t: performance.now() };
}

/** CPU between two snapshots per request, split by thread; `a`'s threads that still run are the main thread and the helpers. */
function perRequest(a: Snapshot, b: Snapshot): string {
  const n = b.requests - a.requests;
  const system = b.cpu.system - a.cpu.system;
  const cpu = b.cpu.user - a.cpu.user + system;
  let kept = 0;
  for (const [tid, us] of b.threads) if (a.threads.has(tid)) kept += us - a.threads.get(tid)!;
  const main = (b.threads.get(process.pid) ?? 0) - (a.threads.get(process.pid) ?? 0);
  const f = (us: number): string => (us / n).toFixed(1);
  return `${f(cpu)} µs/request (system ${f(system)}; load threads ${f(cpu - kept)}, main thread ${f(main)}, V8/libuv helper threads ${f(kept - main)}; ${Math.round((n * 1000) / (b.t - a.t))} req/s, ${((cpu / (b.t - a.t)) * 0.1).toFixed(0)}% of a core)`;
}

async function round(which: string, port: number, requests: number, users: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-hot-path-'));
  try {
    const plan = benchPlan({ scenario: 'hot-path', load: { kind: 'users', users, duration_ms: 600_000 }, stop: { after_requests: requests } });
    // LLMLOAD_HOT_PATH_WORKER: another build of the load worker (a saved copy of the old code, for alternating rounds)
    const workerFile = process.env.LLMLOAD_HOT_PATH_WORKER ?? path.join(__dirname, '..', 'dist', 'load-worker.js');
    const load0 = os.loadavg()[0]!;
    const start = snapshot(0);
    // Steady state: from the request that ends the first fifth (threads started, code optimized) to the end.
    const warm = Math.round(requests / 5);
    let steady: Snapshot | undefined;
    const h = await startRun(plan, {
      outDir: dir,
      targetOverride: `http://127.0.0.1:${port}/${which}/v1`,
      workerFile,
      // Progress, not onRecords: a consumer of whole records makes the orchestrator parse every line, which a run does not.
      progressIntervalMs: 20,
      onProgress(p) {
        if (!steady && p.ok + p.failed >= warm) steady = snapshot(p.ok + p.failed);
      },
    });
    const { summary, error } = await h.done;
    if (error) throw new Error(error);
    const n = summary.requests.ok + summary.requests.failed;
    const end = snapshot(n);
    const failed = summary.requests.failed > 0 ? ` (${summary.requests.failed} failed)` : '';
    return (
      `${which}, ${n} requests${failed}, load avg ${load0.toFixed(1)}–${os.loadavg()[0]!.toFixed(1)}, peak RSS of the process so far ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n` +
      `  steady (after ${steady?.requests}): ${steady ? perRequest(steady, end) : 'n/a'}\n` +
      `  whole run, start-up included: ${perRequest(start, end)}`
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  // V8 flags reach the load threads' isolates only this way (a worker refuses them in execArgv).
  if (process.env.LLMLOAD_HOT_PATH_TRACE_GC) (await import('node:v8')).setFlagsFromString('--trace-gc');
  const which = process.argv[2] === 'long' ? 'long' : 'short';
  const requests = Number(process.argv[3] ?? (which === 'long' ? 2_000 : 50_000));
  const rounds = Number(process.argv[4] ?? 1);
  const users = envNumber('LLMLOAD_BENCH_USERS', 64);
  const { found } = ensureTools(() => undefined);
  if (!found.nginx) throw new Error('nginx is missing');
  const server = await startNginx(found.nginx, { [which]: cannedStream(which === 'long' ? 2000 : 22) }, os.availableParallelism());
  try {
    for (let i = 0; i < rounds; i++) console.log(await round(which, server.port, requests, users));
  } finally {
    await server.stop();
  }
  process.exit(0);
}

void main();
