/**
 * Runs one plan: starts the built-in simulator when the target is `builtin:<profile>`, checks the
 * target can be reached, starts the load worker thread, folds its records into the aggregator,
 * appends them to disk as they come, and writes the summary at the end. The caller's event loop
 * only aggregates and writes; it never times a packet.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LiveDelta, Progress, RequestRow, RunnerToWorker, WorkerInit, WorkerToRunner } from '../messages';
import type { RequestRecord } from '../metrics/record';
import { RunAggregator } from '../metrics/aggregate';
import { buildSummary, targetLabel, type Summary } from '../metrics/summary';
import { DEFAULT_RESULTS_ROOT, runDirFor } from '../results/run-dir';
import { RunWriter } from '../results/writer';
import type { RunPlan } from '../scenario/plan';
import { startSimulator, type RunningSimulator } from '../sim';
import { scheduleFor } from '../load/shape';
import { checkReachable, RunStartError } from './preflight';

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
}

/** The bundled worker next to the bundle; from TypeScript sources (tests), the .ts through tsx's CommonJS hook. */
function newLoadWorker(init: WorkerInit): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(path.join(__dirname, 'load-worker.js'), { workerData: init });
  const file = path.join(__dirname, '..', 'load', 'worker.ts');
  const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true, workerData: init });
}

export async function startRun(plan: RunPlan, opts: RunOptions = {}): Promise<RunHandle> {
  if (plan.prompts.length === 0) throw new RunStartError('the scenario has no prompt to send');
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
  const dir = opts.outDir ?? runDirFor(opts.outRoot ?? DEFAULT_RESULTS_ROOT, plan.scenario, started);
  const writer = new RunWriter(dir, plan, opts.scenarioText);
  const agg = new RunAggregator();
  const plannedS = scheduleFor(plan.load).end_ms / 1000;
  const worker = newLoadWorker({ plan, baseUrl });

  let startEpoch = performance.timeOrigin + performance.now();
  const t0 = performance.now();
  let lastTick: Extract<WorkerToRunner, { type: 'tick' }> | undefined;
  const okHistory: Array<[number, number]> = [];
  let finished = false;
  let stopReason: string | undefined;

  const progress = (): Progress => {
    const elapsed = (performance.now() - t0) / 1000;
    okHistory.push([elapsed, agg.totals.ok]);
    while (okHistory.length > 1 && elapsed - okHistory[0]![0] > 10) okHistory.shift();
    const [t1, ok1] = okHistory[0]!;
    const qpm = elapsed - t1 > 0.5 ? ((agg.totals.ok - ok1) * 60) / (elapsed - t1) : 0;
    return {
      elapsed_s: elapsed,
      planned_s: plannedS,
      active_users: lastTick?.active_users ?? 0,
      target_users: lastTick?.target_users ?? 0,
      in_flight: lastTick?.in_flight ?? 0,
      sent: lastTick?.sent ?? 0,
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
    opts.onLive!({ progress: progress(), series: agg.recentSeries(), requests });
  };
  const liveTimer = opts.onLive ? setInterval(sendLive, opts.liveIntervalMs ?? 200) : undefined;

  const done = new Promise<RunResult>((resolve) => {
    const finish = async (ended_by: string, duration_ms: number, error?: string): Promise<void> => {
      if (finished) return;
      finished = true;
      if (progressTimer) clearInterval(progressTimer);
      if (liveTimer) clearInterval(liveTimer);
      opts.onProgress?.(progress());
      if (opts.onLive) sendLive();
      const summary = buildSummary(plan, agg, {
        started_at: new Date(startEpoch).toISOString(),
        duration_s: duration_ms / 1000,
        ended_by,
        target,
      });
      writer.finish(summary, agg.series());
      await worker.terminate();
      await sim?.close();
      resolve(error ? { dir, summary, error } : { dir, summary });
    };
    worker.on('message', (m: WorkerToRunner) => {
      switch (m.type) {
        case 'started':
          startEpoch = m.start_epoch_ms;
          break;
        case 'records':
          writer.append(m.records, m.traces);
          for (const r of m.records) {
            agg.add(r);
            if (opts.onLive && !r.warmup) liveRows.push(requestRow(r));
          }
          break;
        case 'tick':
          lastTick = m;
          agg.sample(m.t_ms, m.active_users, m.in_flight);
          break;
        case 'done':
          void finish(stopReason ?? m.ended_by, m.duration_ms);
          break;
        case 'fatal':
          void finish('error', performance.now() - t0, m.message);
          break;
      }
    });
    worker.on('error', (e) => void finish('error', performance.now() - t0, e.stack ?? e.message));
    worker.on('exit', (code) => void finish(stopReason ?? 'error', performance.now() - t0, stopReason ? undefined : `the load worker exited with code ${code}`));
  });

  return {
    dir,
    done,
    stop(reason = 'stopped') {
      if (finished || stopReason) return;
      stopReason = reason;
      const msg: RunnerToWorker = { type: 'stop', reason };
      worker.postMessage(msg);
      // A worker that does not end its streams in time is terminated; what it sent is already on disk.
      setTimeout(() => void worker.terminate(), opts.stopGraceMs ?? 800).unref();
    },
  };
}

function requestRow(r: RequestRecord): RequestRow {
  const row: RequestRow = {
    id: r.id,
    prompt: r.prompt,
    status: r.status,
    offset_ms: r.offset_ms,
    ttft_ms: r.ttft_ms,
    ttfa_ms: r.ttfa_ms,
    e2e_ms: r.e2e_ms,
    token_rate: r.token_rate,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
  };
  if (r.error) row.error_kind = r.error.kind;
  return row;
}
