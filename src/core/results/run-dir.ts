/** Where a run's results go: `<root>/<UTC timestamp>-<scenario slug>/`. */
import path from 'node:path';

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
