/** `${secret:NAME}` references of a scenario, and redaction of secret values from text. No `vscode` import. */
import fs from 'node:fs';
import path from 'node:path';
import type { ScenarioTree } from '../../core/scenario/tree';

/** Every secret name referenced anywhere in the tree, in order of first use. */
export function secretNames(tree: ScenarioTree): string[] {
  const names = new Set<string>();
  const visit = (v: unknown, depth: number): void => {
    if (!v || typeof v !== 'object' || depth > 12) return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    if (o.namespace === 'secret' && typeof o.name === 'string') names.add(o.name);
    for (const [k, x] of Object.entries(o)) if (k !== 'range' && typeof x === 'object') visit(x, depth + 1);
  };
  visit(tree.statements, 0);
  return [...names];
}

/** Replaces every occurrence of each secret value (of 4+ characters) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

/**
 * Replaces secret values in every file of a run folder (a safety net behind the writer's own
 * redaction, which knows header names but not which values came from `${secret:NAME}`).
 * Returns the files that had to be changed.
 */
export function scrubRunFolder(dir: string, secrets: readonly string[]): string[] {
  const values = secrets.filter((s) => s.length >= 4);
  if (values.length === 0 || !fs.existsSync(dir)) return [];
  const changed: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      changed.push(...scrubRunFolder(p, values));
      continue;
    }
    if (!e.isFile()) continue;
    const buf = fs.readFileSync(p);
    if (!values.some((v) => buf.includes(v))) continue;
    fs.writeFileSync(p, redact(buf.toString('utf8'), values));
    changed.push(p);
  }
  return changed;
}
