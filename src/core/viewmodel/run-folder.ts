/**
 * Reads a run folder for the panel and the report: summary, series, plan, the requests table's rows
 * (streamed line by line) and, on demand, one request's detail from requests.jsonl and
 * packets.jsonl through byte-range indexes. Missing files are normal (a run still going has no
 * summary yet); a folder that is no run folder at all is a clear error.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { RequestDetail, RequestRow, TableRow, TimelinePacket } from '../messages';
import type { SeriesRow } from '../metrics/aggregate';
import { requestRowOf, type RequestRecord } from '../metrics/record';
import { runVerdict } from '../metrics/expectations';
import type { Summary } from '../metrics/summary';
import type { RunPlan } from '../scenario/plan';
import { RESULT_FILES } from '../results/files';
import { bucketLabel, bucketRanges } from '../tokenize/counts';
import { redactHeaders } from './escape';
import { JsonlIndex } from './jsonl-index';
import { assembleText } from './timeline';

export class RunFolderError extends Error {}

export interface RunFolderInfo {
  dir: string;
  summary: Summary | null;
  series: SeriesRow[];
  plan: Partial<RunPlan> | null;
  scenario: string;
  file: string;
  buckets: number[];
}

function readJson<T>(file: string): T | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new RunFolderError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

export function readRunFolder(dir: string): RunFolderInfo {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new RunFolderError(`${dir}: no such run folder`);
  const summary = readJson<Summary>(path.join(abs, RESULT_FILES.summary));
  const plan = readJson<Partial<RunPlan>>(path.join(abs, RESULT_FILES.plan));
  if (!summary && !plan) throw new RunFolderError(`${dir}: not a run folder (no ${RESULT_FILES.summary} or ${RESULT_FILES.plan})`);
  const series = readJson<SeriesRow[]>(path.join(abs, RESULT_FILES.series)) ?? [];
  return {
    dir: abs,
    summary,
    series: Array.isArray(series) ? series : [],
    plan,
    scenario: summary?.scenario ?? plan?.scenario ?? path.basename(abs),
    file: summary?.file ?? plan?.file ?? '',
    buckets: Array.isArray(plan?.buckets) ? plan.buckets.filter((b): b is number => typeof b === 'number') : [],
  };
}

/** Labels of the plan's buckets, smallest first. */
export function bucketLabels(bounds: readonly number[]): string[] {
  return bucketRanges(bounds).map(bucketLabel);
}

export function bucketOf(bounds: readonly number[], tokens: number | null): string | undefined {
  if (tokens === null || bounds.length === 0) return undefined;
  const r = bucketRanges(bounds).find((b) => tokens >= b.from && tokens < b.to);
  return r ? bucketLabel(r) : undefined;
}

export function tableRowOf(r: RequestRow, bounds: readonly number[]): TableRow {
  const b = bucketOf(bounds, r.input_tokens);
  return b === undefined ? { ...r } : { ...r, bucket: b };
}

/** Every non-warmup request of requests.jsonl as a table row, read line by line. */
export async function readRequestRows(dir: string, bounds: readonly number[]): Promise<TableRow[]> {
  const file = path.join(dir, RESULT_FILES.requests);
  if (!fs.existsSync(file)) return [];
  const rows: TableRow[] = [];
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let rec: RequestRecord;
    try {
      rec = JSON.parse(line) as RequestRecord;
    } catch {
      continue;
    }
    if (typeof rec.id !== 'number' || rec.warmup) continue;
    rows.push(tableRowOf(requestRowOf(rec), bounds));
  }
  return rows;
}

/** One run's per-request files, indexed on first use. */
export class RunFiles {
  private readonly requests: JsonlIndex;
  private readonly packets: JsonlIndex;
  private headers: Record<string, string> | null = null;

  constructor(readonly dir: string) {
    this.requests = new JsonlIndex(path.join(dir, RESULT_FILES.requests), 'id');
    this.packets = new JsonlIndex(path.join(dir, RESULT_FILES.packets), 'request');
  }

  /** Ids of the requests whose packets were kept. */
  async tracedIds(): Promise<number[]> {
    await this.packets.refresh();
    return this.packets.keys().sort((a, b) => a - b);
  }

  async detail(id: number): Promise<RequestDetail> {
    const [records, lines] = await Promise.all([this.requests.records<RequestRecord>(id), this.packets.records<TimelinePacket & { request: number }>(id)]);
    const record = records.find((r) => r.id === id) ?? null;
    const packets: TimelinePacket[] = lines.map((p) => ({ t_ms: Number(p.t_ms), kind: String(p.kind), bytes: Number(p.bytes) || 0, text: typeof p.text === 'string' ? p.text : '' }));
    const text = assembleText(packets);
    if (this.headers === null) {
      const plan = readJson<Partial<RunPlan>>(path.join(this.dir, RESULT_FILES.plan));
      this.headers = redactHeaders(plan?.headers);
    }
    const detail: RequestDetail = {
      id,
      record,
      traced: packets.length > 0,
      packets,
      thinking_text: text.thinking,
      answer_text: text.answer,
      request_headers: this.headers,
    };
    const rh = (record as { response_headers?: Record<string, string> } | null)?.response_headers;
    if (rh && typeof rh === 'object') detail.response_headers = redactHeaders(rh);
    if (record?.error) detail.error = { kind: record.error.kind, message: record.error.message };
    return detail;
  }
}

/** Run folders beside `dir` (same results root), newest first. */
export function siblingRuns(dir: string): { dir: string; name: string; scenario: string; started_at: string; requests?: number; verdict?: string }[] {
  const root = path.dirname(path.resolve(dir));
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const out: { dir: string; name: string; scenario: string; started_at: string; requests?: number; verdict?: string }[] = [];
  for (const name of names) {
    const d = path.join(root, name);
    const s = (() => {
      try {
        return readJson<Summary>(path.join(d, RESULT_FILES.summary));
      } catch {
        return null;
      }
    })();
    if (!s) continue;
    out.push({ dir: d, name, scenario: s.scenario, started_at: s.started_at, requests: s.requests?.total, verdict: Array.isArray(s.expectations) ? runVerdict(s).label : undefined });
  }
  return out.sort((a, b) => b.name.localeCompare(a.name));
}
