/**
 * Runs one plan: starts the built-in simulator when the target is `builtin:<profile>`, checks the
 * target can be reached, starts the load worker thread, folds its records into the aggregator,
 * appends them to disk as they come, and writes the summary at the end. The caller's event loop
 * only aggregates and writes; it never times a packet.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { LiveDelta, LoadWorkerInit, LoadWorkerToRunner, Progress, RequestRow, RunnerToLoadWorker } from '../messages';
import { requestRowOf, type RecordDigest, type RequestRecord } from '../metrics/record';
import { fromRecordLines } from '../results/record-lines';
import { readRecordDigests } from '../results/record-digest';
import { RunAggregator } from '../metrics/aggregate';
import { CacheShareAggregator } from '../metrics/cache-share';
import { TurnAggregator } from '../metrics/turns';
import { buildSummary, targetLabel, type Summary } from '../metrics/summary';
import { DEFAULT_RESULTS_ROOT, claimRunDir, freshRunDir } from '../results/run-dir';
import { connectsPerRequest, mergeConnectionStats, type ConnectionStats } from '../protocols/connections';
import { RunWriter } from '../results/writer';
import type { RunPlan } from '../scenario/plan';
import { startSimulator, type RunningSimulator } from '../sim';
import { peakUsers, scheduleFor, type ReplayEntry, type Schedule } from '../load/shape';
import { loadReplay } from '../load/replay';
import { ThreadHistograms } from '../load/thread-histograms';
import { backoffLabel, OutageTracker } from '../metrics/outages';
import { externalSchedule } from '../load/external-shape';
import { SweepSearchRun, sweepSteering, type SweepRun } from './sweep-search-run';
import { applySweepVerdict } from '../metrics/sweep-verdict';
import { clientCheck } from './client-check';
import { emptyGcPauses, mergeGcPauses } from '../load/gc-pauses';
import { emptyConnectBursts, mergeConnectBursts } from '../load/connect-bursts';
import { threadPriorityOf, type NiceResult } from '../load/thread-priority';
import { sizeThreads, type ThreadChoice } from './thread-sizing';
import { RunGrading } from '../grade/run-grading';
import { withSimAnswers } from '../sim/answers';
import { checkReachable, RunStartError } from './preflight';
import { startServerMetrics } from '../server-metrics/run-hook';
import type { ServerMetricsScraper } from '../server-metrics/scraper';
import { ServerTimingAggregator } from '../server-metrics/timing-summary';
import { annotateServerRows } from '../server-metrics/series-rows';
import { SweepTracker } from './sweep-tracker';
import { sizeLoadThreadHeaps } from '../load/worker-heap';
import { startBundledWorker } from '../load/worker-exec-argv';

export { RunStartError };

export interface RunOptions {
  /** The run's own folder; by default `<outRoot>/<UTC stamp>-<slug>`. */
  outDir?: string;
  /** Where run folders go; default `.llmload/runs` under the current directory. */
  outRoot?: string;
  /** A URL that replaces the scenario's target. */
  targetOverride?: string;
  /** The scenario's source, kept beside the results. */
  scenarioText?: string;
  onProgress?(p: Progress): void;
  progressIntervalMs?: number;
  /** Batched live data for a panel: progress, open series rows, requests that ended. */
  onLive?(d: LiveDelta): void;
  /** Default 200 ms (5 Hz). */
  liveIntervalMs?: number;
  /** How long stop() waits for the worker to end its streams before it is terminated. */
  stopGraceMs?: number;
  /** Values that must never reach a results file (keys, `${secret:NAME}` values). */
  secrets?: readonly string[];
  /** An `outDir` that holds another run: delete that run's files (`--force`) rather than refuse to start. */
  replaceOutDir?: boolean;
  /** Each prompt's input tokens as the tokenizer counts them (see prepareRun), by prompt name. */
  inputTokens?: ReadonlyMap<string, number>;
  /** Load worker threads; default one per core (fewer when there are fewer users than cores). */
  workers?: number;
  /** A built dist/load-worker.js for the threads (benchmarks running from sources); default: next to this module. */
  workerFile?: string;
  /** The user count comes from RunHandle.setUsers (a Locust master), not the plan's load shape (see ../load/external-shape). */
  external?: boolean;
  /** Each batch of records as written (secrets redacted), e.g. for a Locust master's stats. */
  onRecords?(records: readonly RequestRecord[]): void;
}

