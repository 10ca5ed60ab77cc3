/**
 * Load-engine benchmark (issue 5), on loopback only, each part bounded in time:
 *  (a) short streams (22 SSE events, ~3.7 KB) from nginx: completed requests/s of llmload against
 *      Locust (FastHttpUser parsing every SSE event, distributed over one worker per core), with
 *      wrk (no SSE parsing at all) as the ceiling; RSS of the llmload process over the run;
 *  (b) long streams (2,000 events): SSE packets/s, llmload against Locust;
 *  (c) 5,000 concurrent slow streams (a packet every 100 ms) from the built-in simulator on its own
 *      thread: the client's TTFT and per-packet times against the simulator's recorded send times,
 *      and the client's event-loop lag.
 * Server CPU (nginx) is measured from /proc for every run, to show the server was not the limit.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../src/core/run/runner';
import { RunAggregator } from '../src/core/metrics/aggregate';
import { RunWriter } from '../src/core/results/writer';
import type { RequestRecord } from '../src/core/metrics/record';
import type { Summary } from '../src/core/metrics/summary';
import type { RunPlan } from '../src/core/scenario/plan';
import { defineProfile } from '../src/core/sim';
import { cannedStream, cpuSeconds, ensureTools, freePort, sleep, startNginx, treePids, type NginxServer } from './load-servers';
import { startSimThread } from './load-sim-thread';
import { benchPlan, benchRow, envNumber, type BenchRow } from './bench-kit';

/** Seconds of each measured run; concurrency of (a) and (b). */
const SECONDS = envNumber('LLMLOAD_BENCH_SECONDS', 10);
const USERS = envNumber('LLMLOAD_BENCH_USERS', 64);
const SLOW_STREAMS = envNumber('LLMLOAD_BENCH_SLOW_STREAMS', 5000);
const CORES = os.availableParallelism();
/** Rounds of (a) and (b): the tools take turns, so a busy moment of the machine hits each alike; the best round counts. */
const ROUNDS = envNumber('LLMLOAD_BENCH_ROUNDS', 3);
const RSS_SECONDS = envNumber('LLMLOAD_BENCH_RSS_SECONDS', 30);
/** The bundle `npm run bench` builds first: the load threads run the shipped code, not tsx. */
const WORKER_FILE = path.join(__dirname, '..', 'dist', 'load-worker.js');

const log = (line: string): void => console.log(`[load] ${line}`);

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface LlmloadResult {
  summary: Summary;
  records: RequestRecord[];
  /** packets.jsonl as written. */
  traced: string;
  cpuS: number;
  rss: number[];
  serverCpuS: number;
}

