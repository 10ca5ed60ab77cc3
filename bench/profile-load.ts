/**
 * Runs llmload alone against nginx's canned stream for profiling the load threads:
 *   npm run build && node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-load.ts short 10
 * (`short`: 22 events, `long`: 2,000). LLMLOAD_BENCH_THREADS sets the load threads (by default
 * the run sizes them). Prints the run's rate and the process's CPU per request, user and system
 * apart; every thread writes its own profile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../src/core/run/runner';
import { benchPlan } from './bench-kit';
import { cannedStream, ensureTools, startNginx } from './load-servers';

async function main(): Promise<void> {
  const which = process.argv[2] === 'long' ? 'long' : 'short';
  const seconds = Number(process.argv[3] ?? 10);
  const users = Number(process.env.LLMLOAD_BENCH_USERS ?? 64);
  const { found } = ensureTools(() => undefined);
  if (!found.nginx) throw new Error('nginx is missing');
  const server = await startNginx(found.nginx, { [which]: cannedStream(which === 'long' ? 2000 : 22) }, os.availableParallelism());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-profile-'));
  try {
    const plan = benchPlan({ scenario: 'profile', load: { kind: 'users', users, duration_ms: seconds * 1000 } });
    const workerFile = path.join(__dirname, '..', 'dist', 'load-worker.js');
    const cpu0 = process.cpuUsage();
    const threads = process.env.LLMLOAD_BENCH_THREADS ? Number(process.env.LLMLOAD_BENCH_THREADS) : undefined;
    const h = await startRun(plan, { outDir: dir, targetOverride: `http://127.0.0.1:${server.port}/${which}/v1`, workerFile, workers: threads });
    const { summary, error } = await h.done;
    if (error) throw new Error(error);
    const cpu = process.cpuUsage(cpu0);
    const cpuUsPerRequest = (cpu.user + cpu.system) / Math.max(1, summary.requests.total);
    console.log(`${which}: ${Math.round(summary.rps)} req/s, ${summary.requests.ok} ok, ${summary.requests.failed} failed, client CPU ${cpuUsPerRequest.toFixed(1)} µs a request (user ${(cpu.user / Math.max(1, summary.requests.total)).toFixed(1)} + system ${(cpu.system / Math.max(1, summary.requests.total)).toFixed(1)}, this process, thread start-up included), event-loop lag p99 ${summary.client?.event_loop_lag_ms.p99} ms, load avg ${os.loadavg()[0]!.toFixed(1)}`);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

void main();
