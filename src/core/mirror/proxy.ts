/**
 * The mirror's front: a TCP relay that speaks just enough HTTP/1.1 (./relay-connection.ts). Every
 * request goes to the primary over the client connection's own connection to it, and the
 * primary's answer streams back to the client byte for byte as it arrives (status and headers
 * kept, one hop's headers dropped), with no buffering beyond what the client's socket asks for
 * (backpressure pauses the upstream read). A client that goes away mid-stream cancels the primary
 * request. A timed API's answer is kept as it passes (bytes and arrival times,
 * ./forwarding-exchange.ts) and handed to the hooks (./session.ts) when it ended; the hooks never
 * hold the client up. Node's HTTP server and client are not on this path: the two HTTP stacks
 * cost more than the whole 1 ms budget at p99 (docs/performance.md, the mirror proxy).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { RelayConnection } from './relay-connection';
import type { IncomingCall, ProxyHooks } from './proxy-hooks';

/** Request bodies above this size are refused (413): an LLM request is a few MB at most. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export type { CallPlan, IncomingCall, ProxyHooks } from './proxy-hooks';

export interface RunningProxy {
  url: string;
  port: number;
  /** Requests whose primary answer is still streaming. */
  readonly active: number;
  close(): Promise<void>;
}

export async function startProxy(opts: { host: string; port: number; primary: string; hooks: ProxyHooks }): Promise<RunningProxy> {
  const base = new URL(opts.primary);
  const secure = base.protocol === 'https:';
  let active = 0;
  const sockets = new Set<net.Socket>();
  const target = {
    hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: base.port ? Number(base.port) : secure ? 443 : 80,
    tls: secure,
    host: base.host,
    prefix: base.pathname.replace(/\/+$/, ''),
    maxBody: MAX_BODY_BYTES,
    begin: (call: IncomingCall) => opts.hooks.begin(call),
    track: (delta: number) => {
      active += delta;
    },
  };
  // Half-open: a client that ends its side after its request still gets its answer.
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    new RelayConnection(s, target);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    port,
    get active() {
      return active;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open answers are cut and resolve as cancelled; their records are written before returning.
        for (const s of sockets) s.destroy();
      });
      for (let i = 0; active > 0 && i < 1000; i++) await new Promise((r) => setTimeout(r, 5));
    },
  };
}
