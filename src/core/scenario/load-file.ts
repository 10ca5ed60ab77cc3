/** Reading a scenario file and turning it into a plan in one step. */
import fs from 'node:fs';
import type { Diagnostic } from './diagnostics';
import { parseScenario } from './parser';
import type { RunPlan } from './plan';
import { resolvePlan, type ResolveOptions } from './resolver';

/** Reads, parses and resolves a scenario file. A missing file is a diagnostic; never throws. */
export function loadScenario(absPath: string, opts: Omit<ResolveOptions, 'file'> = {}): { text: string; plan?: RunPlan; diagnostics: Diagnostic[] } {
  let text: string | undefined;
  let reason = '';
  try {
    text = opts.readFile ? opts.readFile(absPath) : fs.readFileSync(absPath, 'utf8');
  } catch (e) {
    reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
  }
  if (text === undefined) {
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { text: '', diagnostics: [{ severity: 'error', range, message: `cannot read ${absPath}: ${reason || 'no such file'}` }] };
  }
  const parsed = parseScenario(text, absPath);
  const resolved = resolvePlan(parsed.tree, { ...opts, file: absPath });
  return { text, plan: resolved.plan, diagnostics: [...parsed.diagnostics, ...resolved.diagnostics] };
}
