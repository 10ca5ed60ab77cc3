/**
 * Where a run's results go: `<root>/<UTC timestamp>-<scenario slug>/` (a suffix `-2`… when that
 * name is taken), or a folder the user names, which must not hold another run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RUN_FILE_NAMES } from './writer';

export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return s || 'scenario';
}

/** `20261128T023312Z`-style stamp, sortable, safe in file names on every OS. */
export function utcStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function runDirFor(root: string, scenario: string, when: Date): string {
  return path.join(root, `${utcStamp(when)}-${slug(scenario)}`);
}

export const DEFAULT_RESULTS_ROOT = path.join('.llmload', 'runs');

/** A folder given for a run (`--out DIR`) that already holds another run's files. */
export class RunDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly files: readonly string[],
  ) {
    super(`${dir} already holds a run (${files.join(', ')})`);
    this.name = 'RunDirInUseError';
  }
}

/** The names of a run's files (RUN_FILE_NAMES) present in `dir`; empty when it holds no run or does not exist. */
export function existingRunFiles(dir: string, names: readonly string[] = RUN_FILE_NAMES): string[] {
  return names.filter((n) => fs.existsSync(path.join(dir, n)));
}

/**
 * Makes `dir` ready for a new run. A folder holding a run's files is refused (RunDirInUseError)
 * unless `replace`, which deletes those files only (RUN_FILE_NAMES): anything else in the folder
 * is kept. Two runs never share a folder's records.
 */
export function claimRunDir(dir: string, opts: { replace?: boolean } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const files = existingRunFiles(dir);
  if (files.length > 0 && !opts.replace) throw new RunDirInUseError(dir, files);
  for (const f of files) fs.rmSync(path.join(dir, f), { force: true });
  return dir;
}

/**
 * Creates a new run folder `<root>/<UTC stamp>-<slug>` and returns it. The stamp has one-second
 * steps, so a folder of that name already there (another run started in the same second, in this
 * process or another) gets a suffix `-2`, `-3`…: the folder is created with a non-recursive mkdir,
 * which fails when the name is taken, so two runs can never get the same one.
 */
export function freshRunDir(root: string, scenario: string, when: Date): string {
  fs.mkdirSync(root, { recursive: true });
  const base = runDirFor(root, scenario, when);
  for (let i = 1; i < 10_000; i++) {
    const dir = i === 1 ? base : `${base}-${i}`;
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`cannot create a run folder under ${root}: ${base} and 9,999 suffixed names are taken`);
}
