/**
 * Writes a run's files as it goes: requests.jsonl and packets.jsonl are appended as each batch of
 * records arrives, so whatever was measured is on disk even if the run is cut short; summary.json
 * and series.json are written at the end.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TracedRequest } from '../messages';
import type { RequestRecord } from '../metrics/record';
import type { SeriesRow } from '../metrics/aggregate';
import type { Summary } from '../metrics/summary';
import type { RunPlan } from '../scenario/plan';

export const RESULT_FILES = {
  summary: 'summary.json',
  requests: 'requests.jsonl',
  packets: 'packets.jsonl',
  series: 'series.json',
  plan: 'plan.json',
  scenario: 'scenario.llmload',
} as const;

/**
 * The plan as written to plan.json: everything but secrets. Headers with a credential's name are
 * redacted, and so is every known secret value wherever it stands (a header, a body, a URL).
 */
export function publicPlan(plan: RunPlan, secrets: readonly string[] = []): RunPlan {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(plan.headers)) headers[k] = /authorization|key|token|secret|cookie/i.test(k) ? '<redacted>' : v;
  const { key: _key, ...rest } = plan;
  let json = JSON.stringify({ ...rest, headers });
  for (const s of secrets) if (s.length >= 4) json = json.split(JSON.stringify(s).slice(1, -1)).join('<redacted>');
  return JSON.parse(json) as RunPlan;
}

export class RunWriter {
  private readonly requests: number;
  private readonly packets: number;

  constructor(
    readonly dir: string,
    plan: RunPlan,
    scenarioText?: string,
    secrets: readonly string[] = [],
  ) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, RESULT_FILES.plan), JSON.stringify(publicPlan(plan, secrets), null, 2) + '\n');
    if (scenarioText !== undefined) fs.writeFileSync(path.join(dir, RESULT_FILES.scenario), scenarioText);
    this.requests = fs.openSync(path.join(dir, RESULT_FILES.requests), 'a');
    this.packets = fs.openSync(path.join(dir, RESULT_FILES.packets), 'a');
  }

  /** Appends one batch. Synchronous on purpose: a batch is small, and once this returns it is on disk for any reader. */
  append(records: readonly RequestRecord[], traces: readonly TracedRequest[]): void {
    if (records.length > 0) fs.writeSync(this.requests, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    if (traces.length === 0) return;
    const lines: string[] = [];
    for (const t of traces) {
      for (const p of t.packets) lines.push(JSON.stringify({ request: t.request, t_ms: round3(p.t_ms), kind: p.kind, bytes: p.bytes, text: p.text }));
    }
    if (lines.length > 0) fs.writeSync(this.packets, lines.join('\n') + '\n');
  }

  finish(summary: Summary, series: SeriesRow[]): void {
    writeJsonAtomic(path.join(this.dir, RESULT_FILES.series), series);
    writeJsonAtomic(path.join(this.dir, RESULT_FILES.summary), summary);
    this.close();
  }

  close(): void {
    for (const fd of [this.requests, this.packets]) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}