async function llmloadRun(url: string, p: RunPlan, server?: NginxServer): Promise<LlmloadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bench-run-'));
  const rss: number[] = [];
  const srv0 = server ? cpuSeconds(server.pids()) : 0;
  const cpu0 = process.cpuUsage();
  const h = await startRun(p, { outDir: dir, targetOverride: url, workerFile: fs.existsSync(WORKER_FILE) ? WORKER_FILE : undefined });
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
  const { summary, error } = await h.done;
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const serverCpuS = server ? cpuSeconds(server.pids()) - srv0 : 0;
  if (error) throw new Error(`llmload run failed: ${error}`);
  const records = fs
    .readFileSync(path.join(dir, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RequestRecord);
  const traced = fs.readFileSync(path.join(dir, 'packets.jsonl'), 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  return { summary, records, traced, cpuS: (cpu.user + cpu.system) / 1e6, rss, serverCpuS };
}

function packetsOf(records: RequestRecord[]): number {
  let n = 0;
  for (const r of records) for (const v of Object.values(r.packets)) n += v ?? 0;
  return n;
}

interface LocustResult {
  streams: number;
  streamsPerS: number;
  eventsPerS: number;
  ttftMedianMs: number;
  cpuS: number;
  serverCpuS: number;
  failures: number;
}

/** Locust headless, distributed: a master and one worker process per core. */
async function locustRun(bin: string, host: string, streamPath: string, users: number, seconds: number, server: NginxServer): Promise<LocustResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bench-locust-'));
  const file = path.join(__dirname, 'servers', 'locustfile.py');
  const port = await freePort();
  const childEnv = { ...process.env, STREAM_PATH: streamPath, PYTHONUNBUFFERED: '1' };
  // Locust through bench/servers/locust_run.py (see there: Debian's package cannot run distributed otherwise), with the locust command's own Python
  const python = /^#!\s*(\S+)/.exec(fs.readFileSync(bin, 'utf8').split('\n')[0] ?? '')?.[1] ?? 'python3';
  const common = [path.join(__dirname, 'servers', 'locust_run.py'), '-f', file, '--skip-log-setup'];
  const master = spawn(
    python,
    [...common, '--master', '--master-bind-host', '127.0.0.1', '--master-bind-port', String(port), '--headless', '--expect-workers', String(CORES), '-u', String(users), '-r', String(users), '-t', `${seconds}s`, '--host', host, '--csv', path.join(dir, 'out'), '--only-summary'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv },
  );
  let stderr = '';
  master.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const workers = Array.from({ length: CORES }, () => spawn(python, [...common, '--worker', '--master-host', '127.0.0.1', '--master-port', String(port)], { stdio: 'ignore', env: childEnv }));
  const pids = (): number[] => [...treePids(master.pid!), ...workers.flatMap((w) => treePids(w.pid!))];
  const srv0 = cpuSeconds(server.pids());
  let cpu = 0;
  const sampler = setInterval(() => (cpu = Math.max(cpu, cpuSeconds(pids()))), 250);
  const exited = new Promise<void>((r) => master.once('exit', () => r()));
  const timeout = setTimeout(() => master.kill('SIGKILL'), (seconds + 60) * 1000);
  await exited;
  clearTimeout(timeout);
  clearInterval(sampler);
  const serverCpuS = cpuSeconds(server.pids()) - srv0;
  for (const w of workers) w.kill('SIGKILL');
  const csv = path.join(dir, 'out_stats.csv');
  if (!fs.existsSync(csv)) throw new Error(`Locust wrote no stats: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
  const head = lines[0]!.split(',');
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])) as Record<string, string>);
  const stream = rows.find((r) => r.Type === 'SSE' && r.Name === 'stream');
  const ttft = rows.find((r) => r.Type === 'SSE' && r.Name === 'ttft');
  const post = rows.find((r) => r.Type === 'POST');
  fs.rmSync(dir, { recursive: true, force: true });
  if (!stream) throw new Error('Locust completed no stream');
  const n = Number(stream['Request Count']);
  const rps = Number(stream['Requests/s']);
  return {
    streams: n,
    streamsPerS: rps,
    eventsPerS: rps * Number(stream['Average Content Size']),
    ttftMedianMs: Number(ttft?.['Median Response Time'] ?? NaN),
    cpuS: cpu,
    serverCpuS,
    failures: Number(post?.['Failure Count'] ?? 0),
  };
}

function wrkRun(bin: string, url: string, connections: number, seconds: number, server: NginxServer): { rps: number; serverCpuS: number; cpuS: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bench-wrk-'));
  const lua = path.join(dir, 'post.lua');
  fs.writeFileSync(lua, `wrk.method = "POST"\nwrk.body = '{"model":"bench","stream":true,"messages":[{"role":"user","content":"Hello"}]}'\nwrk.headers["Content-Type"] = "application/json"\n`);
  const srv0 = cpuSeconds(server.pids());
  const r = spawnSync(bin, ['-t', String(CORES), '-c', String(connections), '-d', `${seconds}s`, '-s', lua, url], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  const serverCpuS = cpuSeconds(server.pids()) - srv0;
  fs.rmSync(dir, { recursive: true, force: true });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout ?? '');
  if (!m) throw new Error(`wrk gave no rate: ${(r.stdout ?? '') + (r.stderr ?? '')}`);
  // wrk's own CPU is not separable after it exits; its share is the rest of the machine's
  return { rps: Number(m[1]), serverCpuS, cpuS: NaN };
}

const cpuPct = (cpuS: number, seconds: number): string => `${Math.round((cpuS / seconds) * 100)}%`;
/** The machine's 1-minute load average: other processes competing for the cores skew every figure. */
const load = (): string => `load avg ${os.loadavg()[0]!.toFixed(1)}`;

async function shortAndLong(found: Partial<Record<'nginx' | 'locust' | 'wrk', string>>, rows: BenchRow[]): Promise<void> {
  if (!found.nginx) {
    log('(a), (b) and (d) skipped: nginx is missing, so there is no server to measure against');
    return;
  }
  // (d) long context: a 100k-token prompt (~400 KB) and a 32k-token answer (32,004 events)
  const server = await startNginx(found.nginx, { short: cannedStream(22), long: cannedStream(2000), huge: cannedStream(32_004) }, CORES);
  try {
    const host = `http://127.0.0.1:${server.port}`;
    const users = (d: number): RunPlan['load'] => ({ kind: 'users', users: USERS, duration_ms: d * 1000 });
    const best = <T>(xs: T[], by: (x: T) => number): T | undefined => xs.reduce<T | undefined>((a, x) => (a === undefined || by(x) > by(a) ? x : a), undefined);

    // (a) short streams: the tools take turns, ROUNDS times
    const wrkR: number[] = [];
    const locR: LocustResult[] = [];
    const llmR: LlmloadResult[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      if (found.wrk) {
        const w = wrkRun(found.wrk, `${host}/short/v1/chat/completions`, USERS, SECONDS, server);
        wrkR.push(w.rps);
        log(`(a) round ${round} wrk: ${w.rps.toFixed(0)} req/s, server (nginx) CPU ${cpuPct(w.serverCpuS, SECONDS)} of ${CORES * 100}%, ${load()}`);
      }
      if (found.locust) {
        try {
          const l = await locustRun(found.locust, host, '/short/v1/chat/completions', USERS, SECONDS, server);
          locR.push(l);
          log(`(a) round ${round} Locust (${CORES} workers + master): ${l.streamsPerS.toFixed(0)} streams/s (${l.streams} streams, ${l.failures} failures, ${l.eventsPerS / Math.max(1, l.streamsPerS)} events each), TTFT p50 ${l.ttftMedianMs} ms, client CPU ${cpuPct(l.cpuS, SECONDS)}, server CPU ${cpuPct(l.serverCpuS, SECONDS)}, ${load()}`);
        } catch (e) {
          log(`(a) round ${round} Locust failed: ${(e as Error).message}`);
        }
      }
      const a = await llmloadRun(`${host}/short/v1`, benchPlan({ load: users(SECONDS) }), server);
      llmR.push(a);
      const s = a.summary;
      log(
        `(a) round ${round} llmload (${s.client?.workers} threads): ${s.rps.toFixed(0)} req/s = ${Math.round(s.qpm)} QPM, ${s.requests.ok} ok / ${s.requests.failed} failed, TTFT p50 ${s.ttft_ms.p50} ms, ` +
          `client CPU ${cpuPct(a.cpuS, s.duration_s)}, server CPU ${cpuPct(a.serverCpuS, s.duration_s)}, event-loop lag p99 ${s.client?.event_loop_lag_ms.p99} ms, ${load()}`,
      );
    }
    const a = best(llmR, (x) => x.summary.rps)!;
    rows.push(benchRow('(a) short streams, llmload req/s', a.summary.rps, 'req/s', 'Locust req/s', best(locR, (x) => x.streamsPerS)?.streamsPerS ?? NaN));
    rows.push(benchRow('(a) short streams, llmload QPM', a.summary.qpm, 'QPM', 'target QPM', 100_000));
    rows.push(benchRow('(a) short streams, llmload req/s', a.summary.rps, 'req/s', 'wrk req/s (ceiling)', wrkR.length ? Math.max(...wrkR) : NaN));

    // (b) long streams
    const locB: LocustResult[] = [];
    const llmB: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      if (found.locust) {
        try {
          const l = await locustRun(found.locust, host, '/long/v1/chat/completions', USERS, SECONDS, server);
          locB.push(l);
          log(`(b) round ${round} Locust: ${Math.round(l.eventsPerS)} packets/s (${l.streams} streams), client CPU ${cpuPct(l.cpuS, SECONDS)}, server CPU ${cpuPct(l.serverCpuS, SECONDS)}, ${load()}`);
        } catch (e) {
          log(`(b) round ${round} Locust failed: ${(e as Error).message}`);
        }
      }
      const b = await llmloadRun(`${host}/long/v1`, benchPlan({ load: users(SECONDS) }), server);
      const pps = packetsOf(b.records.filter((r) => r.status === 'ok')) / b.summary.duration_s;
      llmB.push(pps);
      log(`(b) round ${round} llmload: ${Math.round(pps)} packets/s (${b.summary.requests.ok} streams of 2,000 events), client CPU ${cpuPct(b.cpuS, b.summary.duration_s)}, server CPU ${cpuPct(b.serverCpuS, b.summary.duration_s)}, ${load()}`);
    }
    rows.push(benchRow('(b) long streams, llmload packets/s', Math.max(...llmB), 'packets/s', 'Locust packets/s', best(locB, (x) => x.eventsPerS)?.eventsPerS ?? NaN));

    // (d) long context: packets/s with a 100k-token prompt and 32k-token answers, against (b)
    const prompt = 'lorem ipsum dolor sit amet '.repeat(Math.ceil((100_000 * 4) / 27));
    const d = await llmloadRun(
      `${host}/huge/v1`,
      benchPlan({ prompts: [{ name: 'long-context', weight: 1, messages: [{ role: 'user', content: prompt }], params: { max_tokens: 32_000 } }], load: { kind: 'users', users: 8, duration_ms: SECONDS * 1000 } }),
      server,
    );
    const ppsD = packetsOf(d.records.filter((r) => r.status === 'ok')) / d.summary.duration_s;
    log(`(d) long context (${Math.round(prompt.length / 1000)} KB prompt, 32,004-event answers, 8 users): ${Math.round(ppsD)} packets/s, ${d.summary.requests.ok} ok / ${d.summary.requests.failed} failed, token rate p50 ${Math.round(d.summary.token_rate.p50 ?? 0)}/s`);
    rows.push(benchRow('(d) 100k prompt + 32k answer, packets/s', ppsD, 'packets/s', '(b) 2k-event packets/s', Math.max(...llmB)));

    // memory: RSS of a client process of its own over a long run at full speed
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'load-rss.ts'), `${host}/short/v1`, String(RSS_SECONDS), String(USERS), WORKER_FILE], {
      encoding: 'utf8',
      timeout: (RSS_SECONDS + 60) * 1000,
      cwd: path.join(__dirname, '..'),
    });
    try {
      const m = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as { rss: number[]; heap: number[]; requests: number; rps: number; requests_jsonl_bytes: number };
      const mb = (x: number): number => Math.round(x / 1048576);
      log(`(m) llmload alone over ${RSS_SECONDS} s: ${m.requests} requests (${Math.round(m.rps)} req/s, requests.jsonl ${mb(m.requests_jsonl_bytes)} MB); RSS by second ${m.rss.map(mb).join(' ')} MB; main-thread heap ${m.heap.map(mb).join(' ')} MB, ${load()}`);
      if (m.rss.length >= 4) {
        const third = Math.floor(m.rss.length / 3);
        rows.push(benchRow(`(m) RSS, last third vs first third of ${RSS_SECONDS} s`, mb(Math.max(...m.rss.slice(-third))), 'MB', 'max RSS of first third, MB', mb(Math.max(...m.rss.slice(0, third)))));
      }
    } catch {
      log(`(m) the RSS run failed: ${(child.stderr ?? '').slice(-500)}`);
    }
  } finally {
    await server.stop();
  }
}

