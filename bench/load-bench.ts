/**
 * Load-engine benchmark (issues 5 and 20), on loopback only, each part bounded in time:
 *  (a) short streams (22 SSE events, ~3.7 KB) from nginx: completed requests/s of llmload against
 *      Locust (FastHttpUser parsing every SSE event, distributed over one worker per core), with
 *      wrk (no SSE parsing at all) as the ceiling; for each, the client's CPU time per 1,000
 *      requests and requests per CPU-second (bench/client-cpu.ts); RSS of the llmload process;
 *  (b) long streams (2,000 events): SSE packets/s, and the same CPU figures, llmload against Locust and wrk;
 *  (c) slow streams at several concurrencies (bench/load-fidelity.ts);
 *  (d) long context, (m) memory over a long run, (o) the orchestrator thread's ceiling.
 * Server CPU (nginx) is measured from /proc for every run, to show the server was not the limit.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunAggregator } from '../src/core/metrics/aggregate';
import { RunWriter } from '../src/core/results/writer';
import type { RequestRecord } from '../src/core/metrics/record';
import type { RunPlan } from '../src/core/scenario/plan';
import { cannedStream, ensureTools, sleep, startNginx, type NginxServer } from './load-servers';
import { benchPlan, benchRow, envNumber, type BenchRow } from './bench-kit';
import { llmloadRun, locustRun, packetsOf, WORKER_FILE, wrkRun, type LlmloadResult, type LocustResult, type WrkResult } from './load-clients';
import { costRows, costTable, efficiency, type Efficiency } from './client-cpu';
import { slowStreams } from './load-fidelity';

/** Seconds of each measured run; concurrency of (a) and (b). */
const SECONDS = envNumber('LLMLOAD_BENCH_SECONDS', 10);
const USERS = envNumber('LLMLOAD_BENCH_USERS', 64);
const CORES = os.availableParallelism();
/** Rounds of (a) and (b): the tools take turns, so a busy moment of the machine hits each alike; the best round counts. */
const ROUNDS = envNumber('LLMLOAD_BENCH_ROUNDS', 3);
const RSS_SECONDS = envNumber('LLMLOAD_BENCH_RSS_SECONDS', 30);
/**
 * llmload's load threads in (a) and (b): one per core by default, like Locust's workers, so both
 * tools may use the same cores; `LLMLOAD_BENCH_THREADS=auto` lets the run size them (thread-sizing.ts).
 */
const THREADS = process.env.LLMLOAD_BENCH_THREADS === 'auto' ? undefined : envNumber('LLMLOAD_BENCH_THREADS', CORES);

const log = (line: string): void => console.log(`[load] ${line}`);

const cpuPct = (cpuS: number, seconds: number): string => `${Math.round((cpuS / seconds) * 100)}%`;
/** The machine's 1-minute load average: other processes competing for the cores skew every figure. */
const load = (): string => `load avg ${os.loadavg()[0]!.toFixed(1)}`;

interface Rounds {
  llm: LlmloadResult[];
  locust: LocustResult[];
  wrk: WrkResult[];
  /** Every round of every tool, for the CPU figures. */
  costs: Efficiency[];
}

/**
 * ROUNDS rounds of wrk, Locust and llmload in turn against one of nginx's canned streams, each
 * logged with its throughput and CPU; at the end, a table of each tool's CPU per request.
 */
