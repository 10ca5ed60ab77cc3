/** The scenario's title line and its variables: `scenario "TITLE"`, `var NAME VALUE`. Variables are substituted by the resolver's core (resolve-core.ts). */
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import type { TextValue, TopNode, Word } from '../tree';
import type { BlockModule } from './block';

export function parseScenarioLine(p: ParseCore, rl: RawLine): TopNode {
  p.noBlock(rl);
  const title = p.rest(rl, 1);
  if (!title) p.missing(rl, 'scenario needs a title, e.g. scenario "Chat under step load"');
  return { kind: 'scenario', ...p.base(rl), title };
}

export function parseVar(p: ParseCore, rl: RawLine): TopNode {
  p.noBlock(rl);
  const ts = rl.lex.tokens;
  const node = { kind: 'var' as const, ...p.base(rl), name: undefined as Word | undefined, value: undefined as TextValue | undefined };
  if (ts.length < 3) {
    p.missing(rl, 'var needs a name and a value, e.g. var MODEL meta-llama/Llama-3.1-8B-Instruct');
    if (ts[1] && !ts[1].quoted) node.name = p.word(rl, ts[1]);
    return node;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(ts[1].value) || ts[1].quoted) {
    p.error(p.tokR(rl, ts[1]), `"${ts[1].raw}" is not a variable name; use letters, digits and _ (starting with a letter)`);
    return node;
  }
  node.name = p.word(rl, ts[1]);
  node.value = p.rest(rl, 2);
  return node;
}

export const scenario: BlockModule = {
  directives: {
    scenario: { doc: 'The scenario title: scenario "Chat under load"', parse: parseScenarioLine },
    var: { doc: 'A variable used as ${NAME}: var NAME VALUE', parse: parseVar },
  },
};

// ---- resolution --------------------------------------------------------------------------------

/** Collects the var lines for substitution (resolve-core.ts); a name defined twice is an error. */
export function collectVars(r: Resolution): void {
  for (const v of r.tree.statements) {
    if (v.kind !== 'var' || !v.name) continue;
    const prev = r.vars.get(v.name.text);
    if (prev) r.error(v.name.range, `duplicate variable "${v.name.text}"; the first is on line ${prev.range.start.line + 1}`);
    else r.vars.set(v.name.text, v);
  }
}

/** Warns of each variable no line uses; call it after everything else is resolved. */
export function warnUnusedVars(r: Resolution): void {
  // With parse errors, a variable's use may sit in a broken line: only a clean file gets this warning.
  if (r.tree.errorCount === 0) {
    for (const [name, v] of r.vars) {
      if (!r.usedVars.has(name)) r.warning(v.name!.range, `variable "${name}" is never used`);
    }
  }
}
