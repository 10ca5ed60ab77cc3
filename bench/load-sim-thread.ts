/**
 * The built-in simulator on a thread of its own, for bench (c): 5,000 slow streams make the
 * simulator busy, and it must not share an event loop with the run orchestrator. The caller asks
 * for send logs by response id when the run is over.
 */
import path from 'node:path';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { startSimulator, type SimProfile } from '../src/core/sim';

type Request = { type: 'logs'; ids: string[] } | { type: 'close' };
type Reply = { type: 'ready'; url: string } | { type: 'logs'; logs: Array<number[] | null> } | { type: 'closed' };

export interface SimThread {
  url: string;
  /** Wall-clock send times (epoch ms) of each frame of each response, null when unknown. */
  sendLogs(ids: string[]): Promise<Array<number[] | null>>;
  close(): Promise<void>;
}

export async function startSimThread(profile: SimProfile, sendLogCapacity: number): Promise<SimThread> {
  const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(__filename)});`;
  const w = new Worker(boot, { eval: true, workerData: { profile, sendLogCapacity } });
  const next = (): Promise<Reply> =>
    new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  const ready = (await next()) as Extract<Reply, { type: 'ready' }>;
  return {
    url: ready.url,
    async sendLogs(ids) {
      const r = next();
      w.postMessage({ type: 'logs', ids } satisfies Request);
      return ((await r) as Extract<Reply, { type: 'logs' }>).logs;
    },
    async close() {
      const r = next();
      w.postMessage({ type: 'close' } satisfies Request);
      await r;
      await w.terminate();
    },
  };
}

async function serve(): Promise<void> {
  const { profile, sendLogCapacity } = workerData as { profile: SimProfile; sendLogCapacity: number };
  const sim = await startSimulator({ profile, sendLogCapacity, seed: 1 });
  const port = parentPort!;
  port.on('message', async (m: Request) => {
    if (m.type === 'logs') port.postMessage({ type: 'logs', logs: m.ids.map((id) => sim.sendLog(id) ?? null) } satisfies Reply);
    else {
      await sim.close();
      port.postMessage({ type: 'closed' } satisfies Reply);
    }
  });
  port.postMessage({ type: 'ready', url: sim.url } satisfies Reply);
}

if (parentPort && (workerData as { profile?: unknown } | undefined)?.profile && path.basename(__filename).startsWith('load-sim-thread')) void serve();
