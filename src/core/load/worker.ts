/**
 * A load worker thread: owns its shard's protocol client (its own connection pool), its engine and
 * its histograms, and streams records to the run orchestrator in batches. Packet timestamps are
 * taken here, on a thread that does nothing but send, receive and classify. The thread also
 * watches its own event loop: a late timer means packets were timestamped late.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createClient } from '../protocols';
import { uniquePrompts } from '../protocols/prompt-nonce';
import { addTokenizerInput, type RequestRecord } from '../metrics/record';
import { recordLine } from '../results/record-lines';
import { RecordDigestWriter } from '../results/record-digest';
import { LoadEngine } from './engine';
import type { HeldBack, LoadWorkerInit, LoadWorkerToRunner, RunnerToLoadWorker, TracedRequest } from '../messages';
import type { Hist } from '../metrics/histogram';
import { watchGcPauses } from './gc-pauses';
import { ConnectBurstTracker } from './connect-bursts';
import { HIGH_PRIORITY_NICE, setThisThreadNice } from './thread-priority';

const FLUSH_MS = 100;
const FLUSH_RECORDS = 500;
const TICK_MS = 250;
/** The event-loop probe: a timer every LAG_PROBE_MS whose lateness is the loop's lag. */
const LAG_PROBE_MS = 10;

/** process.hrtime in ms: monotonic and common to every thread of the process. */
export function hrMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function post(msg: LoadWorkerToRunner, transfer?: ArrayBuffer[]): void {
  parentPort!.postMessage(msg, transfer);
}

/** Records how late a LAG_PROBE_MS timer fires, until the returned function is called; `onTick` sees each tick's time and lag. */
export function probeEventLoop(into: Hist, onTick?: (now: number, lagMs: number) => void): () => void {
  let expected = performance.now() + LAG_PROBE_MS;
  let timer: NodeJS.Timeout;
  const tick = (): void => {
    const now = performance.now();
    const lag = Math.max(0, now - expected);
    into.record(lag);
    onTick?.(now, lag);
    expected = now + LAG_PROBE_MS;
    timer = setTimeout(tick, LAG_PROBE_MS);
    timer.unref();
  };
  timer = setTimeout(tick, LAG_PROBE_MS);
  timer.unref();
  return () => clearTimeout(timer);
}

async function main(init: LoadWorkerInit): Promise<void> {
  // before anything else, so every packet of the run is stamped at the priority asked for
  const priority = init.plan.thread_priority === 'high' ? setThisThreadNice(HIGH_PRIORITY_NICE) : undefined;
  // `unique` synthetic prompts get a new nonce per request (prompt-nonce.ts); other prompts pass through.
  const http = createClient(init.plan, init.baseUrl, { connections: init.connections });
  const client = init.plan.prompts.some((p) => p.nonce) ? uniquePrompts(http, init.shard) : http;
  let records: RequestRecord[] = [];
  /**
   * With `record_lines`: the batch's records as requests.jsonl lines, each made when its request
   * ended (no stall of a whole batch at the flush), joined when posted: posting one string built
   * by `+=` first flattens a rope of a thousand parts, about 5× the CPU of join() and the post
   * together (500 records: 280 against 50 µs).
   */
  let lines: string[] = [];
  /** With `record_lines`: the fields the orchestrator aggregates, as numbers, so that it need not parse the lines. */
  const digest = new RecordDigestWriter(FLUSH_RECORDS + 1);
  let count = 0;
  let traces: TracedRequest[] = [];
  let heldBack: HeldBack[] = [];
  const flush = (): void => {
    if (count === 0 && heldBack.length === 0) return;
    const held = heldBack.length > 0 ? { held_back: heldBack } : {};
    if (init.record_lines) {
      const d = digest.take();
      post({ type: 'record-lines', lines: lines.join(''), digest: d, traces, ...held }, [d.values.buffer as ArrayBuffer]);
    } else {
      post({ type: 'records', records, traces, ...held });
    }
    records = [];
    lines = [];
    count = 0;
    traces = [];
    heldBack = [];
  };
  let engine: LoadEngine | undefined;
  let pendingStop: Extract<RunnerToLoadWorker, { type: 'stop' }> | undefined;
  let pendingUsers: number | undefined;
  let pendingRate: Extract<RunnerToLoadWorker, { type: 'rate' }> | undefined;
  const go = new Promise<number>((resolve) => {
    parentPort!.on('message', (m: RunnerToLoadWorker) => {
      if (m.type === 'go') resolve(m.start_hr_ms);
      else if (m.type === 'stop') {
        if (engine) engine.stop(m.reason, m.abort ?? true);
        else pendingStop = m;
      } else if (m.type === 'users') {
        if (engine) engine.setUsers(m.users);
        else pendingUsers = m.users;
      } else if (m.type === 'rate') {
        if (engine) engine.setRate(m.per_s, m.at_ms);
        else pendingRate = m;
      }
    });
  });
  post(priority ? { type: 'ready', priority } : { type: 'ready' });
  const startHr = await go;
  // process.hrtime is one clock for every thread; performance.now() counts from this thread's own origin.
  const t0 = startHr - (hrMs() - performance.now());
  engine = new LoadEngine(
    init.plan,
    client,
    {
      record(rec, trace) {
        if (init.input_tokens) addTokenizerInput(rec, init.input_tokens.get(rec.prompt));
        if (init.record_lines) {
          const line = recordLine(rec);
          lines.push(line);
          digest.add(rec, line.length);
        } else {
          records.push(rec);
        }
        count++;
        if (trace) traces.push(trace);
        if (count >= FLUSH_RECORDS) flush();
      },
      stopping(reason) {
        post({ type: 'stopping', reason });
      },
      heldBack(t_ms, wait_ms) {
        heldBack.push({ t_ms, wait_ms });
      },
    },
    { shard: init.shard, replay: init.replay, t0, external: init.external, externalRate: init.external_rate },
  );
  if (pendingUsers !== undefined) engine.setUsers(pendingUsers);
  if (pendingRate) engine.setRate(pendingRate.per_s, pendingRate.at_ms);
  if (pendingStop) engine.stop(pendingStop.reason, pendingStop.abort ?? true);
  const e = engine;
  // which late ticks came while the thread was opening connections (a fast ramp, a server closing after each response)
  const opened = (): number => client.connectionStats?.().opened ?? 0;
  const bursts = new ConnectBurstTracker(performance.now(), opened());
  const stopProbe = probeEventLoop(e.histograms.h.event_loop_lag, (now, lag) => bursts.tick(now, lag, opened()));
  const gcPauses = watchGcPauses();
  const flushTimer = setInterval(flush, FLUSH_MS);
  const tickTimer = setInterval(() => post({ type: 'tick', ...e.state() }), TICK_MS);
  const end = await e.run();
  clearInterval(flushTimer);
  clearInterval(tickTimer);
  stopProbe();
  post({ type: 'tick', ...e.state() });
  flush();
  await client.close();
  const connections = client.connectionStats?.();
  if (connections) post({ type: 'connections', stats: connections });
  post({ type: 'done', ...end, histograms: e.histograms.encode(), gc_pauses: gcPauses(), connect_bursts: bursts.result(connections?.opened) });
}

if (parentPort) {
  main(workerData as LoadWorkerInit).catch((e: unknown) => {
    post({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  });
}
