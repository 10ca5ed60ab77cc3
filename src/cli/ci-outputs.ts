/**
 * The CI outputs of the CLI: `llmload run --junit FILE --markdown FILE` (and, in GitHub Actions, the
 * Markdown summary appended to `$GITHUB_STEP_SUMMARY`), and `llmload junit RUN_DIR [--out FILE]
 * [--markdown FILE]` for a run folder already on disk. The content comes from the pure writers in
 * core/report (junit.ts, markdown-summary.ts); this file only checks paths and writes files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { junitXml } from '../core/report/junit';
import { markdownSummary } from '../core/report/markdown-summary';
import type { CiSummary } from '../core/report/ci-summary-data';
import { readRunFolder, RunFolderError } from '../core/viewmodel/run-folder';
import { inCwd, shownPath } from './paths';

export interface CiOutputPaths {
  junit?: string;
  markdown?: string;
}

type Env = Record<string, string | undefined>;

/**
 * Before a run: each output file's folder exists (it is created) and is writable, and the file is no
 * folder, so that a long run never ends without its report. The message for the first that is not, or null.
 */
export function ciOutputProblem(paths: CiOutputPaths, command: string): string | null {
  for (const [flag, file] of [['--junit', paths.junit], ['--markdown', paths.markdown]] as const) {
    if (file === undefined) continue;
    const abs = path.resolve(file);
    try {
      if (file === '' || (fs.existsSync(abs) && fs.statSync(abs).isDirectory())) throw new Error('it is a folder, not a file');
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.accessSync(path.dirname(abs), fs.constants.W_OK);
      if (fs.existsSync(abs)) fs.accessSync(abs, fs.constants.W_OK);
    } catch (e) {
      return `llmload ${command}: cannot write ${flag} ${shownPath(abs)}: ${inCwd((e as Error).message)}`;
    }
  }
  return null;
}

/** The page of the GitHub Actions run this process belongs to, from its default environment variables. */
export function githubRunUrl(env: Env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  return server && repo && id ? `${server.replace(/\/$/, '')}/${repo}/actions/runs/${id}` : undefined;
}

/**
 * Writes the JUnit and Markdown files asked for and, when `GITHUB_STEP_SUMMARY` names a file (GitHub
 * Actions sets it for each step), appends the Markdown summary there. Returns false when an asked-for
 * file could not be written (said on stderr); a step summary that cannot be appended is a warning only.
 */
export function writeCiOutputs(
  summary: CiSummary,
  runDir: string,
  paths: CiOutputPaths,
  io: { out(l: string): void; err(l: string): void },
  env: Env,
  opts: { error?: string; command: string; stepSummary?: boolean },
): boolean {
  let ok = true;
  const shownDir = shownPath(runDir);
  const write = (flag: string, file: string, text: () => string): void => {
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      fs.writeFileSync(file, text());
      io.err(`${flag.slice(2)}: ${shownPath(file)}`);
    } catch (e) {
      io.err(`llmload ${opts.command}: cannot write ${flag} ${shownPath(file)}: ${inCwd((e as Error).message)}`);
      ok = false;
    }
  };
  const markdown = (): string => markdownSummary(summary, { runDir: shownDir, runUrl: githubRunUrl(env), error: opts.error });
  if (paths.junit !== undefined) write('--junit', paths.junit, () => junitXml(summary, { runDir: shownDir, hostname: os.hostname(), error: opts.error }));
  if (paths.markdown !== undefined) write('--markdown', paths.markdown, markdown);
  const step = env.GITHUB_STEP_SUMMARY;
  if (opts.stepSummary && step) {
    try {
      fs.appendFileSync(step, markdown() + '\n');
    } catch (e) {
      io.err(`warning: cannot append the summary to $GITHUB_STEP_SUMMARY (${step}): ${(e as Error).message}`);
    }
  }
  return ok;
}

export const JUNIT_USAGE = 'usage: llmload junit RUN_DIR [--out FILE] [--markdown FILE]';

/**
 * `llmload junit RUN_DIR [--out FILE] [--markdown FILE]`: a saved run's JUnit XML (to stdout without
 * --out) and, with --markdown, its Markdown summary. Exit 0 written, 2 bad arguments or no run summary.
 */
export async function runJunit(args: string[], io: { out(l: string): void; err(l: string): void }, env: Env = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, markdown: { type: 'string' } } });
  } catch (e) {
    io.err(`llmload junit: ${(e as Error).message}\n${JUNIT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.err(`llmload junit: give one run folder\n${JUNIT_USAGE}`);
    return 2;
  }
  let summary: CiSummary | null;
  let dir: string;
  try {
    const info = readRunFolder(positionals[0]!);
    summary = info.summary;
    dir = info.dir;
  } catch (e) {
    if (e instanceof RunFolderError) {
      io.err(`llmload junit: ${inCwd(e.message)}`);
      return 2;
    }
    throw e;
  }
  if (!summary || !Array.isArray(summary.expectations)) {
    io.err(`llmload junit: ${shownPath(dir)} has no summary.json yet (a run still going, or one that never ended)`);
    return 2;
  }
  const problem = ciOutputProblem({ junit: values.out, markdown: values.markdown }, 'junit');
  if (problem) {
    io.err(problem);
    return 2;
  }
  if (values.out === undefined) io.out(junitXml(summary, { runDir: shownPath(dir), hostname: os.hostname() }).trimEnd());
  return writeCiOutputs(summary, dir, { junit: values.out, markdown: values.markdown }, io, env, { command: 'junit' }) ? 0 : 2;
}
