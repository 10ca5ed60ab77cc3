/** A run folder as exporters read it (see ./types.ts RunSource): each part read once, on demand. */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { RequestRecord } from '../metrics/record';
import type { PacketLine } from '../results/trace-export';
import { RESULT_FILES } from '../results/files';
import type { RunSource } from './types';

async function* jsonLines<T>(file: string): AsyncGenerator<T> {
  if (!fs.existsSync(file)) return;
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) yield JSON.parse(line) as T;
}

/** True when `dir` holds a run's requests file, the least an exporter of records needs. */
export function hasRecords(dir: string): boolean {
  return fs.existsSync(path.join(dir, RESULT_FILES.requests));
}

export function openRun(dir: string, only?: number): RunSource {
  let records: Promise<RequestRecord[]> | undefined;
  let packets: Promise<Map<number, PacketLine[]>> | undefined;
  return {
    dir,
    only,
    summaryJson() {
      const file = path.join(dir, RESULT_FILES.summary);
      return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
    },
    records() {
      return (records ??= (async () => {
        const out: RequestRecord[] = [];
        for await (const r of jsonLines<RequestRecord>(path.join(dir, RESULT_FILES.requests))) if (only === undefined || r.id === only) out.push(r);
        return out;
      })());
    },
    packets() {
      return (packets ??= (async () => {
        const byRequest = new Map<number, PacketLine[]>();
        for await (const p of jsonLines<PacketLine>(path.join(dir, RESULT_FILES.packets))) {
          if (only !== undefined && p.request !== only) continue;
          let list = byRequest.get(p.request);
          if (!list) byRequest.set(p.request, (list = []));
          list.push(p);
        }
        return byRequest;
      })());
    },
  };
}