async function clientRounds(part: string, stream: 'short' | 'long', found: Partial<Record<'nginx' | 'locust' | 'wrk', string>>, host: string, server: NginxServer, load_: RunPlan['load']): Promise<Rounds> {
  const out: Rounds = { llm: [], locust: [], wrk: [], costs: [] };
  const events = stream === 'short' ? 22 : 2000;
  const cost = (e: Efficiency): string => `client CPU ${Math.round(e.cpuPct)}% = ${e.cpuMsPer1k.toFixed(1)} CPU-ms per 1,000 requests = ${Math.round(e.perCpuS)} requests per CPU-second`;
  for (let round = 1; round <= ROUNDS; round++) {
    if (found.wrk) {
      const w = wrkRun(found.wrk, `${host}/${stream}/v1/chat/completions`, USERS, SECONDS, server);
      out.wrk.push(w);
      const e = efficiency({ tool: 'wrk', requests: w.requests, seconds: w.rps > 0 ? w.requests / w.rps : SECONDS, cpuS: w.cpuS });
      out.costs.push(e);
      log(`${part} round ${round} wrk: ${w.rps.toFixed(0)} req/s, ${cost(e)}, server (nginx) CPU ${cpuPct(w.serverCpuS, SECONDS)} of ${CORES * 100}%, ${load()}`);
    }
    if (found.locust) {
      try {
        const l = await locustRun(found.locust, host, `/${stream}/v1/chat/completions`, USERS, SECONDS, server);
        out.locust.push(l);
        const e = efficiency({ tool: 'Locust', requests: l.streams, seconds: l.streamsPerS > 0 ? l.streams / l.streamsPerS : SECONDS, cpuS: l.cpuS });
        out.costs.push(e);
        log(
          `${part} round ${round} Locust (${CORES} workers + master): ${l.streamsPerS.toFixed(0)} streams/s = ${Math.round(l.eventsPerS)} packets/s (${l.streams} streams, ${l.failures} failures, ${Math.round(l.eventsPerS / Math.max(1, l.streamsPerS))} events each), ` +
            `TTFT p50 ${l.ttftMedianMs} ms, ${cost(e)} (${l.cpuWithStartS.toFixed(2)} CPU-s with Python's start-up), server CPU ${cpuPct(l.serverCpuS, SECONDS)}, ${load()}`,
        );
      } catch (e) {
        log(`${part} round ${round} Locust failed: ${(e as Error).message}`);
      }
    }
    const r = await llmloadRun(`${host}/${stream}/v1`, benchPlan({ load: load_ }), server, THREADS);
    out.llm.push(r);
    const s = r.summary;
    const e = efficiency({ tool: 'llmload', requests: s.requests.ok + s.requests.failed, seconds: s.duration_s, cpuS: r.loadCpuS });
    out.costs.push(e);
    const pps = packetsOf(r.records.filter((x) => x.status === 'ok')) / s.duration_s;
    log(
      `${part} round ${round} llmload (${s.client?.workers} threads): ${s.rps.toFixed(0)} req/s = ${Math.round(s.qpm)} QPM = ${Math.round(pps)} packets/s, ${s.requests.ok} ok / ${s.requests.failed} failed (${events} events each), TTFT p50 ${s.ttft_ms.p50} ms, ` +
        `${cost(e)} (${r.cpuS.toFixed(2)} CPU-s with thread start-up), server CPU ${cpuPct(r.serverCpuS, s.duration_s)}, event-loop lag p99 ${s.client?.event_loop_lag_ms.p99} ms, load threads busy ${s.client?.thread_busy_percent?.join('/')}%, ${load()}`,
    );
  }
  log(`${part} ${stream} streams (${events} events), client cost; CPU = user + system time of the client's processes and threads, from the OS:`);
  for (const line of costTable(out.costs)) log(`  ${line}`);
  return out;
}

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
    const a = await clientRounds('(a)', 'short', found, host, server, users(SECONDS));
    const bestA = best(a.llm, (x) => x.summary.rps)!;
    rows.push(benchRow('(a) short streams, llmload req/s', bestA.summary.rps, 'req/s', 'Locust req/s', best(a.locust, (x) => x.streamsPerS)?.streamsPerS ?? NaN));
    rows.push(benchRow('(a) short streams, llmload QPM', bestA.summary.qpm, 'QPM', 'target QPM', 100_000));
    rows.push(benchRow('(a) short streams, llmload req/s', bestA.summary.rps, 'req/s', 'wrk req/s (ceiling)', a.wrk.length ? Math.max(...a.wrk.map((w) => w.rps)) : NaN));
    rows.push(...costRows('(a) short streams', a.costs, true));

    // (b) long streams
    const b = await clientRounds('(b)', 'long', found, host, server, users(SECONDS));
    const llmB = b.llm.map((x) => packetsOf(x.records.filter((r) => r.status === 'ok')) / x.summary.duration_s);
    rows.push(benchRow('(b) long streams, llmload packets/s', Math.max(...llmB), 'packets/s', 'Locust packets/s', best(b.locust, (x) => x.eventsPerS)?.eventsPerS ?? NaN));
    rows.push(...costRows('(b) long streams', b.costs, false));

    // (d) long context: packets/s with a 100k-token prompt and 32k-token answers, against (b)
    const prompt = 'lorem ipsum dolor sit amet '.repeat(Math.ceil((100_000 * 4) / 27));
    const d = await llmloadRun(
      `${host}/huge/v1`,
      benchPlan({ prompts: [{ name: 'long-context', weight: 1, messages: [{ role: 'user', content: prompt }], params: { max_tokens: 32_000 } }], load: { kind: 'users', users: 8, duration_ms: SECONDS * 1000 } }),
      server,
      THREADS,
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