export interface RunResult {
  dir: string;
  summary: Summary;
  /** Set when the run ended on an internal error; the results measured so far are on disk. */
  error?: string;
}

export interface RunHandle {
  dir: string;
  done: Promise<RunResult>;
  /** Ends the run: open streams are aborted, every result already measured is kept. */
  stop(reason?: string): void;
  /** External load (RunOptions.external): run this many users from now on. */
  setUsers(users: number): void;
  /** How many load threads the run uses, and why (also in summary.json's client.threads). */
  threads: ThreadChoice;
}

/**
 * The bundled worker next to the bundle; from TypeScript sources (tests), the .ts through tsx's
 * CommonJS hook, unless `bundled` names a built load-worker.js to use instead.
 */
function newLoadWorker(init: LoadWorkerInit, bundled?: string): Worker {
  sizeLoadThreadHeaps();
  if (bundled) return startBundledWorker(bundled, init);
  if (!__filename.endsWith('.ts')) return new Worker(path.join(__dirname, 'load-worker.js'), { workerData: init });
  const file = path.join(__dirname, '..', 'load', 'worker.ts');
  const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true, workerData: init });
}

/** Connections a thread's pool may open: its share of the users, or enough for any open-loop burst. */
function connectionsPerWorker(schedule: Schedule, workers: number): number {
  if (schedule.kind === 'closed') return Math.max(1, Math.ceil((peakUsers(schedule) ?? 1) / workers));
  return 65_536;
}

