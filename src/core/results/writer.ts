/**
 * Writes a run's files as it goes: requests.jsonl and packets.jsonl are appended as each batch of
 * records arrives, so whatever was measured is on disk even if the run is cut short; summary.json
 * and series.json are written at the end. Every byte goes through the run's Redactor first (see
 * ./redact.ts), and records, packets and the summary are redacted in place, so whoever reads the
 * same objects after the writer (the aggregator, the live panel rows, the CLI's summary) never
 * sees a secret either.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TracedRequest } from '../messages';
import type { RequestRecord } from '../metrics/record';
import type { SeriesRow } from '../metrics/aggregate';
import type { Summary } from '../metrics/summary';
import type { RunPlan } from '../scenario/plan';
import { knownSecrets, Redactor } from './redact';
import { RESULT_FILES } from './files';
import { fromRecordLines } from './record-lines';

export { RESULT_FILES };

/**
 * The plan as written to plan.json: everything but secrets. Headers with a credential's name are
 * redacted, and so is every known secret value wherever it stands (a header, a body, a URL).
 */
export function publicPlan(plan: RunPlan, secrets: readonly string[] | Redactor = []): RunPlan {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(plan.headers)) headers[k] = /authorization|key|token|secret|cookie/i.test(k) ? '<redacted>' : v;
  const { key: _key, ...rest } = plan;
  const redactor = secrets instanceof Redactor ? secrets : new Redactor(secrets);
  return redactor.value(JSON.parse(JSON.stringify({ ...rest, headers })) as RunPlan);
}

/** Every file a run writes into its folder (what `--force` clears, what marks a folder as holding a run). */
export const RUN_FILE_NAMES: readonly string[] = [...Object.values(RESULT_FILES), `${RESULT_FILES.summary}.tmp`, `${RESULT_FILES.series}.tmp`];

export class RunWriter {
  private readonly requests: number;
  private readonly packets: number;
  readonly redactor: Redactor;

  /**
   * Creates the run's files. requests.jsonl and packets.jsonl are created exclusively: a folder that
   * already holds a run's records is never appended to (see claimRunDir for `--force`).
   */
  constructor(
    readonly dir: string,
    plan: RunPlan,
    scenarioText?: string,
    secrets: readonly string[] = [],
  ) {
    // The plan's own key and credential header values are secrets even when the caller named none
    // (a run started without the scenario loader): scenario.llmload may hold them literally.
    this.redactor = new Redactor([...secrets, ...knownSecrets(plan, [])]);
    fs.mkdirSync(dir, { recursive: true });
    this.requests = fs.openSync(path.join(dir, RESULT_FILES.requests), 'wx');
    try {
      this.packets = fs.openSync(path.join(dir, RESULT_FILES.packets), 'wx');
    } catch (e) {
      fs.closeSync(this.requests);
      throw e;
    }
    fs.writeFileSync(path.join(dir, RESULT_FILES.plan), JSON.stringify(publicPlan(plan, this.redactor), null, 2) + '\n');
    if (scenarioText !== undefined) fs.writeFileSync(path.join(dir, RESULT_FILES.scenario), this.redactor.text(scenarioText));
  }

  /**
   * Appends one batch, secrets redacted (in place). Synchronous on purpose: a batch is small, and
   * once this returns it is on disk for any reader.
   */
  append(records: readonly RequestRecord[], traces: readonly TracedRequest[]): void {
    if (records.length > 0) fs.writeSync(this.requests, recordLines(records, this.redactor));
    const packets = packetLines(traces, this.redactor);
    if (packets.length > 0) fs.writeSync(this.packets, packets);
  }

  /**
   * Appends one batch whose records came as requests.jsonl text (record-lines.ts): the text is
   * written as it is unless it holds a secret; then the records are written as append() does,
   * redacted in place: `records` when the caller parsed them, else parsed here. Returns the
   * redacted records when there was a secret, so that nothing downstream sees it either.
   */
  appendLines(lines: string, traces: readonly TracedRequest[], records?: readonly RequestRecord[]): readonly RequestRecord[] | undefined {
    let redacted: readonly RequestRecord[] | undefined;
    if (lines.length > 0) {
      if (this.redactor.active && this.redactor.jsonHas(lines)) {
        redacted = records ?? fromRecordLines(lines);
        fs.writeSync(this.requests, recordLines(redacted, this.redactor));
      } else {
        fs.writeSync(this.requests, lines);
      }
    }
    const packets = packetLines(traces, this.redactor);
    if (packets.length > 0) fs.writeSync(this.packets, packets);
    return redacted;
  }

  /** Writes series.json and summary.json (both redacted in place) and closes the files. */
  finish(summary: Summary, series: SeriesRow[]): void {
    writeJsonAtomic(path.join(this.dir, RESULT_FILES.series), this.redactor.value(series));
    writeJsonAtomic(path.join(this.dir, RESULT_FILES.summary), this.redactor.value(summary));
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

/**
 * requests.jsonl lines of a batch, secrets redacted. Each record is serialized once; only a line
 * that holds a secret (one String#includes per secret) is redacted, in place, and serialized again.
 */
export function recordLines(records: readonly RequestRecord[], red: Redactor): string {
  let out = '';
  for (const r of records) {
    let line = JSON.stringify(r);
    if (red.active && red.jsonHas(line)) line = JSON.stringify(red.value(r));
    out += line + '\n';
  }
  return out;
}

/** packets.jsonl lines of a batch's traced requests, secrets redacted in place (also one split across packets). */
export function packetLines(traces: readonly TracedRequest[], red: Redactor): string {
  let out = '';
  for (const t of traces) {
    if (red.active) red.packets(t.packets);
    for (const p of t.packets) out += JSON.stringify({ request: t.request, t_ms: round3(p.t_ms), kind: p.kind, bytes: p.bytes, text: p.text }) + '\n';
  }
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}
