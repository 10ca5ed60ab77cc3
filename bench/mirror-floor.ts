/**
 * Where the mirror's proxy-thread CPU stands against the cheapest proxies Node can be: the same
 * requests, one at a time over one keep-alive connection, to one simulator through (1) `llmload
 * mirror --sample 0%`, (2) the bare minimum of the mirror's design before its relay, a node:http
 * server forwarding through an undici Pool with a raw handler that writes each chunk to the
 * response, and (3) a raw TCP relay (one upstream connection per client connection, bytes piped
 * both ways, no HTTP at all), the shape the mirror's forwarding path now has, less its parsing;
 * and (4) the mirror's relay alone (no worker, no records). Each proxy is its own process; its
 * main thread's CPU (/proc, Linux) is divided by the requests after a warm-up. Kinds run in
 * turn, `rounds` times, so the machine's load hits all.
 *
 * TTFT added is the proxied path's quantile less the direct path's (the same requests, alternating,
 * over one keep-alive connection each). It is given twice: from the TTFTs as the client saw them,
 * and from each TTFT less that request's own time in the server (the simulator runs in a process
 * of its own with a send log: its first output frame's send time less when the request had
 * arrived whole). The second leaves out the simulator's own jitter, which both paths carry
 * independently and which widens the difference of their quantiles; what it keeps is all that lay
 * between client and server, the proxy included; it is then split by leg (request in, answer
 * out, on the wall clock the two processes share). One run's p99 is noisy, so besides the pooled figures it
 * prints the p99 added in each round and a bootstrap 90% interval of the pooled p99 added, and of
 * each kind's p99 added less the raw relay's (how far each proxy is above the floor of any relay).
 * Each proxy's pid is printed when it starts (for `strace -f -c -p PID`, `perf record -p PID`).
 *   npm run build && node --import tsx bench/mirror-floor.ts [requests, default 400] [rounds, default 2] [kinds, default mirror,relay,http,raw]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '../src/core/protocols';
import { buildRecord } from '../src/core/metrics/record';
import type { PromptPlan } from '../src/core/scenario/plan';
import { startSimProcess } from './load-sim-process';
import { harnessIdle, idleHelperThreads } from './quiet-helpers';
import { added, bootstrap90, loadAverage, mirrorCpu, quantile, signed, startCli, startListening, stopped, transitOf, legsOf, type Legs } from './mirror-overhead';

const UNDICI = require.resolve('undici');

/** The two bare proxies, as `node -e` programs: argv kind ('http' | 'raw') and the upstream URL. */
export const BARE = `
const http = require('node:http'); const net = require('node:net');
const { Pool } = require(${JSON.stringify(UNDICI)});
const [kind, upstream] = process.argv.slice(1);
const u = new URL(upstream);
const listening = (s) => s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
if (kind === 'raw') {
  listening(net.createServer((c) => {
    const up = net.connect(Number(u.port), u.hostname);
    c.setNoDelay(true); up.setNoDelay(true);
    c.pipe(up); up.pipe(c);
    c.on('error', () => up.destroy()); up.on('error', () => c.destroy());
    c.on('close', () => up.destroy()); up.on('close', () => c.destroy());
  }));
} else {
  const pool = new Pool(u.origin, { connections: 64 });
  const DROP = new Set(['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding']);
  listening(http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) if (!DROP.has(k)) headers[k] = v;
      let resume;
      pool.dispatch({ path: req.url, method: req.method, headers, body: Buffer.concat(chunks) }, {
        onConnect() {},
        onHeaders(status, raw, r) {
          resume = r;
          const out = [];
          for (let i = 0; i < raw.length; i += 2) { const k = raw[i].toString('latin1'); if (!DROP.has(k.toLowerCase())) out.push(k, raw[i + 1].toString('latin1')); }
          res.writeHead(status, out); res.flushHeaders(); return true;
        },
        onData(c) { const ok = res.write(c); if (!ok) res.once('drain', resume); return ok; },
        onComplete() { res.end(); },
        onError() { res.destroy(); },
      });
    });
  }));
}`;

/**
 * The mirror's relay (src/core/mirror/proxy.ts) alone, in its own process: every answer's log kept
 * as for a timed API, but no worker, sampler or records; what the relay costs without the rest.
 */
export const RELAY = `
const { startProxy } = require(${JSON.stringify(path.resolve(__dirname, '../src/core/mirror/proxy.ts'))});
startProxy({ host: '127.0.0.1', port: 0, primary: process.argv[1], hooks: { begin: () => ({ api: 'openai-chat', after() {}, done() {} }) } }).then((p) => console.log('listening on ' + p.url));`;

type Kind = 'mirror' | 'relay' | 'http' | 'raw';

type Ttft = { direct: number[]; proxy: number[] };

/**
 * Requests each fresh proxy process gets before it is measured. 20 warmed the connections but not
 * V8: the proxy's per-read functions were still unoptimized (--trace-opt) after 400, and a
 * proxy with more JavaScript on its path (the relay's parsers) paid more for it than the raw
 * relay; a long-running mirror is warm. LLMLOAD_FLOOR_WARM=N changes it.
 */
