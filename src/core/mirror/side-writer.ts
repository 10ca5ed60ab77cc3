/**
 * One side's run folder (`OUT/primary/` or `OUT/shadow/`): the same files a run writes
 * (plan.json, requests.jsonl, packets.jsonl, series.json, summary.json), so the panel, `report`
 * and `compare` read a side like any run. Records are redacted with the mirror's growing secret
 * registry before they are written; the summary is built by the run's own aggregator.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TracedRequest } from '../messages';
import { RunAggregator } from '../metrics/aggregate';
import type { RequestRecord } from '../metrics/record';
import { buildSummary, type Summary } from '../metrics/summary';
import type { Packet } from '../protocols/types';
import type { ApiKind, RunPlan } from '../scenario/plan';
import { claimRunDir } from '../results/run-dir';
import { packetLines, publicPlan, recordLines, RESULT_FILES } from '../results/writer';
import type { SecretRegistry } from './secrets';

export type Side = 'primary' | 'shadow';

/** Requests whose packets are all kept (failures always are). */
export const TRACE_FIRST = 200;

/** The plan a side's folder describes: the traffic the mirror saw, sent to one URL. */
export function sidePlan(side: Side, url: string, api: ApiKind, model: string): RunPlan {
  return {
    scenario: `mirror ${side}`,
    file: '',
    target: { kind: 'url', url },
    api,
    model,
    timeouts: { total_ms: 0 },
    headers: {},
    prompts: [],
    datasets: [],
    load: { kind: 'replay', path: '', speed: 1 },
    think_ms: 0,
    buckets: [],
    trace: { mode: 'first', n: TRACE_FIRST },
    expectations: [],
  };
}

export class SideWriter {
  readonly agg = new RunAggregator();
  private readonly requests: number;
  private readonly packets: number;
  private readonly apis = new Map<ApiKind, number>();
  private readonly models = new Map<string, number>();
  private closed = false;

  constructor(
    readonly dir: string,
    readonly side: Side,
    readonly url: string,
    private readonly secrets: SecretRegistry,
    replace = false,
  ) {
    claimRunDir(dir, { replace });
    this.requests = fs.openSync(path.join(dir, RESULT_FILES.requests), 'wx');
    this.packets = fs.openSync(path.join(dir, RESULT_FILES.packets), 'wx');
    this.writePlan('openai-chat', '');
  }

  private writePlan(api: ApiKind, model: string): void {
    fs.writeFileSync(path.join(this.dir, RESULT_FILES.plan), JSON.stringify(publicPlan(sidePlan(this.side, this.url, api, model), this.secrets.redactor), null, 2) + '\n');
  }

  /** Writes one record (and its packets when traced), redacted, and adds it to the summary. */
  add(rec: RequestRecord, api: ApiKind, model: string | undefined, packets: Packet[]): void {
    if (this.closed) return;
    const red = this.secrets.redactor;
    const traced = rec.status === 'error' || rec.id < TRACE_FIRST;
    const traces: TracedRequest[] = traced && packets.length > 0 ? [{ request: rec.id, packets }] : [];
    fs.writeSync(this.requests, recordLines([rec], red));
    if (traces.length > 0) fs.writeSync(this.packets, packetLines(traces, red));
    this.agg.add(rec);
    this.apis.set(api, (this.apis.get(api) ?? 0) + 1);
    if (model) this.models.set(model, (this.models.get(model) ?? 0) + 1);
  }

  /** summary.json and series.json; plan.json names the API and model most requests used. */
  finish(started: Date, duration_ms: number, ended_by: string): Summary {
    const api = top(this.apis) ?? 'openai-chat';
    const model = top(this.models) ?? '';
    this.writePlan(api, model);
    const plan = sidePlan(this.side, this.url, api, model);
    const summary = this.secrets.redactor.value(buildSummary(plan, this.agg, { started_at: started.toISOString(), duration_s: duration_ms / 1000, ended_by, target: this.url }));
    writeJson(path.join(this.dir, RESULT_FILES.series), this.secrets.redactor.value(this.agg.series()));
    writeJson(path.join(this.dir, RESULT_FILES.summary), summary);
    this.close();
    return summary;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of [this.requests, this.packets]) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

function top<K>(m: Map<K, number>): K | undefined {
  let best: K | undefined;
  let n = -1;
  for (const [k, c] of m) if (c > n) [best, n] = [k, c];
  return best;
}

function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}
