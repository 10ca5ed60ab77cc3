/**
 * The `goodput` lines of an expect block: the definition, per-request conditions joined by `and`
 * (`goodput ttft < 1s and tpot < 50ms`), and expectations on the run's goodput (`goodput rps >= 5`,
 * `goodput share >= 90%`). Counting is in src/core/metrics/goodput.ts.
 */
import type { Comparison } from '../plan';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import { closest, listOf } from '../suggest';
import type { ExpectLineNode } from '../tree';
import * as U from '../units';
import { GOODPUT_FIGURES, GOODPUT_MEASURES, type GoodputBound, type GoodputCondition, type GoodputFigure, type GoodputMeasure, type GoodputPlan } from '../../types/goodput';

export const GOODPUT_EXAMPLE = 'goodput ttft < 1s and tpot < 50ms';
const FIGURES = Object.keys(GOODPUT_FIGURES) as GoodputFigure[];
const MEASURES = Object.keys(GOODPUT_MEASURES) as GoodputMeasure[];
const STAT_WORDS = new Set(['p50', 'p90', 'p95', 'p99', 'p99.9', 'mean', 'max', 'min', 'avg', 'median']);

const EXAMPLE_OF: Record<GoodputFigure | GoodputMeasure, string> = {
  ttft: 'goodput ttft < 1s',
  ttfa: 'goodput ttfa < 2s',
  tpot: 'goodput tpot < 50ms',
  e2e: 'goodput e2e < 30s',
  token_rate: 'goodput token_rate >= 20/s',
  output_tokens: 'goodput output_tokens >= 100',
  requests: 'goodput requests >= 100',
  rps: 'goodput rps >= 5',
  tokens_per_s: 'goodput tokens_per_s >= 500',
  share: 'goodput share >= 90%',
};

/** Words people write for a figure goodput names otherwise, or that are not figures of one request. */
const INSTEAD: Record<string, string> = {
  itl: '"itl" is the gap between two packets, not a figure of one request; write tpot (the request\'s time per output token after the first), e.g. goodput tpot < 50ms',
  latency: 'write e2e for the latency of a request, e.g. goodput e2e < 30s',
  e2el: 'write e2e for the latency of a request, e.g. goodput e2e < 30s',
};

/** `<, <=, > or >=` */
const opsOf = (ops: readonly string[]): string => `${ops.slice(0, -1).join(', ')} or ${ops[ops.length - 1]}`;

function figureValue(f: GoodputFigure, text: string): U.Parsed<number> {
  switch (GOODPUT_FIGURES[f].unit) {
    case 'ms':
      return U.parseDuration(text);
    case 'tokens/s':
      return U.parseTokenRate(text);
    case 'tokens':
      return U.parseInteger(text, f);
  }
}

function measureValue(m: GoodputMeasure, text: string): U.Parsed<number> {
  const plain = /^\d+(\.\d+)?$/.test(text);
  switch (m) {
    case 'requests':
      return U.parseInteger(text, 'goodput requests');
    case 'share':
      return U.parsePercent(text);
    case 'rps': {
      if (plain) return { ok: true, value: Number(text) };
      const r = U.parseRate(text);
      return r.ok ? r : { ok: false, message: `expected good requests per second like 5 or 5 rps, got "${text}"` };
    }
    case 'tokens_per_s': {
      if (plain) return { ok: true, value: Number(text) };
      const r = U.parseTokenRate(text);
      return r.ok ? r : { ok: false, message: `expected output tokens per second like 500 or 500/s, got "${text}"` };
    }
  }
}

