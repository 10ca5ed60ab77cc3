/** `llmload compare RUN_A RUN_B [--fail-if "ttft p95 +10%"]... [--json]`: exit 0, 1 when a gate is crossed, 2 on bad input. */
import { parseArgs } from 'node:util';
import { evaluateGate, parseGate, type Gate } from '../core/compare/gates';
import { compareRunFolders } from '../core/compare/runs';
import { comparisonText, gatesText } from '../core/compare/text-table';
import { RunFolderError } from '../core/viewmodel/run-folder';
import { inCwd, shownPath } from './paths';

export const COMPARE_USAGE = 'usage: llmload compare RUN_A RUN_B [--fail-if "ttft p95 +10%"]... [--json]';

export async function runCompare(args: string[], io: { out(l: string): void; err(l: string): void }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { 'fail-if': { type: 'string', multiple: true }, json: { type: 'boolean' } } });
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
  let cmp;
  try {
    cmp = compareRunFolders(shownPath(positionals[0]!), shownPath(positionals[1]!));
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
