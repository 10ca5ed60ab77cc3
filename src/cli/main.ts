/** The `llmload` command line: run, check, sim. */
import { parseArgs } from 'node:util';
import { runCheck } from './check';
import { runJunit } from './ci-outputs';
import { runCompare } from './compare';
import { mirrorCommand } from './mirror';
import { runReport } from './report';
import { processIO, type CliIO } from './io';
import { runCommand } from './run';
import { simCommand } from './sim';
import { runTokens } from './tokens';
import { runTrace } from './trace';
import { runMerge } from './merge';
import { exportersFor } from '../core/exporters';

const USAGE = `usage:
  llmload run FILE [--out DIR [--force]] [--target URL] [--quiet] [--download-tokenizer] [--junit FILE] [--markdown FILE]
                                                          run a scenario; exit 0 pass, 1 an expectation failed, 2 invalid, 3 cannot start
    --out DIR: the run's folder; one that already holds a run is refused (exit 2) unless --force,
               which deletes that run's files first (other files in DIR are kept)
    --junit FILE: each expectation as a JUnit test case; --markdown FILE: a Markdown summary for a CI job
               page (in GitHub Actions also appended to $GITHUB_STEP_SUMMARY)
  llmload check [--worker] FILE...                        print diagnostics; exit 2 on any error
    --worker: also what the scenario becomes under a Locust master (llmload worker)
  llmload compare RUN_A RUN_B [--min-effect 5%] [--confidence 95%] [--fail-if "ttft p95 +10%"]... [--json]
                                                          compare two runs; exit 1 when a gate is crossed
  llmload report RUN_DIR --html FILE                      one self-contained HTML report of a run
    --compare BASELINE_RUN_DIR: the report's Compare tab shows this run against that one
  llmload junit RUN_DIR [--out FILE] [--markdown FILE]   a saved run as JUnit XML (stdout without --out), and its Markdown summary
  llmload tokens FILE... [--download-tokenizer]           token counts per prompt and dataset, limit checks
    --download-tokenizer: a Hugging Face model id not in the local cache may be downloaded (tokenizer files only)
  llmload trace RUN_DIR [--request ID] [--format ${exportersFor('trace').map((e) => e.name).join('|')}] [--out FILE]
                                                          a run as a Chrome/Perfetto trace, or packets as JSON lines
  llmload worker FILE --master HOST[:5557] [--out DIR [--force]] [--target URL] [--quiet] [--master-timeout S]
                                                          run the scenario's users as a worker of a Locust master (docs/distributed.md)
  llmload merge RUN_DIR RUN_DIR... --out DIR [--force]      one run from the folders of a test's workers: counts summed, exact percentiles
  llmload mirror --listen HOST:PORT --primary URL --shadow URL [--sample 10%] [--out DIR] [--capture FILE] ...
                                                          proxy live traffic to the primary, copy a sample to a shadow, compare (docs/mirror.md)
  llmload sim [--port N] [--profile chat|reasoning] [--host H] [--seed S]
                                                          run the built-in simulator alone`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { out: { type: 'string' }, force: { type: 'boolean' }, target: { type: 'string' }, quiet: { type: 'boolean' }, 'download-tokenizer': { type: 'boolean' }, junit: { type: 'string' }, markdown: { type: 'string' } },
        });
        if (positionals.length !== 1) {
          io.err('llmload run: give exactly one scenario file\n' + USAGE);
          return 2;
        }
        return await runCommand(
          { file: positionals[0]!, out: values.out, force: values.force, target: values.target, quiet: values.quiet, downloadTokenizer: values['download-tokenizer'], junit: values.junit, markdown: values.markdown },
          io,
        );
      }
      case 'check': {
        if (rest.length === 0) {
          io.err('llmload check: give one or more scenario files');
          return 2;
        }
        // --worker: as `llmload worker` will run them, under a Locust master (their load shape is ignored).
        if (rest.includes('--worker')) return runCheck(rest.filter((f) => f !== '--worker'), io, { underMaster: true });
        return runCheck(rest, io);
      }
      case 'tokens': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { 'download-tokenizer': { type: 'boolean' } } });
        if (positionals.length === 0) {
          io.err('llmload tokens: give one or more scenario files');
          return 2;
        }
        return await runTokens(positionals, io, { allowDownload: values['download-tokenizer'] });
      }
      case 'trace':
        return await runTrace(rest, io);
      case 'worker': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            master: { type: 'string' },
            out: { type: 'string' },
            force: { type: 'boolean' },
            target: { type: 'string' },
            quiet: { type: 'boolean' },
            'download-tokenizer': { type: 'boolean' },
            'master-timeout': { type: 'string' },
          },
        });
        if (positionals.length !== 1 || !values.master) {
          io.err('llmload worker: give exactly one scenario file and --master HOST[:PORT]\n' + USAGE);
          return 2;
        }
        const timeout = values['master-timeout'] === undefined ? undefined : Number(values['master-timeout']);
        if (timeout !== undefined && !(timeout > 0)) {
          io.err(`llmload worker: --master-timeout wants a number of seconds above 0, got "${values['master-timeout']}"`);
          return 2;
        }
        // Loaded on demand: it brings zeromq's native addon, which no other command needs.
        const { workerCommand } = await import('./worker');
        return await workerCommand(
          { file: positionals[0]!, master: values.master, out: values.out, force: values.force, target: values.target, quiet: values.quiet, downloadTokenizer: values['download-tokenizer'], masterTimeoutS: timeout },
          io,
        );
      }
      case 'compare':
        return await runCompare(rest, io);
      case 'report':
        return await runReport(rest, io);
      case 'junit':
        return await runJunit(rest, io);
      case 'merge':
        return await runMerge(rest, io);
      case 'mirror':
        // The mirror is this process's only work: all of its threads but the proxy's yield the core.
        return await mirrorCommand(rest, io, process.env, { ownProcess: true });
      case 'sim': {
        const { values } = parseArgs({
          args: rest,
          options: { port: { type: 'string' }, host: { type: 'string' }, profile: { type: 'string' }, seed: { type: 'string' } },
        });
        return await simCommand(values, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.err(`llmload: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`llmload ${command}: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

/** Runs the CLI on this process's arguments and sets its exit code. */
export function cliEntry(): void {
  main(process.argv.slice(2), processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`llmload: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 3;
    },
  );
}

if (require.main === module) cliEntry();
