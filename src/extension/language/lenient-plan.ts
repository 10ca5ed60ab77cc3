/**
 * A plan good enough to count tokens while the file has errors. Typing leaves half-written lines
 * everywhere; counts must not vanish for every prompt because one line elsewhere is broken.
 *
 * How: resolve the text; when it does not resolve, blank out (line numbers kept) every top-level
 * block that holds an error, and resolve again, a few rounds (a broken `var` breaks the prompts that
 * use it, which are blanked in the next round). Directives the counting needs but that were blanked
 * or are still missing come back from the last good resolution of the same file (api, model,
 * tokenizer), or from harmless placeholders (target, load) that the counts do not depend on.
 * A prompt whose own lines are broken is blanked, so it gets no count rather than a stale one.
 * No `vscode` import.
 */
import { parseScenario, resolvePlan } from '../../core/scenario';
import type { Diagnostic, Range } from '../../core/scenario/diagnostics';
import type { RunPlan } from '../../core/scenario/plan';
import type { ScenarioTree, TopNode } from '../../core/scenario/tree';

/** What the counting took from the last time the same file resolved. */
export interface LastGoodResolution {
  api?: string;
  model?: string;
  tokenizer?: string;
}

export interface LenientResolution {
  /** The plan (of the repaired text when `repaired`); undefined when nothing could be saved. */
  plan?: RunPlan;
  /** The tree the plan came from; its subjects keep the original line numbers. */
  tree: ScenarioTree;
  /** True when blocks were blanked or directives borrowed to get a plan. */
  repaired: boolean;
  /** 0-based first lines of the top-level blocks left out because they hold errors. */
  droppedLines: number[];
  /** Which directives came from the last good resolution. */
  borrowed: (keyof LastGoodResolution)[];
}

const MAX_ROUNDS = 6;
/** A target and load no request is ever sent to: the counts never depend on them. */
const PLACEHOLDER_TARGET = 'target http://127.0.0.1:9/v1';
const PLACEHOLDER_LOAD = 'load users 1 for 1s';

function errorLines(diags: readonly Diagnostic[]): number[] {
  return diags.filter((d) => d.severity === 'error').map((d) => d.range.start.line);
}

function lastLine(r: Range): number {
  return r.end.character === 0 && r.end.line > r.start.line ? r.end.line - 1 : r.end.line;
}

function statementAt(tree: ScenarioTree, line: number): TopNode | undefined {
  return tree.statements.find((s) => s.range.start.line <= line && line <= lastLine(s.range));
}

/** A safe single-line value: words without quotes or variables, as the last good plan had them. */
const plainValue = (v: string | undefined): v is string => typeof v === 'string' && v.length > 0 && /^[^\s"#${}]+$/.test(v);

export function resolveLeniently(
  text: string,
  file: string,
  env: Record<string, string | undefined> = process.env,
  lastGood: LastGoodResolution = {},
): LenientResolution {
  const resolve = (t: string) => {
    const parsed = parseScenario(t, file);
    const resolved = resolvePlan(parsed.tree, { file, env, secret: () => '<secret>' });
    return { tree: parsed.tree, plan: resolved.plan, diagnostics: [...parsed.diagnostics, ...resolved.diagnostics] };
  };
  const first = resolve(text);
  if (first.plan) return { plan: first.plan, tree: first.tree, repaired: false, droppedLines: [], borrowed: [] };

  const originalLineCount = text.split(/\r\n|\r|\n/).length;
  let lines = text.split(/\r\n|\r|\n/).slice(0, originalLineCount);
  const dropped = new Set<number>();
  const droppedKinds = new Set<string>();
  let current = first;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    for (const line of errorLines(current.diagnostics)) {
      if (line >= originalLineCount) continue; // on an added directive: handled below
      const s = statementAt(current.tree, line);
      const from = s ? s.range.start.line : line;
      const to = s ? Math.min(lastLine(s.range), originalLineCount - 1) : line;
      if (s) droppedKinds.add(s.kind);
      if (!dropped.has(from) && s) dropped.add(from);
      for (let i = from; i <= to; i++) {
        if (lines[i] !== '') {
          lines[i] = '';
          changed = true;
        }
      }
    }
    // Directives the plan needs, after the original lines (so no line number moves).
    const kept = new Set(parseScenario(lines.join('\n'), file).tree.statements.map((s) => s.kind));
    const extra: string[] = [];
    const borrowed: (keyof LastGoodResolution)[] = [];
    for (const k of ['api', 'model', 'tokenizer'] as const) {
      if (!kept.has(k) && (droppedKinds.has(k) || k !== 'tokenizer') && plainValue(lastGood[k])) {
        extra.push(`${k} ${lastGood[k]}`);
        borrowed.push(k);
      }
    }
    if (!kept.has('target')) extra.push(PLACEHOLDER_TARGET);
    if (!kept.has('model') && !borrowed.includes('model')) extra.push('model unknown');
    if (!kept.has('load')) extra.push(PLACEHOLDER_LOAD);
    const candidate = [...lines, ...extra].join('\n');
    current = resolve(candidate);
    if (current.plan) {
      const ownNames = new Set(
        (first.tree.statements.filter((s) => s.kind === 'prompt') as Extract<TopNode, { kind: 'prompt' }>[]).map((p) => p.name?.text).filter((n) => n !== undefined),
      );
      // Nothing left to count is not a rescue.
      if (ownNames.size > 0 && current.plan.prompts.length === 0 && current.plan.datasets.length === 0) break;
      return { plan: current.plan, tree: current.tree, repaired: true, droppedLines: [...dropped].sort((a, b) => a - b), borrowed };
    }
    if (!changed && round > 0) break;
  }
  return { tree: first.tree, repaired: true, droppedLines: [...dropped].sort((a, b) => a - b), borrowed: [] };
}