export async function startRun(plan: RunPlan, opts: RunOptions = {}): Promise<RunHandle> {
  if (plan.prompts.length === 0 && plan.load.kind !== 'replay') throw new RunStartError('the scenario has no prompt to send');
  let replay: ReplayEntry[] | undefined;
  if (plan.load.kind === 'replay' && !opts.external) {
    try {
      replay = loadReplay(plan.load.path, plan.load);
    } catch (e) {
      throw new RunStartError((e as Error).message);
    }
  }
  let schedule: Schedule;
  try {
    schedule = opts.external ? externalSchedule() : scheduleFor(plan.load, replay);
  } catch (e) {
    throw new RunStartError(`cannot plan the load: ${(e as Error).message}`);
  }
  // Every thread draws the same arrival times from the same seed, each taking its own share.
  if (plan.seed === undefined) plan = { ...plan, seed: (Math.random() * 2 ** 32) >>> 0 };
  let sim: RunningSimulator | undefined;
  let baseUrl: string;
  let target: string;
  if (opts.targetOverride) {
    baseUrl = opts.targetOverride;
    target = opts.targetOverride;
  } else if (plan.target.kind === 'builtin') {
    try {
      sim = await startSimulator({ profile: plan.target.profile, seed: plan.seed });
    } catch (e) {
      throw new RunStartError(`cannot start the built-in simulator: ${(e as Error).message}`);
    }
    baseUrl = sim.url;
    target = targetLabel(plan);
    plan = withSimAnswers(plan);
  } else {
    baseUrl = plan.target.url;
    target = plan.target.url;
  }
  try {
    await checkReachable(baseUrl);
  } catch (e) {
    await sim?.close();
    throw e;
  }

  const started = new Date();
  let writer: RunWriter;
  try {
    // A named folder must not hold another run; a new one never collides (see ../results/run-dir).
    const runDir = opts.outDir ? claimRunDir(opts.outDir, { replace: opts.replaceOutDir }) : freshRunDir(opts.outRoot ?? DEFAULT_RESULTS_ROOT, plan.scenario, started);
    writer = new RunWriter(runDir, plan, opts.scenarioText, opts.secrets);
  } catch (e) {
    await sim?.close();
    throw new RunStartError((e as Error).message);
  }
  const dir = writer.dir;
  const agg = new RunAggregator({ buckets: plan.buckets, goodput: plan.goodput });
  const cache = new CacheShareAggregator();
  const turns = new TurnAggregator();
  const grading = new RunGrading(plan);
  const threadHists = new ThreadHistograms();
  const outages = new OutageTracker();
  const plannedS = schedule.end_ms / 1000;
  const cores = os.availableParallelism();
  const threadChoice = sizeThreads(plan, schedule, { cores, baseUrl, requested: opts.workers, external: opts.external, simProfile: sim && plan.target.kind === 'builtin' ? plan.target.profile : undefined });
  const n = threadChoice.threads;
  const connections = opts.external ? 65_536 : connectionsPerWorker(schedule, n);
  const workers: Worker[] = [];
  /** A sweep search (`load sweep ... search`): the threads follow the levels the runner sets, users or a rate. */
  const steer = plan.load.kind === 'sweep' && !opts.external ? sweepSteering(plan.load) : undefined;
  // Records come as requests.jsonl text unless grading adds to them here; tokenizer counts are added on the threads.
  const threadRecords: Pick<LoadWorkerInit, 'record_lines' | 'input_tokens'> = { record_lines: !grading.active, ...(opts.inputTokens ? { input_tokens: opts.inputTokens } : {}) };
  for (let index = 0; index < n; index++) workers.push(newLoadWorker({ plan, baseUrl, shard: { index, count: n }, replay, connections, external: opts.external || steer === 'users', ...(steer === 'rate' ? { external_rate: true } : {}), ...threadRecords }, opts.workerFile));

  let startEpoch = performance.timeOrigin + performance.now();
  const t0 = performance.now();
  let cpuAtStart = process.cpuUsage();
  let wallAtStart = performance.now();
  /** Each load thread's event-loop utilization at the start of the load: its busy share over the run goes to the client check. */
  let eluAtStart: EventLoopUtilization[] = [];
  const ticks: Array<Extract<LoadWorkerToRunner, { type: 'tick' }> | undefined> = new Array(n).fill(undefined);
  const okHistory: Array<[number, number]> = [];
  let finished = false;
  let stopReason: string | undefined;
  /** A stop condition one thread saw that ends the whole run (error rate). */
  let runStopReason: string | undefined;
  let ready = 0;
  /** What each load thread's `thread_priority high` did (worker 'ready' messages). */
  const priorities: NiceResult[] = [];
  const doneMsgs: Array<Extract<LoadWorkerToRunner, { type: 'done' }>> = [];
  const finishedThreads = new Set<number>();
  const connectionStats: ConnectionStats[] = [];
  let serverScraper: ServerMetricsScraper | undefined;
  const serverTimings = new ServerTimingAggregator();
  /** A sweep's steps: judged as they end, and the run stopped (letting requests in flight finish) when one saturates the server or breaks an SLO. */
  const sweep: SweepRun | undefined = plan.load.kind === 'sweep' && !opts.external ? (plan.load.search ? new SweepSearchRun(plan.load, plan.expectations) : new SweepTracker(plan.load, plan.expectations)) : undefined;

  const broadcast = (m: RunnerToLoadWorker, except?: number): void => {
    workers.forEach((w, i) => {
      if (i !== except) w.postMessage(m);
    });
  };
  const sumTicks = (k: 'active_users' | 'target_users' | 'in_flight' | 'sent'): number => {
    let sum = 0;
    for (const t of ticks) sum += t?.[k] ?? 0;
    // every thread computes the same target from the same schedule
    return k === 'target_users' ? (ticks.find((t) => t)?.target_users ?? 0) : sum;
  };

  const progress = (): Progress => {
    const elapsed = (performance.now() - t0) / 1000;
    okHistory.push([elapsed, agg.totals.ok]);
    while (okHistory.length > 1 && elapsed - okHistory[0]![0] > 10) okHistory.shift();
    const [t1, ok1] = okHistory[0]!;
    const qpm = elapsed - t1 > 0.5 ? ((agg.totals.ok - ok1) * 60) / (elapsed - t1) : 0;
    return {
      elapsed_s: elapsed,
      planned_s: plannedS,
      active_users: sumTicks('active_users'),
      target_users: sumTicks('target_users'),
      in_flight: sumTicks('in_flight'),
      sent: sumTicks('sent'),
      ok: agg.totals.ok,
      failed: agg.totals.failed,
      qpm,
      ttft_p95_ms: agg.hist.ttft_ms.stat('p95'),
      token_rate_p50: agg.hist.token_rate.stat('p50'),
    };
  };
  const progressTimer = opts.onProgress ? setInterval(() => opts.onProgress!(progress()), opts.progressIntervalMs ?? 1000) : undefined;
  let liveRows: RequestRow[] = [];
  const sendLive = (): void => {
    const requests = liveRows;
    liveRows = [];
    const series = agg.recentSeries();
    if (serverScraper) annotateServerRows(series, serverScraper.points);
    opts.onLive!({ progress: progress(), series, requests });
  };
  const liveTimer = opts.onLive ? setInterval(sendLive, opts.liveIntervalMs ?? 200) : undefined;
  const sweepTimer = sweep
    ? setInterval(() => {
        if (ready < n || finished || stopReason || runStopReason) return;
        const d = sweep.check(performance.timeOrigin + performance.now() - startEpoch, { sent: sumTicks('sent'), reported_ms: Math.min(...ticks.map((t) => t?.t_ms ?? -Infinity)) });
        if (!d) return;
        if ('level' in d) {
          // A search's next probe (or zero between probes): every thread takes its share.
          broadcast(steer === 'rate' ? { type: 'rate', per_s: d.level, at_ms: d.at_ms } : { type: 'users', users: d.level });
          return;
        }
        runStopReason = d.by;
        broadcast({ type: 'stop', reason: d.by, abort: false });
      }, 100)
    : undefined;

  let onAllReady!: () => void;
  let onBootFailed!: (e: Error) => void;
  const allReady = new Promise<void>((res, rej) => {
    onAllReady = res;
    onBootFailed = rej;
  });
  const done = new Promise<RunResult>((resolve) => {
    const finish = async (ended_by: string, duration_ms: number, error?: string): Promise<void> => {
      if (finished) return;
      finished = true;
      if (sweepTimer) clearInterval(sweepTimer);
      if (ready < n) {
        // A thread failed before the load started: startRun rejects, nothing was measured.
        if (progressTimer) clearInterval(progressTimer);
        if (liveTimer) clearInterval(liveTimer);
        writer.close();
        await Promise.all(workers.map((w) => w.terminate()));
        await sim?.close();
        onBootFailed(new RunStartError(`cannot start the load threads: ${error ?? ended_by}`));
        return;
      }
      const cpu = process.cpuUsage(cpuAtStart);
      const wall = performance.now() - wallAtStart;
      if (progressTimer) clearInterval(progressTimer);
      if (liveTimer) clearInterval(liveTimer);
      opts.onProgress?.(progress());
      if (opts.onLive) sendLive();
      const serverMetrics = await serverScraper?.stop();
      const h = threadHists.h;
      const scheduleLag = schedule.kind === 'closed' ? null : h.schedule_lag.percentiles();
      const outageReport = outages.finish(duration_ms, backoffLabel(plan));
      const connectionTotals = mergeConnectionStats(connectionStats);
      const summary = buildSummary(plan, agg, {
        started_at: new Date(startEpoch).toISOString(),
        duration_s: duration_ms / 1000,
        ended_by,
        target,
        itl_ms: threadHists.itlAll().percentiles(),
        itl_phase_ms: {
          thinking: h.itl_thinking.percentiles(),
          answer: h.itl_answer.percentiles(),
          thinking_per_packet: h.itl_packet_thinking.percentiles(),
          answer_per_packet: h.itl_packet_answer.percentiles(),
        },
        schedule_lag_ms: scheduleLag,
        client: clientCheck({
          workers: n,
          cores,
          event_loop_lag_ms: h.event_loop_lag.percentiles(),
          schedule_lag_ms: scheduleLag,
          cpu_percent: wall > 0 ? ((cpu.user + cpu.system) / 1000 / wall) * 100 : 0,
          threads: threadChoice,
          thread_busy: workers.map((w, k) => Math.min(1, Math.max(0, w.performance.eventLoopUtilization(eluAtStart[k]).utilization || 0))),
          load_average: os.loadavg()[0],
          gc_pause_ms: mergeGcPauses(doneMsgs.map((d) => d.gc_pauses ?? emptyGcPauses())),
          connect_bursts: mergeConnectBursts(doneMsgs.map((d) => d.connect_bursts ?? emptyConnectBursts())),
          connects_per_request: connectsPerRequest(connectionTotals),
          ...(plan.thread_priority === 'high' ? { thread_priority: threadPriorityOf(priorities) } : {}),
          wall_ms: wall,
        }),
        thread_histograms: threadHists.encode(),
        ...outageReport,
        connections: connectionTotals,
        cache: cache.summary(),
        ...(serverMetrics ? { server_metrics: serverMetrics } : {}),
        server_timing: serverTimings.summary(),
        accuracy: grading.summary(),
        sessions: turns.summary(),
        ...(sweep ? { sweep: sweep.summary(ended_by, duration_ms) } : {}),
      });
      applySweepVerdict(summary, plan.expectations);
      const series = agg.series();
      outages.annotate(series, outageReport.outages);
      if (serverScraper) annotateServerRows(series, serverScraper.points);
      writer.finish(summary, series);
      await Promise.all(workers.map((w) => w.terminate()));
      await sim?.close();
      resolve(error ? { dir, summary, error } : { dir, summary });
    };
    const endedBy = (): string => {
      if (stopReason) return stopReason;
      if (runStopReason) return runStopReason;
      return doneMsgs.map((d) => d.ended_by).find((r) => r !== 'completed') ?? 'completed';
    };
    workers.forEach((worker, i) => {
      worker.on('message', (m: LoadWorkerToRunner) => {
        switch (m.type) {
          case 'ready':
            if (m.priority) priorities.push(m.priority);
            if (++ready === n) {
              // A common start a little ahead, so every thread begins its schedule at the same instant.
              const lead = 10;
              startEpoch = performance.timeOrigin + performance.now() + lead;
              cpuAtStart = process.cpuUsage();
              wallAtStart = performance.now();
              eluAtStart = workers.map((w) => w.performance.eventLoopUtilization());
              broadcast({ type: 'go', start_epoch_ms: startEpoch, start_hr_ms: Number(process.hrtime.bigint()) / 1e6 + lead });
              onAllReady();
              if (stopReason) broadcast({ type: 'stop', reason: stopReason, abort: true });
            }
            break;
          case 'records':
          case 'record-lines': {
            // What the aggregators read: whole records, or (text without a consumer of whole records) the batch's digest.
            let records: readonly RecordDigest[];
            if (m.type === 'records') {
              grading.grade(m.records);
              writer.append(m.records, m.traces);
              opts.onRecords?.(m.records);
              records = m.records;
            } else if (opts.onRecords) {
              const whole = fromRecordLines(m.lines);
              writer.appendLines(m.lines, m.traces, whole);
              opts.onRecords(whole);
              records = whole;
            } else {
              // a batch with a secret comes back parsed and redacted: the aggregators and the live table never see it
              records = writer.appendLines(m.lines, m.traces) ?? readRecordDigests(m.digest, m.lines);
            }
            for (const r of records) {
              agg.add(r);
              cache.add(r);
              turns.add(r);
              if (opts.onLive && !r.warmup) liveRows.push(requestRowOf(r));
              outages.add(r);
              serverTimings.add(r);
              sweep?.add(r);
            }
            if (m.held_back) outages.addHeld(m.held_back);
            break;
          }
          case 'tick':
            ticks[i] = m;
            agg.sample(m.t_ms, sumTicks('active_users'), sumTicks('in_flight'));
            break;
          case 'stopping':
            if (!runStopReason) {
              runStopReason = m.reason;
              broadcast({ type: 'stop', reason: m.reason, abort: false }, i);
            }
            break;
          case 'connections':
            connectionStats.push(m.stats);
            break;
          case 'done':
            finishedThreads.add(i);
            threadHists.merge(m.histograms);
            doneMsgs.push(m);
            if (doneMsgs.length === n) void finish(endedBy(), Math.max(...doneMsgs.map((d) => d.duration_ms)));
            break;
          case 'fatal':
            void finish('error', performance.now() - t0, m.message);
            break;
        }
      });
      worker.on('error', (e) => void finish('error', performance.now() - t0, e.stack ?? e.message));
      worker.on('exit', (code) => {
        if (finishedThreads.has(i)) return;
        void finish(stopReason ?? 'error', performance.now() - t0, stopReason ? undefined : `a load worker exited with code ${code}`);
      });
    });
  });

  await allReady;
  // Not when the run already ended (a thread failed at once): nothing would stop the scraper.
  if (!finished) serverScraper = startServerMetrics(plan, sim?.url, dir, () => (performance.timeOrigin + performance.now() - startEpoch) / 1000);
  return {
    dir,
    done,
    stop(reason = 'stopped') {
      if (finished || stopReason) return;
      stopReason = reason;
      broadcast({ type: 'stop', reason, abort: true });
      // A worker that does not end its streams in time is terminated; what it sent is already on disk.
      setTimeout(() => void Promise.all(workers.map((w) => w.terminate())), opts.stopGraceMs ?? 800).unref();
    },
    setUsers(users) {
      if (!finished && !stopReason) broadcast({ type: 'users', users });
    },
    threads: threadChoice,
  };
}
