// A scenario's text resolved as the editor would: its plan and every diagnostic as
// `LINE:COL-LINE:COL severity: message` (1-based), with ` [fix: TEXT]` when `fixes` is set.
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import type { RunPlan } from '../../src/core/scenario/plan';

export function scenarioDiags(text: string, opts: { fixes?: boolean } = {}): { plan?: RunPlan; diags: string[] } {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: () => undefined });
  const diags = [...p.diagnostics, ...r.diagnostics].map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}${opts.fixes && d.fix ? ` [fix: ${d.fix.text}]` : ''}`,
  );
  return { plan: r.plan, diags };
}

/** A `load` line in a scenario with a builtin target and one prompt: its load plan and diagnostics. */
export function resolveLoadLine(loadLine: string): { load?: unknown; diags: string[] } {
  const { plan, diags } = scenarioDiags(`target builtin:chat\n${loadLine}\nprompt "p"\n  user hi\n`);
  return { load: plan?.load, diags };
}
