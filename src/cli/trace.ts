/**
 * `llmload trace RUN_DIR [--request ID] [--format perfetto|jsonl] [--out FILE]`: a run's requests and
 * packets as a Chrome/Perfetto trace, or as one JSON line per packet with absolute times.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import type { RequestRecord } from '../core/metrics/record';
import { buildChromeTrace, type PacketLine } from '../core/results/trace-export';
import { RESULT_FILES } from '../core/results/writer';
import type { CliIO } from './io';
import { shownPath } from './paths';

async function* jsonLines<T>(file: string): AsyncGenerator<T> {
  if (!fs.existsSync(file)) return;
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) yield JSON.parse(line) as T;
}

export async function runTrace(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { request: { type: 'string' }, format: { type: 'string', default: 'perfetto' }, out: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    io.err(`llmload trace: give one run folder, e.g. llmload trace ${path.join('.llmload', 'runs', '20261128T101500Z-my-scenario')}`);
    return 2;
  }
  const dir = positionals[0]!;
  if (!fs.existsSync(path.join(dir, RESULT_FILES.requests))) {
    io.err(`llmload trace: ${shownPath(dir)} is not a run folder (no ${RESULT_FILES.requests})`);
    return 2;
  }
  if (values.format !== 'perfetto' && values.format !== 'jsonl') {
    io.err(`llmload trace: --format is perfetto or jsonl, got "${values.format}"`);
    return 2;
  }
  const only = values.request === undefined ? undefined : Number(values.request);
  if (only !== undefined && !Number.isInteger(only)) {
    io.err(`llmload trace: --request takes a request id (a whole number), got "${values.request}"`);
    return 2;
  }
  const records: RequestRecord[] = [];
  for await (const r of jsonLines<RequestRecord>(path.join(dir, RESULT_FILES.requests))) if (only === undefined || r.id === only) records.push(r);
  if (only !== undefined && records.length === 0) {
    io.err(`llmload trace: no request ${only} in ${shownPath(dir)}`);
    return 2;
  }
  const packets = new Map<number, PacketLine[]>();
  for await (const p of jsonLines<PacketLine>(path.join(dir, RESULT_FILES.packets))) {
    if (only !== undefined && p.request !== only) continue;
    let list = packets.get(p.request);
    if (!list) packets.set(p.request, (list = []));
    list.push(p);
  }
  let text: string;
  if (values.format === 'perfetto') {
    const summaryFile = path.join(dir, RESULT_FILES.summary);
    const meta = fs.existsSync(summaryFile) ? (({ scenario, target, started_at }) => ({ scenario, target, started_at }))(JSON.parse(fs.readFileSync(summaryFile, 'utf8'))) : {};
    text = JSON.stringify(buildChromeTrace(records, packets, meta));
  } else {
    const byId = new Map(records.map((r) => [r.id, r]));
    const lines: string[] = [];
    for (const [id, ps] of packets) {
      const r = byId.get(id);
      if (!r) continue;
      for (const p of ps) lines.push(JSON.stringify({ request: id, prompt: r.prompt, run_ms: r.offset_ms + p.t_ms, epoch_ms: r.start_ms + p.t_ms, t_ms: p.t_ms, kind: p.kind, bytes: p.bytes, text: p.text }));
    }
    text = lines.join('\n') + (lines.length ? '\n' : '');
  }
  if (values.out) {
    fs.writeFileSync(values.out, text);
    io.err(`wrote ${shownPath(values.out)}`);
  } else {
    io.out(text.trimEnd());
  }
  return 0;
}
