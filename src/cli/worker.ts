/**
 * `llmload worker FILE --master HOST[:5557] [--out DIR [--force]] [--target URL] [--quiet]`: joins a
 * Locust master as one of its workers (see ../core/locust). The master decides how many users this
 * process runs and when; the scenario decides what they send. Each test the master runs is one
 * llmload run with its own complete folder: `--out DIR` for the first, `DIR-2`, `DIR-3`… for the
 * next ones in the same process (by default new folders under .llmload/runs).
 *
 * Exit 0 when the master said quit (or the scenario's own stop condition ended the test), 2 on an
 * invalid scenario or arguments, 3 when the master never answered or went away, 130 on Ctrl-C.
 */
import path from 'node:path';
import { LocustWorker, type LocustTest } from '../core/locust/worker';
import { parseMasterAddress } from '../core/locust/protocol';
import { startScenarioRun, PrepareError } from '../core/run/scenario-run';
import { RunStartError } from '../core/run/runner';
import { existingRunFiles } from '../core/results/run-dir';
import { formatDiagnostic } from '../core/scenario/diagnostics';
import { runCheck } from './check';
import { progressLine, summaryText } from './format';
import type { CliIO } from './io';
import { shownPath } from './paths';
import { outInUseMessage, EXIT } from './run';

export interface WorkerArgs {
  file: string;
  master: string;
  out?: string;
  force?: boolean;
  target?: string;
  quiet?: boolean;
  downloadTokenizer?: boolean;
  /** Seconds without the master (no heartbeat from a newer master, or no connection) before quitting; default 60. */
  masterTimeoutS?: number;
}

/** The folder of the k-th test (1-based) of this process: DIR, DIR-2, DIR-3… */
export function testOutDir(out: string | undefined, k: number): string | undefined {
  if (out === undefined) return undefined;
  return k === 1 ? out : `${out.replace(/[\\/]+$/, '')}-${k}`;
}

export async function workerCommand(args: WorkerArgs, io: CliIO): Promise<number> {
  const file = path.resolve(args.file);
  const shown = shownPath(file);
  let master: { host: string; port: number };
  try {
    master = parseMasterAddress(args.master);
  } catch (e) {
    io.err(`llmload worker: ${(e as Error).message}`);
    return EXIT.invalid;
  }
  // The same diagnostics as `llmload check`, and what the load shape becomes under a master.
  if (runCheck([file], io, { underMaster: true }) !== 0) return EXIT.invalid;
  if (args.out !== undefined && !args.force) {
    const existing = existingRunFiles(path.resolve(args.out));
    if (existing.length > 0) {
      io.err(outInUseMessage(args.out, existing).replace('llmload run:', 'llmload worker:'));
      return EXIT.invalid;
    }
  }

  let k = 0;
  const startTest = async (onRecords: (r: readonly import('../core/metrics/record').RequestRecord[]) => void): Promise<LocustTest> => {
    k++;
    let started;
    try {
      started = await startScenarioRun(file, {
        env: process.env,
        secret: (name) => process.env[name],
        outDir: testOutDir(args.out, k),
        replaceOutDir: args.force ?? false,
        targetOverride: args.target,
        external: true,
        onRecords,
        onProgress: args.quiet ? undefined : (p) => io.progress(progressLine(p)),
        allowDownload: args.downloadTokenizer ?? false,
        failOnTokenizerDownload: true,
      });
    } catch (e) {
      if (e instanceof PrepareError || e instanceof RunStartError) throw new Error(e.message);
      throw e;
    }
    if (started.kind === 'invalid') {
      for (const d of started.diagnostics) io.err(formatDiagnostic(shown, d));
      throw new Error(`${shown} is not a valid scenario`);
    }
    const { handle } = started;
    io.err(`test ${k}: results in ${shownPath(handle.dir)}`);
    const done = handle.done.then((result) => {
      io.progressDone();
      io.out(summaryText(result.summary, shownPath(result.dir)));
      if (result.error) io.err(`llmload: the run ended on an internal error: ${result.error}`);
      return result;
    });
    let stopping = false;
    return {
      setUsers: (n) => handle.setUsers(n),
      async stop(graceMs) {
        stopping = true;
        if (graceMs > 0) {
          handle.setUsers(0);
          await Promise.race([done, new Promise((r) => setTimeout(r, graceMs))]);
        }
        handle.stop('stopped');
        await done;
      },
      // Only an end the worker did not ask for: a stop condition of the scenario.
      ended: done.then((r) => (stopping ? new Promise<string>(() => {}) : r.summary.ended_by)),
    };
  };

  const worker = new LocustWorker({
    host: master.host,
    port: master.port,
    startTest,
    log: (line) => io.err(line),
    masterTimeoutMs: args.masterTimeoutS !== undefined ? args.masterTimeoutS * 1000 : undefined,
  });
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    io.progressDone();
    io.err('stopping: ending the test, keeping its results, leaving the master (Ctrl-C again to quit at once)');
    void worker.quit('interrupted');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  io.err(`joining the Locust master at ${master.host}:${master.port} (Ctrl-C leaves it and keeps the results)`);
  try {
    await worker.start();
  } catch (e) {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    io.err(`llmload worker: ${(e as Error).message}`);
    return EXIT.cannotStart;
  }
  const end = await worker.finished;
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigint);
  if (end === 'interrupted') return EXIT.interrupted;
  if (end === 'master-timeout' || end === 'no-master') return EXIT.cannotStart;
  return EXIT.ok;
}