const WARM = Number(process.env.LLMLOAD_FLOOR_WARM ?? 300);

export async function floor(n = 400, rounds = 2, only: Kind[] = ['mirror', 'relay', 'http', 'raw']): Promise<void> {
  // in a process of its own that keeps a send log: each request's own time in the server (its first
  // output frame's send time less when the request had arrived whole) comes back by response id
  const sim = await startSimProcess('chat?decode_tokens_per_s=2000&overhead_ms=5&jitter=0', 4 * (n + WARM) + 100, { idleHelpers: harnessIdle });
  // The harness's helper threads (this client and the simulator) yield the cores (./quiet-helpers.ts).
  console.log(`harness: client ${harnessIdle ? idleHelperThreads() : 'left alone (LLMLOAD_BENCH_HARNESS_IDLE=0)'}, simulator ${sim.helpers ?? 'left alone'}`);
  const root = sim.url.replace(/\/v1$/, '');
  const plan = { api: 'openai-chat' as const, model: 'm', timeouts: { total_ms: 30_000 }, headers: {} };
  const kinds = only;
  const per: Record<Kind, number[]> = { mirror: [], relay: [], http: [], raw: [] };
  // The same from schedstat's nanosecond clock (the ticks above move by 10 ms / n per request).
  const exact: Record<Kind, number[]> = { mirror: [], relay: [], http: [], raw: [] };
  // TTFT as the client sees it, each proxied request next to a direct one (order alternating), per kind and round.
  const ttft: Record<Kind, Ttft[]> = { mirror: [], relay: [], http: [], raw: [] };
  // The same less the server's own time for each request: what lay between client and server (the
  // proxy, loopback, both ends' stacks), without the simulator's own jitter, which the two paths
  // sample independently and which widens the difference of their quantiles.
  const transit: Record<Kind, Ttft[]> = { mirror: [], relay: [], http: [], raw: [] };
  // The same split by leg: which way the time is added, on the way in or on the way back.
  const noLegs = (): Record<'direct' | 'proxy', Legs> => ({ direct: { request: [], response: [] }, proxy: { request: [], response: [] } });
  const legs: Record<Kind, Record<'direct' | 'proxy', Legs>> = { mirror: noLegs(), relay: noLegs(), http: noLegs(), raw: noLegs() };
  const direct = createClient(plan, sim.url, { connections: 1 });
  console.log(`proxy main-thread CPU per request, ${n} requests one at a time after ${WARM} to warm up, ${rounds} rounds (10 ms ticks); load average before: ${loadAverage()}`);
  try {
    for (let round = 0; round < rounds; round++) {
      for (const kind of kinds) {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-floor-'));
        const proxy =
          kind === 'mirror'
            ? await startCli(['mirror', '--listen', '127.0.0.1:0', '--primary', root, '--shadow', root, '--sample', '0%', '--out', out])
            : kind === 'relay'
              ? await startListening(['--import', 'tsx', '-e', RELAY, root], 'relay')
              : await startListening(['-e', BARE, kind, root], `${kind} proxy`);
        console.log(`  ${kind} process ${proxy.child.pid} (round ${round + 1})`);
        const client = createClient(plan, `${proxy.url.replace(/\/v1$/, '')}/v1`, { connections: 1 });
        const t: Ttft = { direct: [], proxy: [] };
        const ids: Record<'direct' | 'proxy', string[]> = { direct: [], proxy: [] };
        const starts: Record<'direct' | 'proxy', number[]> = { direct: [], proxy: [] };
        let cpu0 = 0;
        let run0 = 0;
        try {
          for (let i = 0; i < n + WARM; i++) {
            if (i === WARM) {
              const c = mirrorCpu(proxy.child.pid);
              cpu0 = c?.proxy_ms ?? NaN;
              run0 = c?.proxy_run_ms ?? NaN;
            }
            const prompt: PromptPlan = { name: 'p', weight: 1, messages: [{ role: 'user', content: `conversation ${i}: say something short` }], params: { max_tokens: 16 } };
            for (const path of i % 2 === 0 ? (['direct', 'proxy'] as const) : (['proxy', 'direct'] as const)) {
              const r = await (path === 'direct' ? direct : client).send(prompt);
              const rec = buildRecord(r, { id: i, prompt: 'p', user: 0, start_ms: r.start_ms, offset_ms: 0 });
              if (rec.status !== 'ok' || rec.ttft_ms === null) throw new Error(`${kind} ${path} request ${i} failed: ${rec.error?.message}`);
              if (i >= WARM) {
                t[path].push(rec.ttft_ms);
                ids[path].push(rec.response_id ?? '');
                starts[path].push(rec.start_ms);
              }
            }
          }
          const c = mirrorCpu(proxy.child.pid);
          const us = (((c?.proxy_ms ?? NaN) - cpu0) / n) * 1000;
          const runUs = (((c?.proxy_run_ms ?? NaN) - run0) / n) * 1000;
          per[kind].push(us);
          exact[kind].push(runUs);
          ttft[kind].push(t);
          const lg = await legsOf(sim, t, ids, starts);
          const tr = transitOf(lg);
          transit[kind].push(tr);
          for (const p of ['direct', 'proxy'] as const) {
            legs[kind][p].request.push(...lg[p].request);
            legs[kind][p].response.push(...lg[p].response);
          }
          console.log(
            `  ${kind.padEnd(6)} ${us.toFixed(0).padStart(5)} µs (on a CPU ${runUs.toFixed(0)} µs)   TTFT added p50 ${signed(added(t, 0.5))}, p99 ${signed(added(t, 0.99))} ms; ` +
              `less the server's own time p50 ${signed(added(tr, 0.5))}, p99 ${signed(added(tr, 0.99))} ms   (load ${loadAverage()})`,
          );
        } finally {
          await client.close();
          await stopped(proxy.child);
          fs.rmSync(out, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await direct.close();
    await sim.close();
  }
  const range = (v: number[]): string => (v.length === 0 ? 'not run' : `${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)} µs`);
  console.log(`llmload mirror ${range(per.mirror)}, its relay alone ${range(per.relay)}, node:http + undici ${range(per.http)}, raw TCP relay ${range(per.raw)}`);
  if (Object.values(exact).some((v) => v.some(Number.isFinite))) console.log(`on a CPU (schedstat): llmload mirror ${range(exact.mirror)}, its relay alone ${range(exact.relay)}, node:http + undici ${range(exact.http)}, raw TCP relay ${range(exact.raw)}`);
  report('TTFT added to direct calls (the same requests, alternating)', ttft, kinds, n * rounds);
  report("The same less each request's own time in the server (first output frame sent less request arrived whole, from its send log)", transit, kinds, n * rounds);
  const q = (v: number[], f: number): string => (v.length === 0 ? 'n/a' : quantile(v, f).toFixed(2));
  console.log(`By leg (client and server clocks matched over IPC, ±${sim.clockUncertaintyMs.toFixed(3)} ms): request = client sent → server had it whole; answer = server sent the first output → client read it; p50 / p99 ms`);
  for (const kind of kinds) {
    const l = legs[kind];
    console.log(
      `  ${kind.padEnd(6)} request ${q(l.proxy.request, 0.5)} / ${q(l.proxy.request, 0.99)} (direct ${q(l.direct.request, 0.5)} / ${q(l.direct.request, 0.99)}); ` +
        `answer ${q(l.proxy.response, 0.5)} / ${q(l.proxy.response, 0.99)} (direct ${q(l.direct.response, 0.5)} / ${q(l.direct.response, 0.99)})`,
    );
  }
}

/** Pooled quantiles of what each proxy adds, per round, with bootstrap intervals, and above the raw relay's. */
function report(title: string, sets: Record<Kind, Ttft[]>, kinds: Kind[], perPath: number): void {
  const pooled = (rs: Ttft[]): Ttft => ({ direct: rs.flatMap((r) => r.direct), proxy: rs.flatMap((r) => r.proxy) });
  console.log(`${title}, ${perPath} per path:`);
  for (const kind of kinds) {
    const t = pooled(sets[kind]);
    const add = (q: number): string => `${signed(added(t, q), 3)} ms`;
    console.log(`  ${kind.padEnd(6)} p50 ${add(0.5)}, p99 ${add(0.99)} (direct p50 ${quantile(t.direct, 0.5).toFixed(2)}, p99 ${quantile(t.direct, 0.99).toFixed(2)} ms)`);
  }
  // The spread: one round's p99 moves by half a millisecond on a quiet VM, so say how far.
  console.log(`  p99 added: per round, and a bootstrap 90% interval over the pooled samples (resampled per round and path):`);
  for (const kind of kinds) {
    const rs = sets[kind];
    const [lo, hi] = bootstrap90(rs, (s) => added(pooled(s), 0.99));
    console.log(`  ${kind.padEnd(6)} rounds ${rs.map((r) => signed(added(r, 0.99))).join(', ')} ms; pooled ${signed(added(pooled(rs), 0.99))} ms, 90% ${signed(lo)} to ${signed(hi)} ms`);
  }
  if (kinds.includes('raw')) {
    console.log(`  p99 added above the raw TCP relay's (the floor of any relay on this machine), 90% bootstrap interval:`);
    const raw = sets.raw;
    for (const kind of kinds) {
      if (kind === 'raw') continue;
      const rs = sets[kind];
      const diff = (s: Ttft[]): number => added(pooled(s.slice(0, rs.length)), 0.99) - added(pooled(s.slice(rs.length)), 0.99);
      const [lo, hi] = bootstrap90([...rs, ...raw], diff);
      console.log(`  ${kind.padEnd(6)} ${signed(diff([...rs, ...raw]))} ms, 90% ${signed(lo)} to ${signed(hi)} ms`);
    }
  }
}

if (require.main === module) {
  const kinds = (process.argv[4] ?? 'mirror,relay,http,raw').split(',').filter((k): k is Kind => ['mirror', 'relay', 'http', 'raw'].includes(k));
  void floor(Number(process.argv[2] ?? 400), Number(process.argv[3] ?? 2), kinds).then(() => process.exit(0));
}