/** Raises the open-files limit of this process with prlimit (util-linux) when it is below `need`. */
function ensureFiles(need: number): void {
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const have = Number(r.stdout.trim());
  if (Number.isFinite(have) && have >= need) return;
  const p = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${need}:${need}`], { encoding: 'utf8' });
  log(p.status === 0 ? `raised the open-files limit from ${have} to ${need}` : `open-files limit ${have} is below ${need} and could not be raised: ${p.stderr}`);
}

async function slowStreams(rows: BenchRow[]): Promise<void> {
  ensureFiles(2 * SLOW_STREAMS + 1024); // a client socket and a server socket per stream
  const profile = defineProfile('chat', {
    name: 'slow',
    decode_tokens_per_s: 10,
    prefill_tokens_per_s: 1_000_000,
    overhead_ms: 20,
    jitter: 0,
    answer_tokens: [30, 30],
    tokens_per_chunk: 1,
    keepalive_interval_ms: 0,
    batch_slowdown: 0,
    // every stream is served at once: the profile's default (256 at a time) would queue the rest,
    // and 5,000 open connections of which 256 stream is not what (c) claims to measure
    max_concurrency: 0,
  });
  const sim = await startSimThread(profile, 10 * SLOW_STREAMS);
  try {
    const seconds = Math.max(8, SECONDS);
    // Users join over 2.5 s (2,000 a second), not in one instant: 5,000 simultaneous connects
    // overflow the server's listen backlog, and SYN retries (1 s, 3 s, ...) would be measured instead.
    const shape: RunPlan['load'] = {
      kind: 'stages',
      stages: [
        { kind: 'ramp_users', to: SLOW_STREAMS, over_ms: 2500 },
        { kind: 'hold', for_ms: seconds * 1000 },
      ],
    };
    const r = await llmloadRun(sim.url, benchPlan({ load: shape, trace: { mode: 'first', n: 500 } }));
    const ok = r.records.filter((x) => x.status === 'ok' && x.response_id);
    const logs = await sim.sendLogs(ok.map((x) => x.response_id!));
    // TTFT: the first output packet is the simulator's second frame (after the role-only chunk)
    const ttftErr: number[] = [];
    // the same split by when the request was sent: while users were still connecting, or after
    const ttftErrRamp: number[] = [];
    const ttftErrHold: number[] = [];
    ok.forEach((rec, i) => {
      const sent = logs[i];
      if (sent && sent.length > 1 && rec.ttft_ms !== null) {
        const err = rec.start_ms + rec.ttft_ms - sent[1]!;
        ttftErr.push(err);
        (rec.offset_ms < 3000 ? ttftErrRamp : ttftErrHold).push(err);
      }
    });
    ttftErrRamp.sort((a, b) => a - b);
    ttftErrHold.sort((a, b) => a - b);
    // every packet of the traced requests against its frame's send time
    const traced = new Map<number, number[]>();
    for (const line of r.traced.split('\n')) {
      if (!line) continue;
      const p = JSON.parse(line) as { request: number; t_ms: number };
      let a = traced.get(p.request);
      if (!a) traced.set(p.request, (a = []));
      a.push(p.t_ms);
    }
    const pktErr: number[] = [];
    ok.forEach((rec, i) => {
      const times = traced.get(rec.id);
      const sent = logs[i];
      if (!times || !sent || times.length !== sent.length) return;
      times.forEach((t, k) => pktErr.push(rec.start_ms + t - sent[k]!));
    });
    ttftErr.sort((a, b) => a - b);
    pktErr.sort((a, b) => a - b);
    const s = r.summary;
    log(
      `(c) ${SLOW_STREAMS} concurrent slow streams (${s.requests.ok} ok, ${s.requests.failed} failed over ${s.duration_s.toFixed(1)} s): client TTFT minus the simulator's send time ` +
        `p50 ${pct(ttftErr, 50).toFixed(3)} ms, p99 ${pct(ttftErr, 99).toFixed(3)} ms, max ${pct(ttftErr, 100).toFixed(3)} ms, min ${pct(ttftErr, 0).toFixed(3)} ms (${ttftErr.length} requests); ` +
        `sent during the ramp p99 ${pct(ttftErrRamp, 99).toFixed(3)} ms (${ttftErrRamp.length}), after it p99 ${pct(ttftErrHold, 99).toFixed(3)} ms (${ttftErrHold.length}); ` +
        `per packet p50 ${pct(pktErr, 50).toFixed(3)} ms, p99 ${pct(pktErr, 99).toFixed(3)} ms (${pktErr.length} packets); ` +
        `event-loop lag p50 ${s.client?.event_loop_lag_ms.p50} ms, p99 ${s.client?.event_loop_lag_ms.p99} ms, max ${s.client?.event_loop_lag_ms.max} ms; ` +
        `TTFT p50 ${s.ttft_ms.p50} ms, p99 ${s.ttft_ms.p99} ms; e2e p50 ${s.e2e_ms.p50} ms, p99 ${s.e2e_ms.p99} ms (planned 3,020 ms); client CPU ${cpuPct(r.cpuS, s.duration_s)} (incl. the simulator thread)` +
        `, ${load()}` + (s.client?.warning ? `; ${s.client.warning}` : ''),
    );
    rows.push(benchRow('(c) 5k slow streams, TTFT error p50', pct(ttftErr, 50), 'ms', 'target p99 ms', 5));
    rows.push(benchRow('(c) 5k slow streams, TTFT error p99', pct(ttftErr, 99), 'ms', 'target p99 ms', 5));
    rows.push(benchRow('(c) 5k slow streams, packet error p99', pct(pktErr, 99), 'ms', 'target p99 ms', 5));
    rows.push(benchRow('(c) 5k slow streams, event-loop lag p99', s.client?.event_loop_lag_ms.p99 ?? NaN, 'ms', 'target p99 ms', 5));
  } finally {
    await sim.close();
  }
}

