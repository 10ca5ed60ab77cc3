/**
 * The load engine and protocol client on this one thread (no worker, no orchestrator) against
 * nginx's canned stream, for a fixed number of requests: CPU µs per request of exactly the work a
 * load thread does per request, records posted in batches over a MessagePort as the worker does.
 *   node --import tsx bench/hot-path-inline.ts short|long [requests] [rounds]
 * LLMLOAD_HOT_PATH_ALLOC=FILE writes a sampling allocation profile (objects collected by GC
 * included; with LLMLOAD_HOT_PATH_ALLOC_MAJOR=1 only those a major GC collected, i.e. promoted
 * garbage) of the last round; LLMLOAD_HOT_PATH_PROF=FILE a CPU profile.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { createClient } from '../src/core/protocols';
import { LoadEngine } from '../src/core/load/engine';
import type { RequestRecord } from '../src/core/metrics/record';
import type { TracedRequest } from '../src/core/messages';
import { benchPlan, envNumber } from './bench-kit';
import { cannedStream, ensureTools, startNginx } from './load-servers';

function post(session: inspector.Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
}

interface AllocNode {
  selfSize: number;
  children: AllocNode[];
}

function allocatedBytes(n: AllocNode): number {
  let sum = n.selfSize;
  for (const c of n.children) sum += allocatedBytes(c);
  return sum;
}

async function round(url: string, requests: number, users: number, profile: { alloc?: string; cpu?: string }): Promise<string> {
  const plan = benchPlan({ scenario: 'hot-path', load: { kind: 'users', users, duration_ms: 600_000 }, stop: { after_requests: requests } });
  const client = createClient(plan, url, { connections: users });
  const { port1, port2 } = new MessageChannel();
  port2.on('message', () => undefined);
  port2.unref();
  let records: RequestRecord[] = [];
  let traces: TracedRequest[] = [];
  const flush = (): void => {
    if (records.length === 0) return;
    port1.postMessage({ type: 'records', records, traces });
    records = [];
    traces = [];
  };
  const engine = new LoadEngine(plan, client, {
    record(rec, trace) {
      records.push(rec);
      if (trace) traces.push(trace);
      if (records.length >= 500) flush();
    },
  });
  const timer = setInterval(flush, 100);
  const session = new inspector.Session();
  session.connect();
  if (profile.alloc) await post(session, 'HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !process.env.LLMLOAD_HOT_PATH_ALLOC_MAJOR });
  if (profile.cpu) {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.start');
  }
  const load0 = os.loadavg()[0]!;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await engine.run();
  flush();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  let allocated = '';
  if (profile.alloc) {
    const p = ((await post(session, 'HeapProfiler.stopSampling')) as { profile: { head: AllocNode } }).profile;
    fs.writeFileSync(profile.alloc, JSON.stringify(p));
    allocated = `, ${(allocatedBytes(p.head) / engine.state().sent / 1024).toFixed(1)} KB allocated/request (sampled)`;
  }
  if (profile.cpu) fs.writeFileSync(profile.cpu, JSON.stringify(((await post(session, 'Profiler.stop')) as { profile: unknown }).profile));
  session.disconnect();
  clearInterval(timer);
  await client.close();
  port1.close();
  const n = engine.state().sent;
  return `${n} requests${allocated} in ${(wall / 1000).toFixed(1)} s: ${((c.user + c.system) / n).toFixed(1)} µs/request (system ${(c.system / n).toFixed(1)}), ${Math.round((n * 1000) / wall)} req/s, load avg ${load0.toFixed(1)}–${os.loadavg()[0]!.toFixed(1)}`;
}

async function main(): Promise<void> {
  const which = process.argv[2] === 'long' ? 'long' : 'short';
  const requests = Number(process.argv[3] ?? (which === 'long' ? 1_000 : 30_000));
  const rounds = Number(process.argv[4] ?? 3);
  const users = envNumber('LLMLOAD_BENCH_USERS', 32);
  const { found } = ensureTools(() => undefined);
  if (!found.nginx) throw new Error('nginx is missing');
  const server = await startNginx(found.nginx, { [which]: cannedStream(which === 'long' ? 2000 : 22) }, 1);
  try {
    // The first round warms the code up and is not printed.
    await round(`http://127.0.0.1:${server.port}/${which}/v1`, Math.ceil(requests / 2), users, {});
    for (let i = 0; i < rounds; i++) {
      const last = i === rounds - 1;
      const profile = last ? { alloc: process.env.LLMLOAD_HOT_PATH_ALLOC, cpu: process.env.LLMLOAD_HOT_PATH_PROF } : {};
      console.log(`${which}: ${await round(`http://127.0.0.1:${server.port}/${which}/v1`, requests, users, profile)}`);
    }
  } finally {
    await server.stop();
  }
  process.exit(0);
}

void main();
