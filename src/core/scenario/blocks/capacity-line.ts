/**
 * `capacity >= 8 users` (a users sweep) and `capacity >= 300 qpm` / `capacity >= 5 rps` (a rate
 * sweep) in an expect block: a CI gate on the capacity a `load sweep` finds. Parsing here; the check
 * that the scenario's load is a sweep of the same kind is `checkCapacityExpectations`, called by the
 * resolver once the load is known; the judging is in src/core/metrics/sweep-verdict.ts.
 */
import type { Comparison, LoadPlan } from '../plan';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import type { ExpectLineNode } from '../tree';
import * as U from '../units';
import { closest } from '../suggest';

export const CAPACITY_EXAMPLE = 'capacity >= 8 users (a users sweep) or capacity >= 300 qpm (a rate sweep)';

/** `8 users`, `8user`, `8` -> users or a bare number; `300 qpm`, `5 rps`, `5/s` -> a rate per second. */
export function capacityValue(text: string): U.Parsed<{ value: number; unit?: 'users' | 'rate' }> {
  const compact = text.replace(/[ \t]+/g, '');
  const users = /^(\d+(?:\.\d+)?)(users?)?$/.exec(compact);
  if (users) return { ok: true, value: { value: Number(users[1]), ...(users[2] ? { unit: 'users' as const } : {}) } };
  if (!/^\d/.test(compact)) return { ok: false, message: `expected a capacity like 8 users (a users sweep) or 300 qpm (a rate sweep), got "${text}"` };
  const unit = /^\d+(?:\.\d+)?(.*)$/.exec(compact)![1]!;
  if (unit !== '' && closest(unit, ['users']) === 'users') return { ok: false, message: `unknown unit "${unit}" in "${text}"; did you mean "users"?` };
  const r = U.parseRate(compact);
  if (!r.ok) return { ok: false, message: `${r.message}; a capacity is users (capacity >= 8 users) or a rate (capacity >= 300 qpm)` };
  return { ok: true, value: { value: r.value, unit: 'rate' } };
}

/** Parses what follows `capacity` on an SLO line (from column `at` to `end`). */
export function parseCapacityLine(p: ParseCore, rl: RawLine, node: ExpectLineNode, at: number, end: number): ExpectLineNode {
  const line = p.src.line(rl.line);
  const rest = line.slice(at, end);
  const m = /^(\s*)(<=|>=|==|=<|=>|!=|<|>|=)?(\s*)(.*)$/.exec(rest)!;
  const opAt = at + m[1]!.length;
  const stat = /^\s*(p\d+(?:\.\d+)?|mean|max|min|avg|median)\b/.exec(rest);
  if (!m[2] && stat) {
    p.error(p.src.span(rl.line, at + stat[0].length - stat[1]!.length, at + stat[0].length), `capacity is one figure of the sweep and takes no statistic; write ${CAPACITY_EXAMPLE}`);
    return node;
  }
  if (!m[2]) {
    const r = rest.trim() === '' ? node.keyword.range : p.src.span(rl.line, opAt, end);
    p.error(r, `expected a comparison after "capacity"; write ${CAPACITY_EXAMPLE}`);
    return node;
  }
  const opR = p.src.span(rl.line, opAt, opAt + m[2].length);
  node.op = { text: m[2], range: opR };
  const fixes: Record<string, string> = { '=<': '<=', '=>': '>=', '=': '==' };
  if (Object.hasOwn(fixes, m[2])) {
    const f = fixes[m[2]]!;
    p.error(opR, `write "${f}" instead of "${m[2]}"`, { range: opR, text: f, title: `Change to "${f}"` });
    return node;
  }
  if (m[2] === '!=') {
    p.error(opR, '"!=" is not a comparison an SLO can use; use <, <=, >, >= or ==');
    return node;
  }
  const valueAt = opAt + m[2].length + m[3]!.length;
  const valueText = m[4]!.trimEnd();
  const valueR = p.src.span(rl.line, valueAt, valueAt + valueText.length);
  if (valueText === '') {
    p.error(opR, `expected a value after "${m[2]}", e.g. ${CAPACITY_EXAMPLE}`);
    return node;
  }
  const v = capacityValue(valueText);
  if (!v.ok) {
    p.error(valueR, v.message);
    return node;
  }
  node.value = { value: v.value.value, text: valueText, range: valueR };
  node.parsed = { metric: 'capacity', op: m[2] as Comparison, value: v.value.value, ...(v.value.unit ? { capacity: v.value.unit } : {}) };
  return node;
}

/**
 * Each `capacity` line against the scenario's load: only a sweep finds a capacity, and its unit must
 * be the sweep's (users for `load sweep users`, a rate for `load sweep rate`). The wrong unit gets a
 * fix that keeps the number and writes the sweep's unit.
 */
export function checkCapacityExpectations(r: Resolution, load: LoadPlan | undefined): void {
  for (const e of r.tree.statements) {
    if (e.kind !== 'expect') continue;
    for (const l of e.lines) {
      if (l.parsed?.metric !== 'capacity' || !load) continue;
      if (load.kind !== 'sweep') {
        r.error(l.keyword.range, `capacity is what a load sweep finds, and this scenario's load is not a sweep; write e.g. load sweep users 1..64 step x2 each 30s, or remove this line`);
        continue;
      }
      const unit = l.parsed.capacity;
      const v = l.value;
      if (!unit || !v || unit === (load.over === 'users' ? 'users' : 'rate')) continue;
      const number = /^\d+(?:\.\d+)?/.exec(v.text.trim())?.[0] ?? String(v.value);
      if (load.over === 'users') {
        const fix = `${number} users`;
        r.error(v.range, `this sweep is over users, so its capacity is a number of users; write capacity ${l.op?.text ?? '>='} ${fix}`, { range: v.range, text: fix, title: `Change to ${fix}` });
      } else {
        const fix = `${number} rps`;
        r.error(v.range, `this sweep is over a rate, so its capacity is a rate; write capacity ${l.op?.text ?? '>='} ${fix} (or in qpm, e.g. ${Number(number) * 60} qpm)`, { range: v.range, text: fix, title: `Change to ${fix}` });
      }
    }
  }
}
