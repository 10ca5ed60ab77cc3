/**
 * The load worker thread: owns the protocol client (its connection pool) and the engine, and
 * streams records to the run orchestrator in batches. Packet timestamps are taken here, on a thread
 * that does nothing but send, receive and classify.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createClient } from '../protocols';
import type { RunnerToWorker, TracedRequest, WorkerInit, WorkerToRunner } from '../messages';
import type { RequestRecord } from '../metrics/record';
import { LoadEngine } from './engine';

const FLUSH_MS = 100;
const FLUSH_RECORDS = 500;
const TICK_MS = 250;

function post(msg: WorkerToRunner): void {
  parentPort!.postMessage(msg);
}

async function main(init: WorkerInit): Promise<void> {
  const maxUsers = peakConcurrency(init.plan);
  const client = createClient(init.plan, init.baseUrl, { connections: maxUsers });
  let records: RequestRecord[] = [];
  let traces: TracedRequest[] = [];
  const flush = (): void => {
    if (records.length === 0) return;
    post({ type: 'records', records, traces });
    records = [];
    traces = [];
  };
  const engine = new LoadEngine(init.plan, client, {
    record(rec, trace) {
      records.push(rec);
      if (trace) traces.push(trace);
      if (records.length >= FLUSH_RECORDS) flush();
    },
  });
  parentPort!.on('message', (m: RunnerToWorker) => {
    if (m.type === 'stop') engine.stop(m.reason, true);
  });
  const flushTimer = setInterval(flush, FLUSH_MS);
  const tickTimer = setInterval(() => post({ type: 'tick', ...engine.state() }), TICK_MS);
  const running = engine.run();
  post({ type: 'started', start_epoch_ms: engine.startEpochMs });
  const end = await running;
  clearInterval(flushTimer);
  clearInterval(tickTimer);
  post({ type: 'tick', ...engine.state() });
  flush();
  await client.close();
  post({ type: 'done', ...end });
}

/** The most requests the plan can have in flight at once, for sizing the connection pool. */
function peakConcurrency(plan: WorkerInit['plan']): number {
  const l = plan.load;
  switch (l.kind) {
    case 'users':
      return l.users;
    case 'step':
      return l.max;
    case 'stages':
      return Math.max(1, ...l.stages.map((s) => (s.kind === 'ramp_users' ? s.to : 0)), 256);
    default:
      return 1024;
  }
}

main(workerData as WorkerInit).catch((e: unknown) => {
  post({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
});
