/**
 * `llmload run FILE [--out DIR] [--target URL] [--download-tokenizer]`: exit 0 every expectation
 * holds, 1 one fails, 2 invalid scenario, 3 cannot start (a target that cannot be reached or does not
 * get ready within `timeout ready`, or a
 * Hugging Face tokenizer that is not cached and that --download-tokenizer did not allow to download).
 */
import path from 'node:path';
import { formatDiagnostic } from '../core/scenario/diagnostics';
import { RunStartError } from '../core/run/runner';
import { startScenarioRun, PrepareError, type ScenarioRunStart } from '../core/run/scenario-run';
import { progressLine, readinessLine, summaryText, targetCheckLines } from './format';
import type { CliIO } from './io';
import { DOWNLOAD_FLAG_HINT } from './tokens';

export const EXIT = { ok: 0, expectationFailed: 1, invalid: 2, cannotStart: 3, interrupted: 130 } as const;

export interface RunArgs {
  file: string;
  out?: string;
  target?: string;
  quiet?: boolean;
  /** The user agreed to download a Hugging Face tokenizer that is not cached. */
  downloadTokenizer?: boolean;
}

export async function runCommand(args: RunArgs, io: CliIO): Promise<number> {
  const file = path.resolve(args.file);
  const shown = path.relative(process.cwd(), file) || file;
  let started: ScenarioRunStart;
  try {
    started = await startScenarioRun(file, {
      env: process.env,
      secret: (name) => process.env[name],
      outDir: args.out,
      targetOverride: args.target,
      onProgress: args.quiet ? undefined : (p) => io.progress(progressLine(p)),
      allowDownload: args.downloadTokenizer ?? false,
      // The scenario names a tokenizer: without its files, say how to get them rather than run uncounted.
      failOnTokenizerDownload: true,
      onReadinessWait: args.quiet ? undefined : (w) => io.progress(readinessLine(w)),
      onTargetCheck: (c) => {
        io.progressDone();
        for (const line of targetCheckLines(c)) io.err(line);
      },
    });
  } catch (e) {
    if (e instanceof PrepareError && (e.tokenizerCode === 'needs-download' || e.tokenizerCode === 'download-failed')) {
      io.err(`${shown}: error: ${e.message}`);
      if (e.tokenizerCode === 'needs-download') io.err(DOWNLOAD_FLAG_HINT);
      return EXIT.cannotStart;
    }
    if (e instanceof PrepareError) {
      io.err(`${shown}: error: ${e.message}`);
      return EXIT.invalid;
    }
    if (e instanceof RunStartError) {
      io.err(`llmload: ${e.message}`);
      return EXIT.cannotStart;
    }
    throw e;
  }
  for (const d of started.diagnostics) io.err(formatDiagnostic(shown, d));
  if (started.kind === 'invalid') return EXIT.invalid;
  const { plan, handle } = started;
  for (const note of started.notes) io.err(`note: ${note}`);
  io.err(`running ${shown} against ${args.target ?? (plan.target.kind === 'builtin' ? `builtin:${plan.target.profile}` : plan.target.url)} (Ctrl-C stops and keeps the results)`);
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    io.progressDone();
    io.err('stopping: aborting open streams, keeping the results measured so far (Ctrl-C again to quit at once)');
    handle.stop('stopped');
  };
  process.on('SIGINT', onSigint);
  const result = await handle.done;
  process.off('SIGINT', onSigint);
  io.progressDone();
  io.out(summaryText(result.summary, path.relative(process.cwd(), result.dir) || result.dir));
  if (result.error) {
    io.err(`llmload: the run ended on an internal error: ${result.error}`);
    return EXIT.cannotStart;
  }
  if (interrupted) return EXIT.interrupted;
  return result.summary.expectations.every((e) => e.pass) ? EXIT.ok : EXIT.expectationFailed;
}
