/**
 * `llmload trace RUN_DIR [--request ID] [--format perfetto|jsonl] [--out FILE]`: a run's requests and
 * packets as a Chrome/Perfetto trace, or as one JSON line per packet with absolute times. The
 * formats are those the exporter registry gives the `trace` command (../core/exporters).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exporterNamed, exportersFor, hasRecords, openRun } from '../core/exporters';
import { RESULT_FILES } from '../core/results/writer';
import type { CliIO } from './io';
import { shownPath } from './paths';

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
  if (!hasRecords(dir)) {
    io.err(`llmload trace: ${shownPath(dir)} is not a run folder (no ${RESULT_FILES.requests})`);
    return 2;
  }
  const format = exporterNamed('trace', values.format);
  if (!format) {
    io.err(`llmload trace: --format is ${exportersFor('trace').map((f) => f.name).join(' or ')}, got "${values.format}"`);
    return 2;
  }
  const only = values.request === undefined ? undefined : Number(values.request);
  if (only !== undefined && !Number.isInteger(only)) {
    io.err(`llmload trace: --request takes a request id (a whole number), got "${values.request}"`);
    return 2;
  }
  const run = openRun(dir, only);
  if (only !== undefined && (await run.records()).length === 0) {
    io.err(`llmload trace: no request ${only} in ${shownPath(dir)}`);
    return 2;
  }
  const { text } = await format.export(run, {});
  if (values.out) {
    fs.writeFileSync(values.out, text);
    io.err(`wrote ${shownPath(values.out)}`);
  } else {
    io.out(text.trimEnd());
  }
  return 0;
}