/**
 * (o) The orchestrator's share: what one record costs the caller's thread (append to
 * requests.jsonl + aggregate), measured on the thread alone with realistic records, as the most
 * records per second it could absorb. At 100,000 QPM it must absorb 1,667 a second.
 */
function orchestratorCeiling(rows: BenchRow[]): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bench-orch-'));
  const writer = new RunWriter(dir, benchPlan({}));
  const agg = new RunAggregator();
  const rec = (i: number): RequestRecord => ({
    id: i,
    prompt: 'hello',
    user: i % 64,
    start_ms: 1.7e12 + i * 0.37,
    offset_ms: i * 0.37,
    response_id: `chatcmpl-${i}`,
    status: 'ok',
    http_status: 200,
    ttft_ms: 2 + (i % 13) * 0.1,
    ttfa_ms: 2 + (i % 13) * 0.1,
    thinking_ms: null,
    e2e_ms: 3 + (i % 7) * 0.2,
    input_tokens: 10,
    input_tokens_source: 'server',
    output_tokens: 18,
    output_tokens_source: 'server',
    thinking_tokens: 0,
    thinking_tokens_source: 'packets',
    token_rate: 9000 + (i % 100),
    finish_reason: 'stop',
    packets: { other: 1, answer: 18, stats: 1, done: 1 },
  });
  const N = 100_000;
  const batch = 200;
  const t0 = performance.now();
  for (let i = 0; i < N; i += batch) {
    const records = Array.from({ length: batch }, (_, k) => rec(i + k));
    writer.append(records, []);
    for (const r of records) agg.add(r);
  }
  const ms = performance.now() - t0;
  writer.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const perS = (N / ms) * 1000;
  log(`(o) orchestrator thread: ${((ms * 1000) / N).toFixed(1)} µs per record (append + aggregate) = ${Math.round(perS)} records/s = ${Math.round(perS * 60)} QPM it could absorb, ${load()}`);
  rows.push(benchRow('(o) orchestrator records/s it absorbs', perS, 'records/s', '100k QPM in records/s', 100_000 / 60));
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  log(`machine: ${CORES} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, ${os.platform()} ${os.release()}, ${load()}`);
  const { found, missing } = ensureTools(log);
  for (const m of missing) log(`MISSING: ${m}`);
  if (!process.env.LLMLOAD_BENCH_ONLY || process.env.LLMLOAD_BENCH_ONLY.includes('o')) orchestratorCeiling(rows);
  if (!process.env.LLMLOAD_BENCH_ONLY || process.env.LLMLOAD_BENCH_ONLY.includes('ab')) await shortAndLong(found, rows);
  if (!process.env.LLMLOAD_BENCH_ONLY || process.env.LLMLOAD_BENCH_ONLY.includes('c')) await slowStreams(rows);
  await sleep(10);
  return rows;
}
