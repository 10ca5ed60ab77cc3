/**
 * The floor under (a) of the load bench (issue 20): what a short request costs a Node client that
 * does nothing but send it and decode its stream. The same closed loop (64 connections, one request
 * at a time on each, nginx's canned short stream) in one thread of this process, driven four ways:
 *   undici + decoder: undici's Pool.dispatch with a raw handler feeding each read to the OpenAI
 *                     chat decoder, as llmload's client does, but no timing, record or metrics;
 *   net + parser + decoder: plain `net` sockets writing one pre-built request, the answer framed by
 *                     the mirror's HTTP/1.1 response parser (src/core/mirror), then decoded alike;
 *   net + parser:     the same, without decoding;
 *   net alone:        the same sockets, counting the answer's bytes, no HTTP parsing at all.
 * CPU time of this process (user + system) per request, each way in every round, the order turning.
 * nginx's CPU per request is measured beside. Also a module of `npm run bench` (run()).
 * The measuring process runs this file bundled by esbuild, as dist/ is: under tsx every function
 * expression is wrapped in a naming call, which made a decoder's construction 17x dearer
 * (3.7 against 0.22 µs) and would inflate the decoder's share.
 *   node --import tsx bench/client-floor.ts [requests per way and round, default 40000] [rounds, default 3]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { OpenAiChatDecoder } from '../src/core/protocols/openai-chat';
import { ResponseParser, type ResponseHead } from '../src/core/http1/response-parser';
import { benchRow, envNumber, type BenchRow } from './bench-kit';
import { cannedStream, cpuSeconds, ensureTools, startNginx, type NginxServer } from './load-servers';

const CONNS = envNumber('LLMLOAD_BENCH_USERS', 64);
const PATH = '/short/v1/chat/completions';
const BODY = Buffer.from('{"model":"bench","stream":true,"messages":[{"role":"user","content":"Hello"}]}');

type Way = 'undici + decoder' | 'net + parser + decoder' | 'net + parser' | 'net alone';
const WAYS: Way[] = ['undici + decoder', 'net + parser + decoder', 'net + parser', 'net alone'];

/** CPU µs per request of this process and of nginx, over one way's round. */
interface Cost {
  client: number;
  server: number;
}

function decoded(d: OpenAiChatDecoder): void {
  if (d.record.packets.length < 20 || d.record.error) throw new Error(`short stream decoded wrongly: ${d.record.error?.message ?? d.record.packets.length}`);
}

function undiciLoop(port: number, n: number): Promise<() => Promise<void>> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNS });
  let sent = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const one = (): void => {
      if (sent >= n) return;
      sent++;
      const d = new OpenAiChatDecoder({ contentType: 'text/event-stream' });
      pool.dispatch(
        { path: PATH, method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY },
        {
          onConnect() {},
          onHeaders(status: number) {
            if (status !== 200) reject(new Error(`status ${status}`));
            return true;
          },
          onData(b: Buffer) {
            d.push(b, performance.now());
            return true;
          },
          onComplete() {
            d.end(performance.now());
            decoded(d);
            if (++done === n) resolve(() => pool.close());
            else one();
          },
          onError: reject,
        } as never,
      );
    };
    for (let i = 0; i < CONNS; i++) one();
  });
}

/** Bytes of one whole answer (head and body), learned by the first framed answer. */
let answerBytes = 0;

function netLoop(port: number, n: number, way: Way): Promise<() => Promise<void>> {
  const req = Buffer.concat([Buffer.from(`POST ${PATH} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n\r\n`, 'latin1'), BODY]);
  const decode = way === 'net + parser + decoder';
  let sent = 0;
  let done = 0;
  const socks: net.Socket[] = [];
  const close = async (): Promise<void> => {
    for (const s of socks) s.destroy();
  };
  return new Promise((resolve, reject) => {
    for (let i = 0; i < CONNS; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.setNoDelay(true);
      socks.push(s);
      let d: OpenAiChatDecoder | undefined;
      let got = 0;
      const next = (): void => {
        if (sent >= n) return;
        sent++;
        if (decode) d = new OpenAiChatDecoder({ contentType: 'text/event-stream' });
        s.write(req);
      };
      const ended = (): void => {
        if (++done === n) resolve(close);
        else next();
      };
      if (way === 'net alone') {
        // nginx's head of a static file has the same length every time (Content-Length, Date in a fixed format)
        s.on('data', (b: Buffer) => {
          got += b.length;
          if (got >= answerBytes) {
            got -= answerBytes;
            ended();
          }
        });
      } else {
        const parser = new ResponseParser({
          isHeadRequest: () => false,
          onHead(h: ResponseHead) {
            if (h.status !== 200) reject(new Error(`status ${h.status}`));
          },
          onRaw() {},
          onData(b: Buffer) {
            d?.push(b, performance.now());
          },
          onEnd() {
            if (answerBytes === 0) answerBytes = got; // one request at a time on a connection: the read was all this answer's
            got = 0;
            if (d) {
              d.end(performance.now());
              decoded(d);
            }
            ended();
          },
        });
        s.on('data', (b: Buffer) => {
          got += b.length;
          parser.feed(b);
        });
      }
      s.on('error', reject);
      s.once('connect', next);
    }
  });
}

