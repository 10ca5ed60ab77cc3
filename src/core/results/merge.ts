/**
 * Merges the run folders of several workers of one test (Locust workers, see ../locust) into one
 * run folder that every reader (report, compare, the panel) takes like any other:
 *   requests.jsonl  every worker's records; ids made unique as `id * N + w` (w = the folder's place in
 *                   the argument list, N = the number of folders), with `worker` (w) and
 *                   `worker_request` (the id in that worker's folder) added; offsets moved onto the
 *                   merged run's clock, which starts at the earliest worker's start
 *   packets.jsonl   the traced packets, their `request` ids mapped the same way
 *   summary.json    counts summed and percentiles exact: every record goes through one aggregator,
 *                   so its HDR histograms equal the sum of the workers' histograms (never an average
 *                   of their percentiles); the load threads' own histograms (inter-token latency,
 *                   event-loop lag) are added from the workers' summaries; `merged_from` lists the folders
 *   series.json     seconds of the merged run: requests by the second they ended in, users and
 *                   requests in flight summed over the workers' rows of the same wall-clock second
 * A worker folder without summary.json (a killed worker) is merged from its requests.jsonl.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { RunAggregator, type SeriesRow } from '../metrics/aggregate';
import type { RequestRecord } from '../metrics/record';
import { buildSummary, type ClientCheck, type Summary } from '../metrics/summary';
import { ThreadHistograms } from '../load/thread-histograms';
import type { RunPlan } from '../scenario/plan';
import { readRunFolder, RunFolderError, type RunFolderInfo } from '../viewmodel/run-folder';
import { claimRunDir } from './run-dir';
import { RESULT_FILES } from './writer';

export class MergeError extends Error {}

export interface MergedFrom {
  dir: string;
  started_at: string;
  /** Where this worker's offset 0 lies on the merged run's clock, ms. */
  offset_ms: number;
  requests: number;
  /** False for a folder without summary.json (a worker cut short): merged from its requests.jsonl. */
  complete: boolean;
}

export type MergedSummary = Summary & { merged_from: MergedFrom[] };

export interface MergeResult {
  dir: string;
  summary: MergedSummary;
  warnings: string[];
}

interface Source {
  info: RunFolderInfo;
  startMs: number;
  durationS: number;
}

/** Reads `file` line by line, each parsed (malformed lines skipped). */
async function* jsonLines<T>(file: string): AsyncGenerator<T> {
  if (!fs.existsSync(file)) return;
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line) as T;
    } catch {
      // a line cut by a killed writer
    }
  }
}

/** A folder's start (epoch ms) and length: from its summary, or from its records when it has none. */
async function source(dir: string): Promise<Source> {
  let info: RunFolderInfo;
  try {
    info = readRunFolder(dir);
  } catch (e) {
    throw new MergeError((e as Error).message);
  }
  if (!info.plan) throw new MergeError(`${dir}: no ${RESULT_FILES.plan}: not a run folder llmload can merge`);
  if (info.summary) return { info, startMs: Date.parse(info.summary.started_at), durationS: info.summary.duration_s };
  let start = Infinity;
  let end = 0;
  for await (const r of jsonLines<RequestRecord>(path.join(info.dir, RESULT_FILES.requests))) {
    start = Math.min(start, r.start_ms - r.offset_ms);
    end = Math.max(end, r.offset_ms + r.e2e_ms);
  }
  if (!Number.isFinite(start)) throw new MergeError(`${dir}: no summary.json and no request in requests.jsonl: nothing to merge`);
  return { info, startMs: start, durationS: end / 1000 };
}

