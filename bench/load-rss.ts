/**
 * Bench (m), run as a child process so that nothing else lives in its heap: drives llmload at full
 * speed against a URL for N seconds and prints one JSON line with its RSS and heap, sampled each
 * second, and the number of requests (one load thread per core, as in (a)). Usage: node --import tsx bench/load-rss.ts URL SECONDS USERS WORKER_FILE
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../src/core/run/runner';
import { benchPlan } from './bench-kit';

async function main(): Promise<void> {
  const [url, seconds, users, workerFile] = process.argv.slice(2);
  const plan = benchPlan({
    scenario: 'bench rss',
    target: { kind: 'url', url: url! },
    timeouts: { total_ms: 60_000 },
    load: { kind: 'users', users: Number(users), duration_ms: Number(seconds) * 1000 },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bench-rss-'));
  const rss: number[] = [];
  const heap: number[] = [];
  const h = await startRun(plan, { outDir: dir, workers: os.availableParallelism(), workerFile: workerFile && fs.existsSync(workerFile) ? workerFile : undefined });
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss.push(m.rss);
    heap.push(m.heapUsed);
  }, 1000);
  const { summary } = await h.done;
  clearInterval(timer);
  const bytes = fs.statSync(path.join(dir, 'requests.jsonl')).size;
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ rss, heap, requests: summary.requests.total, rps: summary.rps, requests_jsonl_bytes: bytes }));
  process.exit(0);
}

void main();