async function round(server: NginxServer, way: Way, n: number): Promise<Cost> {
  if (way === 'net alone' && answerBytes === 0) throw new Error('net alone needs a framed round first');
  const s0 = cpuSeconds(server.pids());
  const c0 = process.cpuUsage();
  const close = await (way === 'undici + decoder' ? undiciLoop(server.port, n) : netLoop(server.port, n, way));
  const c = process.cpuUsage(c0);
  const s = cpuSeconds(server.pids()) - s0;
  await close();
  return { client: (c.user + c.system) / n, server: (s * 1e6) / n };
}

/** The measurement, in the bundled child: logs its lines and returns the rows. */
async function measure(n: number, rounds: number): Promise<BenchRow[]> {
  const log = (line: string): void => console.log(`[client-floor] ${line}`);
  const { found } = ensureTools(log);
  if (!found.nginx) throw new Error('nginx is missing');
  const server = await startNginx(found.nginx, { short: cannedStream(22) }, os.availableParallelism());
  const costs = new Map<Way, Cost[]>(WAYS.map((w) => [w, []]));
  try {
    for (const w of WAYS) await round(server, w, 10_000); // warm-up: JIT of every way; the first framed answer sets answerBytes
    log(`short streams (22 events), ${CONNS} connections, ${n} requests per way and round, one thread; CPU µs per request (user + system, from the OS):`);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? WAYS : [...WAYS].reverse();
      const got = new Map<Way, Cost>();
      for (const w of order) got.set(w, await round(server, w, n));
      for (const w of WAYS) costs.get(w)!.push(got.get(w)!);
      log(`round ${r + 1}: ${WAYS.map((w) => `${w} ${got.get(w)!.client.toFixed(1)}`).join(', ')}; nginx ${got.get('undici + decoder')!.server.toFixed(1)}; load avg ${os.loadavg()[0]!.toFixed(1)}`);
    }
  } finally {
    await server.stop();
  }
  const best = (w: Way): number => Math.min(...costs.get(w)!.map((c) => c.client));
  const nginx = Math.min(...costs.get('undici + decoder')!.map((c) => c.server));
  log(`best rounds: ${WAYS.map((w) => `${w} ${best(w).toFixed(1)}`).join(', ')} µs per request; nginx ${nginx.toFixed(1)} µs per request`);
  return [
    benchRow('(a) floor: undici + decoder alone, CPU µs per request', best('undici + decoder'), 'µs', 'net alone (no HTTP parsing)', best('net alone'), 1),
    benchRow('(a) floor: net + HTTP/1.1 parser + decoder, CPU µs per request', best('net + parser + decoder'), 'µs', 'undici + decoder', best('undici + decoder'), 1),
  ];
}

/** Bundles this file (esbuild, as dist/ is built) and runs the measurement in a child process of plain node. */
export async function run(n = envNumber('LLMLOAD_BENCH_FLOOR_REQUESTS', 40_000), rounds = envNumber('LLMLOAD_BENCH_FLOOR_ROUNDS', 3)): Promise<BenchRow[]> {
  // Beside this file: the bundle finds bench/servers/ (nginx.conf) from its own directory, as the source does.
  const out = path.join(__dirname, `.client-floor-${process.pid}.js`);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({ entryPoints: [__filename], bundle: true, platform: 'node', target: 'node20', outfile: out, external: ['esbuild'], logLevel: 'warning' });
    const r = spawnSync(process.execPath, [out, '--child', String(n), String(rounds)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
    const lines = (r.stdout ?? '').trim().split('\n');
    const last = lines.pop() ?? '';
    for (const l of lines) console.log(l);
    if (r.status !== 0) throw new Error(`the measuring process failed (${r.status ?? r.signal}): ${last}`);
    return JSON.parse(last) as BenchRow[];
  } finally {
    fs.rmSync(out, { force: true });
  }
}

if (require.main === module) {
  if (process.argv[2] === '--child')
    void measure(Number(process.argv[3]), Number(process.argv[4])).then((rows) => {
      console.log(JSON.stringify(rows));
      process.exit(0);
    });
  else void run(Number(process.argv[2] ?? 40_000), Number(process.argv[3] ?? 3)).then(() => process.exit(0));
}