export async function mergeRuns(dirs: readonly string[], outDir: string, opts: { replace?: boolean } = {}): Promise<MergeResult> {
  if (dirs.length < 2) throw new MergeError('give at least two run folders to merge');
  const sources: Source[] = [];
  for (const d of dirs) sources.push(await source(d));
  const warnings: string[] = [];
  const first = sources[0]!.info;
  for (const s of sources.slice(1)) {
    if (s.info.scenario !== first.scenario) throw new MergeError(`${s.info.dir} ran scenario "${s.info.scenario}", ${first.dir} ran "${first.scenario}": merge folders of one test`);
  }
  for (const s of sources) if (!s.info.summary) warnings.push(`${s.info.dir} has no summary.json (cut short): merged from its requests.jsonl`);
  const abs = path.resolve(outDir);
  if (sources.some((s) => s.info.dir === abs)) throw new MergeError(`--out ${outDir} is one of the folders to merge`);
  try {
    claimRunDir(abs, { replace: opts.replace });
  } catch (e) {
    throw new MergeError((e as Error).message);
  }

  const plan = first.plan as RunPlan;
  const n = sources.length;
  const t0 = Math.min(...sources.map((s) => s.startMs));
  const agg = new RunAggregator({ buckets: plan.buckets ?? [], goodput: plan.goodput });
  const requestsFd = fs.openSync(path.join(abs, RESULT_FILES.requests), 'w');
  const packetsFd = fs.openSync(path.join(abs, RESULT_FILES.packets), 'w');
  const mergedFrom: MergedFrom[] = [];
  try {
    for (let w = 0; w < n; w++) {
      const s = sources[w]!;
      const shift = s.startMs - t0;
      let count = 0;
      let batch = '';
      for await (const r of jsonLines<RequestRecord & { worker?: number; worker_request?: number }>(path.join(s.info.dir, RESULT_FILES.requests))) {
        const rec = { ...r, id: r.id * n + w, offset_ms: r.offset_ms + shift, worker: w, worker_request: r.id };
        if (r.intended_offset_ms !== undefined) rec.intended_offset_ms = r.intended_offset_ms + shift;
        agg.add(rec);
        count++;
        batch += JSON.stringify(rec) + '\n';
        if (batch.length > 1 << 20) {
          fs.writeSync(requestsFd, batch);
          batch = '';
        }
      }
      if (batch) fs.writeSync(requestsFd, batch);
      batch = '';
      for await (const p of jsonLines<{ request: number }>(path.join(s.info.dir, RESULT_FILES.packets))) {
        batch += JSON.stringify({ ...p, request: p.request * n + w }) + '\n';
        if (batch.length > 1 << 20) {
          fs.writeSync(packetsFd, batch);
          batch = '';
        }
      }
      if (batch) fs.writeSync(packetsFd, batch);
      mergedFrom.push({ dir: s.info.dir, started_at: new Date(s.startMs).toISOString(), offset_ms: shift, requests: count, complete: s.info.summary !== null });
    }
  } finally {
    fs.closeSync(requestsFd);
    fs.closeSync(packetsFd);
  }

  // Users and requests in flight: each worker's row for second t covers wall-clock [start + t, start + t + 1).
  const load = new Map<number, Map<number, { users: number; inFlight: number }>>();
  sources.forEach((s, w) => {
    for (const row of s.info.series) {
      const t = Math.floor((s.startMs - t0 + row.t * 1000) / 1000);
      let at = load.get(t);
      if (!at) load.set(t, (at = new Map()));
      at.set(w, { users: row.active_users, inFlight: row.in_flight });
    }
  });
  for (const [t, byWorker] of [...load].sort((a, b) => a[0] - b[0])) {
    let users = 0;
    let inFlight = 0;
    for (const v of byWorker.values()) {
      users += v.users;
      inFlight += v.inFlight;
    }
    agg.sample(t * 1000, users, inFlight);
  }

  const threads = new ThreadHistograms();
  for (const s of sources) if (s.info.summary?.thread_histograms) threads.merge(s.info.summary.thread_histograms);
  const summaries = sources.map((s) => s.info.summary).filter((x): x is Summary => x !== null);
  const endedBy = [...new Set(summaries.map((x) => x.ended_by))];
  const h = threads.h;
  const lags = summaries.map((x) => x.schedule_lag_ms);
  const summary = buildSummary(plan, agg, {
    started_at: new Date(t0).toISOString(),
    duration_s: Math.max(...sources.map((s) => (s.startMs - t0) / 1000 + s.durationS)),
    ended_by: endedBy.length === 0 ? 'stopped' : endedBy.join(', '),
    target: summaries[0]?.target ?? String((plan.target as { url?: string })?.url ?? ''),
    itl_ms: threads.itlAll().percentiles(),
    itl_phase_ms: {
      thinking: h.itl_thinking.percentiles(),
      answer: h.itl_answer.percentiles(),
      thinking_per_packet: h.itl_packet_thinking.percentiles(),
      answer_per_packet: h.itl_packet_answer.percentiles(),
    },
    schedule_lag_ms: lags.length > 0 && lags.every((l) => l === null) ? null : h.schedule_lag.percentiles(),
    client: mergeClient(summaries, h.event_loop_lag.percentiles()),
    thread_histograms: threads.encode(),
  });
  const merged: MergedSummary = { ...summary, merged_from: mergedFrom };
  const series: SeriesRow[] = agg.series();
  fs.writeFileSync(path.join(abs, RESULT_FILES.plan), JSON.stringify(plan, null, 2) + '\n');
  const scenarioText = path.join(first.dir, RESULT_FILES.scenario);
  if (fs.existsSync(scenarioText)) fs.copyFileSync(scenarioText, path.join(abs, RESULT_FILES.scenario));
  fs.writeFileSync(path.join(abs, RESULT_FILES.series), JSON.stringify(series, null, 2) + '\n');
  fs.writeFileSync(path.join(abs, RESULT_FILES.summary), JSON.stringify(merged, null, 2) + '\n');
  return { dir: abs, summary: merged, warnings };
}

/** The client check of the whole fleet: threads and cores added, CPU added (% of one core), a bottleneck anywhere is one. */
function mergeClient(summaries: Summary[], eventLoopLag: ClientCheck['event_loop_lag_ms']): ClientCheck | undefined {
  const cs = summaries.map((s) => s.client).filter((c): c is ClientCheck => c !== undefined);
  if (cs.length === 0) return undefined;
  const warnings = cs.map((c) => c.warning).filter((w): w is string => !!w);
  const out: ClientCheck = {
    workers: cs.reduce((a, c) => a + c.workers, 0),
    cores: cs.reduce((a, c) => a + c.cores, 0),
    event_loop_lag_ms: eventLoopLag,
    cpu_percent: cs.reduce((a, c) => a + c.cpu_percent, 0),
    bottleneck: cs.some((c) => c.bottleneck),
  };
  if (warnings.length > 0) out.warning = [...new Set(warnings)].join('; ');
  return out;
}

export { RunFolderError };
