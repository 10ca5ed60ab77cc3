/**
 * `llmload run FILE [--out DIR [--force]] [--target URL] [--download-tokenizer] [--junit FILE]
 * [--markdown FILE]`: exit 0 every expectation holds, 1 one fails, 2 invalid scenario or arguments
 * (an `--out` folder that already holds a run, without `--force`; a --junit or --markdown file that
 * cannot be written), 3 cannot start (a target that cannot be reached or does not get
 * ready within `timeout ready`, or a Hugging Face tokenizer that is not cached and that
 * --download-tokenizer did not allow to download).
 * Everything printed after the scenario is resolved has its secret values redacted.
 */
import path from 'node:path';
import { formatDiagnostic } from '../core/scenario/diagnostics';
import { RunStartError } from '../core/run/runner';
import { threadChoiceLine } from '../core/run/thread-sizing';
import { startScenarioRun, PrepareError, type ScenarioRunStart } from '../core/run/scenario-run';
import { progressLine, readinessLine, summaryText, targetCheckLines } from './format';
import { redactingIO, type CliIO } from './io';
import { shownPath } from './paths';
import { Redactor } from '../core/results/redact';
import { existingRunFiles } from '../core/results/run-dir';
import { DOWNLOAD_FLAG_HINT } from './tokens';
import { ciOutputProblem, writeCiOutputs } from './ci-outputs';

export const EXIT = { ok: 0, expectationFailed: 1, invalid: 2, cannotStart: 3, interrupted: 130 } as const;

export interface RunArgs {
  file: string;
  out?: string;
  /** `--out DIR` holds another run: delete that run's files first (nothing else in DIR). */
  force?: boolean;
  target?: string;
  quiet?: boolean;
  /** The user agreed to download a Hugging Face tokenizer that is not cached. */
  downloadTokenizer?: boolean;
  /** Write the run's expectations as JUnit XML test cases to this file (for CI). */
  junit?: string;
  /** Write a Markdown summary of the run to this file (for a CI job summary; also appended to $GITHUB_STEP_SUMMARY when set). */
  markdown?: string;
}

/** The message for an `--out` folder that holds a run (exit 2). */
export function outInUseMessage(dir: string, files: readonly string[]): string {
  return (
    `llmload run: ${shownPath(dir)} already holds a run (${files.join(', ')}); a second run there would mix both runs' records.\n` +
    `  Give another --out folder, or add --force to delete that run's files first (only llmload's run files; anything else in the folder is kept).`
  );
}

export async function runCommand(args: RunArgs, io: CliIO): Promise<number> {
  const file = path.resolve(args.file);
  const shown = shownPath(file);
  if (args.out !== undefined && !args.force) {
    const existing = existingRunFiles(path.resolve(args.out));
    if (existing.length > 0) {
      io.err(outInUseMessage(args.out, existing));
      return EXIT.invalid;
    }
  }
  const ciProblem = ciOutputProblem({ junit: args.junit, markdown: args.markdown }, 'run');
  if (ciProblem) {
    io.err(ciProblem);
    return EXIT.invalid;
  }
  let started: ScenarioRunStart;
  try {
    started = await startScenarioRun(file, {
      env: process.env,
      secret: (name) => process.env[name],
      outDir: args.out,
      replaceOutDir: args.force ?? false,
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
  if (started.kind === 'invalid') {
    for (const d of started.diagnostics) io.err(formatDiagnostic(shown, d));
    return EXIT.invalid;
  }
  // From here on, what is printed may hold text the server sent back: keep the secrets out of it.
  const redactor = new Redactor(started.secrets);
  io = redactingIO(io, redactor);
  for (const d of started.diagnostics) io.err(formatDiagnostic(shown, d));
  const { plan, handle } = started;
  for (const note of started.notes) io.err(`note: ${note}`);
  io.err(`running ${shown} against ${args.target ?? (plan.target.kind === 'builtin' ? `builtin:${plan.target.profile}` : plan.target.url)} (Ctrl-C stops and keeps the results)`);
  io.err(`  ${threadChoiceLine(handle.threads)}`);
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
  io.out(summaryText(result.summary, shownPath(result.dir)));
  const ciWritten = writeCiOutputs(result.summary, result.dir, { junit: args.junit, markdown: args.markdown }, io, process.env, { error: result.error === undefined ? undefined : redactor.text(result.error), command: 'run', stepSummary: true });
  if (result.error) {
    io.err(`llmload: the run ended on an internal error: ${result.error}`);
    return EXIT.cannotStart;
  }
  if (interrupted) return EXIT.interrupted;
  if (!result.summary.expectations.every((e) => e.pass)) return EXIT.expectationFailed;
  return ciWritten ? EXIT.ok : EXIT.invalid;
}