/** Parses what follows `goodput` on an SLO line (from column `at` to `end`). */
export function parseGoodputLine(p: ParseCore, rl: RawLine, node: ExpectLineNode, at: number, end: number): ExpectLineNode {
  const line = p.src.line(rl.line);
  const span = (a: number, b: number) => p.src.span(rl.line, a, b);
  const skip = () => {
    while (at < end && (line[at] === ' ' || line[at] === '\t')) at++;
  };
  const word = (): { text: string; from: number; to: number } | undefined => {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(line.slice(at, end));
    if (!m) return undefined;
    const w = { text: m[0], from: at, to: at + m[0].length };
    at = w.to;
    return w;
  };
  /** `OP VALUE` after a figure or measure; the value runs to the next ` and ` (or the line's end). */
  const comparison = (name: string, allowed: readonly string[], example: string): { op: string; text: string; from: number; to: number } | undefined => {
    skip();
    const opM = /^(<=|>=|==|=<|=>|!=|<|>|=)/.exec(line.slice(at, end));
    if (!opM) {
      const stat = word();
      const why = (MEASURES as string[]).includes(name) ? `goodput ${name} is one figure of the run and takes no statistic` : 'a goodput condition holds for each request and takes no statistic';
      if (stat && STAT_WORDS.has(stat.text)) p.error(span(stat.from, stat.to), `${why}; write e.g. ${example}`);
      else p.error(at < end ? span(stat?.from ?? at, stat?.to ?? at + 1) : span(at, at), `expected a comparison (${opsOf(allowed)}) after "${name}"; write e.g. ${example}`);
      return undefined;
    }
    const opR = span(at, at + opM[1]!.length);
    const fixes: Record<string, string> = { '=<': '<=', '=>': '>=' };
    if (Object.hasOwn(fixes, opM[1]!)) {
      const f = fixes[opM[1]!]!;
      p.error(opR, `write "${f}" instead of "${opM[1]}"`, { range: opR, text: f, title: `Change to "${f}"` });
      return undefined;
    }
    if (!allowed.includes(opM[1]!)) {
      p.error(opR, `"${opM[1]}" is not a comparison goodput ${name} can use; use ${opsOf(allowed)}, e.g. ${example}`);
      return undefined;
    }
    at += opM[1]!.length;
    skip();
    const rest = line.slice(at, end);
    const andAt = /[ \t]+and(?=[ \t]|$)/.exec(rest)?.index ?? rest.length;
    const text = rest.slice(0, andAt).trimEnd();
    const or = /[ \t](or)(?=[ \t]|$)/.exec(text);
    if (or) {
      p.error(span(at + or.index + 1, at + or.index + 3), `goodput conditions are joined with "and" only: a good request meets every one; write e.g. ${GOODPUT_EXAMPLE}`);
      return undefined;
    }
    if (text === '') {
      p.error(opR, `expected a value after "${opM[1]}", e.g. ${example}`);
      return undefined;
    }
    const v = { op: opM[1]!, text, from: at, to: at + text.length };
    at += text.length;
    return v;
  };

  skip();
  const first = word();
  if (!first) {
    p.error(at < end ? span(at, end) : node.keyword.range, `goodput needs the conditions each good request meets, e.g. ${GOODPUT_EXAMPLE}, or a figure of the run to check, e.g. goodput rps >= 5`);
    return node;
  }

  // `goodput rps >= 5`: an expectation on the run's goodput.
  if ((MEASURES as string[]).includes(first.text)) {
    const m = first.text as GoodputMeasure;
    const c = comparison(m, ['<', '<=', '>', '>=', '=='], EXAMPLE_OF[m]);
    if (!c) return node;
    skip();
    if (at < end) {
      p.error(span(c.from, end), `a goodput expectation checks one figure; put each on its own line, e.g. ${EXAMPLE_OF[m]}`);
      return node;
    }
    const v = measureValue(m, c.text.replace(/[ \t]+/g, ''));
    if (!v.ok) {
      p.error(span(c.from, c.to), v.message);
      return node;
    }
    node.value = { value: v.value, text: c.text, range: span(c.from, c.to) };
    node.parsed = { metric: 'goodput', op: c.op as Comparison, value: v.value, goodput: m };
    return node;
  }

  // `goodput ttft < 1s and tpot < 50ms`: the definition.
  const textFrom = first.from;
  const conditions: GoodputCondition[] = [];
  let w: typeof first | undefined = first;
  for (;;) {
    if (!(FIGURES as string[]).includes(w.text)) {
      const r = span(w.from, w.to);
      const near = closest(w.text, FIGURES);
      if (Object.hasOwn(INSTEAD, w.text)) p.error(r, INSTEAD[w.text]!);
      else if ((MEASURES as string[]).includes(w.text)) p.error(r, `"${w.text}" is a figure of the whole run, not of one request; check it on its own line, e.g. ${EXAMPLE_OF[w.text as GoodputMeasure]}`);
      else if (near) p.error(r, `unknown goodput figure "${w.text}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else p.error(r, `"${w.text}" is not a figure of one request that goodput can check; use ${listOf(FIGURES)}, e.g. ${GOODPUT_EXAMPLE}`);
      return node;
    }
    const f = w.text as GoodputFigure;
    const c = comparison(f, ['<', '<=', '>', '>='], EXAMPLE_OF[f]);
    if (!c) return node;
    const v = figureValue(f, c.text.replace(/[ \t]+/g, ''));
    if (!v.ok) {
      p.error(span(c.from, c.to), v.message);
      return node;
    }
    conditions.push({ figure: f, op: c.op as GoodputBound, value: v.value });
    skip();
    if (at >= end) break;
    const and = word();
    if (!and || and.text !== 'and') {
      p.error(span(and?.from ?? at, end), `join goodput conditions with "and", e.g. ${GOODPUT_EXAMPLE}`);
      return node;
    }
    skip();
    w = word();
    if (!w) {
      p.error(span(and.from, and.to), `expected a condition after "and", e.g. ${GOODPUT_EXAMPLE}`);
      return node;
    }
  }
  const plan: GoodputPlan = { text: line.slice(textFrom, end).trim(), conditions };
  node.goodput = plan;
  return node;
}

/** The scenario's one goodput definition; reports a second one, and goodput expectations without any. */
export function resolveGoodput(r: Resolution): GoodputPlan | undefined {
  let def: { plan: GoodputPlan; line: number } | undefined;
  const checks: ExpectLineNode[] = [];
  for (const s of r.tree.statements) {
    if (s.kind !== 'expect') continue;
    for (const l of s.lines) {
      if (l.parsed?.goodput) checks.push(l);
      if (!l.goodput) continue;
      if (def) r.error(l.range, `goodput is already defined on line ${def.line + 1}; write every condition on that line, joined with and, e.g. ${GOODPUT_EXAMPLE}`);
      else def = { plan: l.goodput, line: l.range.start.line };
    }
  }
  // A broken goodput line may be the missing definition: then its own error says enough.
  const broken = r.tree.statements.some((s) => s.kind === 'expect' && s.lines.some((l) => l.metric?.text === 'goodput' && !l.parsed && !l.goodput));
  if (!def && !broken) {
    for (const l of checks) r.error(l.range, `"${l.text}" needs the conditions a good request meets: add a line like ${GOODPUT_EXAMPLE} to the expect block`);
  }
  return def?.plan;
}
