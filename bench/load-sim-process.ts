/**
 * The built-in simulator in a process of its own, for bench (c): thousands of slow streams keep it
 * busy, and in the bench's own process it would share the client's CPU time and event loops, so
 * the client's CPU and lag would carry the server's. The child keeps a send log; the caller asks
 * for it by response id when the run is over. The two processes' clocks
 * (performance.timeOrigin + performance.now()) are compared over IPC at the start, and the send
 * times come back on the caller's clock.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { startSimulator, type SimProfile } from '../src/core/sim';
import { idleHelperThreads } from './quiet-helpers';

type Request = { type: 'start'; profile: string | SimProfile; sendLogCapacity: number; idleHelpers?: boolean } | { type: 'logs'; ids: string[] } | { type: 'clock' } | { type: 'close' };
type Reply = { type: 'ready'; url: string; helpers?: string } | { type: 'logs'; logs: Array<number[] | null>; received: Array<number | null> } | { type: 'clock'; now: number } | { type: 'closed' };

export interface SimProcess {
  url: string;
  pid: number;
  /** The child's clock minus this process's, ms, measured over the round trip with the smallest delay. */
  clockOffsetMs: number;
  /** Half that round trip, ms: the offset's uncertainty. */
  clockUncertaintyMs: number;
  /** With `idleHelpers`: what the child did with its helper threads (./quiet-helpers.ts). */
  helpers?: string;
  /** Wall-clock send times of each frame of each response, on this process's clock; null when unknown. */
  sendLogs(ids: string[]): Promise<Array<number[] | null>>;
  /** The same with when each response's request had arrived whole (`received`): the server's own time is a frame's send time less it. */
  serverTimes(ids: string[]): Promise<Array<{ received: number; sent: number[] } | null>>;
  close(): Promise<void>;
}

const now = (): number => performance.timeOrigin + performance.now();

export async function startSimProcess(profile: string | SimProfile, sendLogCapacity: number, opts: { idleHelpers?: boolean } = {}): Promise<SimProcess> {
  const child: ChildProcess = fork(__filename, ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`the simulator process exited with code ${code}`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as Reply);
      });
    });
  const send = (m: Request): void => void child.send(m);
  const ready = next();
  send({ type: 'start', profile, sendLogCapacity, idleHelpers: opts.idleHelpers });
  const { url, helpers } = (await ready) as Extract<Reply, { type: 'ready' }>;
  // NTP-style: the round trip with the least delay bounds the offset best
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 50; i++) {
    const r = next();
    const t0 = now();
    send({ type: 'clock' });
    const { now: tc } = (await r) as Extract<Reply, { type: 'clock' }>;
    const t1 = now();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: tc - (t0 + t1) / 2 };
  }
  const offset = best.offset;
  const serverTimes = async (ids: string[]): Promise<Array<{ received: number; sent: number[] } | null>> => {
    const r = next();
    send({ type: 'logs', ids });
    const { logs, received } = (await r) as Extract<Reply, { type: 'logs' }>;
    return logs.map((l, i) => (l ? { received: (received[i] ?? NaN) - offset, sent: l.map((t) => t - offset) } : null));
  };
  return {
    url,
    pid: child.pid!,
    clockOffsetMs: offset,
    clockUncertaintyMs: best.rtt / 2,
    helpers,
    async sendLogs(ids) {
      return (await serverTimes(ids)).map((l) => l?.sent ?? null);
    },
    serverTimes,
    async close() {
      const r = next().catch(() => undefined);
      send({ type: 'close' });
      await r;
      await new Promise<void>((res) => (child.exitCode !== null ? res() : child.once('exit', () => res())));
    },
  };
}

async function serve(): Promise<void> {
  const first = await new Promise<Extract<Request, { type: 'start' }>>((resolve) => process.once('message', (m) => resolve(m as Extract<Request, { type: 'start' }>)));
  const sim = await startSimulator({ profile: first.profile, sendLogCapacity: first.sendLogCapacity, seed: 1 });
  process.on('message', async (m: Request) => {
    if (m.type === 'clock') process.send!({ type: 'clock', now: now() } satisfies Reply);
    else if (m.type === 'logs') process.send!({ type: 'logs', logs: m.ids.map((id) => sim.sendLog(id) ?? null), received: m.ids.map((id) => sim.receivedAt(id) ?? null) } satisfies Reply);
    else if (m.type === 'close') {
      await sim.close();
      process.send!({ type: 'closed' } satisfies Reply, () => process.exit(0));
    }
  });
  process.send!({ type: 'ready', url: sim.url, ...(first.idleHelpers ? { helpers: idleHelperThreads() } : {}) } satisfies Reply);
}

if (process.argv.includes('--serve') && process.send) void serve();
