/**
 * `llmload compare RUN_A RUN_B [--min-effect 5%] [--confidence 95%] [--fail-if "ttft p95 +10%"]... [--json]`:
 * exit 0, 1 when a gate is crossed, 2 on bad input.
 */
import { parseArgs } from 'node:util';
import { evaluateGate, parseGate, type Gate } from '../core/compare/gates';
import { compareRunFolders } from '../core/compare/runs';
import { comparisonText, gatesText } from '../core/compare/text-table';
import { RunFolderError } from '../core/viewmodel/run-folder';
import { inCwd, shownPath } from './paths';

export const COMPARE_USAGE = 'usage: llmload compare RUN_A RUN_B [--min-effect 5%] [--confidence 95%] [--fail-if "ttft p95 +10%"]... [--json]';

/** `5%`, `5` (percent) or `0.05` → 0.05; an error message for anything else or outside [lo, hi). */
export function parsePercent(text: string, flag: string, lo: number, hi: number): number | { error: string } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const v = m ? (m[2] || Number(m[1]) >= 1 ? Number(m[1]) / 100 : Number(m[1])) : NaN;
  if (!Number.isFinite(v) || v < lo || v >= hi) return { error: `${flag} takes a percentage from ${lo * 100}% to below ${hi * 100}%, e.g. "${flag} ${flag === '--confidence' ? '95%' : '5%'}"; got "${text}"` };
  return v;
}

export async function runCompare(args: string[], io: { out(l: string): void; err(l: string): void }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { 'fail-if': { type: 'string', multiple: true }, json: { type: 'boolean' }, 'min-effect': { type: 'string' }, confidence: { type: 'string' } } });
  } catch (e) {
    io.err(`llmload compare: ${(e as Error).message}\n${COMPARE_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 2) {
    io.err(`llmload compare: give exactly two run folders\n${COMPARE_USAGE}`);
    return 2;
  }
  const gates: Gate[] = [];
  for (const g of values['fail-if'] ?? []) {
    const r = parseGate(g);
    if ('error' in r) {
      io.err(`llmload compare: ${r.error}`);
      return 2;
    }
    gates.push(r);
  }
  const minEffect = values['min-effect'] === undefined ? undefined : parsePercent(values['min-effect'], '--min-effect', 0, 1);
  const confidence = values.confidence === undefined ? undefined : parsePercent(values.confidence, '--confidence', 0.5, 1);
  for (const x of [minEffect, confidence]) {
    if (typeof x === 'object') {
      io.err(`llmload compare: ${x.error}`);
      return 2;
    }
  }
  let cmp;
  try {
    cmp = compareRunFolders(shownPath(positionals[0]!), shownPath(positionals[1]!), { minEffect: minEffect as number | undefined, confidence: confidence as number | undefined });
  } catch (e) {
    if (e instanceof RunFolderError) {
      io.err(`llmload compare: ${inCwd(e.message)}`);
      return 2;
    }
    throw e;
  }
  const results = gates.map((g) => evaluateGate(g, cmp));
  if (values.json) io.out(JSON.stringify({ ...cmp, gates: results }, null, 2));
  else for (const l of [...comparisonText(cmp), ...gatesText(results)]) io.out(l);
  const crossed = results.filter((r) => r.crossed);
  if (crossed.length > 0) {
    io.err(`llmload compare: ${crossed.length} gate(s) crossed: ${crossed.map((r) => r.gate.text).join('; ')}`);
    return 1;
  }
  return 0;
}
