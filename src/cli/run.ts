/** `llmload run FILE [--out DIR] [--target URL]`: exit 0 every expectation holds, 1 one fails, 2 invalid scenario, 3 cannot start. */
import path from 'node:path';
import { formatDiagnostic } from '../core/scenario/diagnostics';
import { loadScenario } from '../core/scenario';
import { startRun, RunStartError } from '../core/run/runner';
import { prepareRun, PrepareError, type PreparedRun } from '../core/prepare/prompts';
import { TokenizeClient } from '../core/tokenize/client';
import { progressLine, summaryText } from './format';
import type { CliIO } from './io';

export const EXIT = { ok: 0, expectationFailed: 1, invalid: 2, cannotStart: 3, interrupted: 130 } as const;

export interface RunArgs {
  file: string;
  out?: string;
  target?: string;
  quiet?: boolean;
}

export async function runCommand(args: RunArgs, io: CliIO): Promise<number> {
  const file = path.resolve(args.file);
  const { text, plan, diagnostics } = loadScenario(file, { env: process.env, secret: (name) => process.env[name] });
  const shown = path.relative(process.cwd(), file) || file;
  for (const d of diagnostics) io.err(formatDiagnostic(shown, d));
  if (!plan) return EXIT.invalid;

  let prepared: PreparedRun;
  const tokenize = new TokenizeClient();
  try {
    prepared = await prepareRun(plan, { tokenize });
  } catch (e) {
    if (!(e instanceof PrepareError)) throw e;
    io.err(`${shown}: error: ${e.message}`);
    return EXIT.invalid;
  } finally {
    await tokenize.close();
  }
  for (const note of prepared.notes) io.err(`note: ${note}`);

  let handle;
  try {
    handle = await startRun(prepared.plan, {
      inputTokens: prepared.inputTokens, outDir: args.out, targetOverride: args.target, scenarioText: text, onProgress: args.quiet ? undefined : (p) => io.progress(progressLine(p)) });
  } catch (e) {
    if (e instanceof RunStartError) {
      io.err(`llmload: ${e.message}`);
      return EXIT.cannotStart;
    }
    throw e;
  }
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
