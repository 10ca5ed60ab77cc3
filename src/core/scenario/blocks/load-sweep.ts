/**
 * `load sweep users FROM..TO step xF|+N each D [settle D]` and
 * `load sweep rate FROM..TO step xF|+R each D [settle D] [poisson|uniform]`, and either with
 * `search each D [resolution N]` in place of `step ... each D` (a binary search): parsing of the sweep
 * line into its plan (the levels and schedule are in src/core/load/shapes/sweep.ts).
 */
import type { SweepLoad } from '../plan';
import type { ParseCore } from '../parse-core';
import type { RawLine } from '../structure';
import type { LoadNode } from '../tree';
import * as U from '../units';
import { DEFAULTS } from '../resolve-core';
import { MAX_SWEEP_STEPS, defaultRateResolution, defaultSettleMs, sweepLevels } from '../../load/shapes/sweep';

const USAGE = 'load sweep users FROM..TO step xF|+N each DURATION, e.g. load sweep users 2..64 step x2 each 30s, or load sweep rate 1/s..20/s step +2/s each 20s';
const SEARCH_USAGE = 'load sweep users FROM..TO search each DURATION [resolution N], e.g. load sweep users 1..64 search each 30s, or load sweep rate 1/s..64/s search each 20s resolution 0.5/s';

/** Parses the words after `load sweep` into node.sweep; reports each mistake where it is. */
export function parseSweep(p: ParseCore, rl: RawLine, node: LoadNode): void {
  const ts = rl.lex.tokens;
  const over = ts[2];
  if (!over) {
    p.missing(rl, `load sweep needs what to sweep, users or rate; write ${USAGE}`);
    return;
  }
  if (!p.known(rl, over, 'sweep over', ['users', 'rate'])) return;
  const byRate = over.value === 'rate';
  const range = ts[3];
  if (!range) {
    p.missing(rl, `load sweep ${over.value} needs its levels as FROM..TO; write ${USAGE}`);
    return;
  }
  const example = byRate ? '1/s..20/s' : '2..64';
  const dots = range.quoted ? -1 : range.value.indexOf('..');
  if (dots < 0) {
    p.error(p.tokR(rl, range), `expected the levels as FROM..TO in one word, e.g. ${example}, got "${range.raw}"`);
    return;
  }
  let lo = range.value.slice(0, dots);
  const hi = range.value.slice(dots + 2);
  const loR = p.src.span(rl.line, range.start, range.start + lo.length);
  const hiR = p.src.span(rl.line, range.start + dots + 2, range.end);
  const unit = byRate ? /[a-zA-Z/]+$/.exec(hi)?.[0] : undefined;
  // `1..20/s`: a bare lower level takes the upper one's unit.
  if (byRate && unit && U.isNumber(lo)) lo += unit;
  const level = (text: string, r: typeof loR, which: string): number | undefined => {
    if (text === '') {
      p.error(r, `expected the ${which} level ${which === 'lowest' ? 'before' : 'after'} "..", e.g. ${example}`);
      return undefined;
    }
    const v = byRate ? U.parseRate(text) : U.parseInteger(text, `the ${which} number of users`);
    if (!v.ok) {
      p.error(r, v.message);
      return undefined;
    }
    if (!(v.value > 0)) {
      p.error(r, `the ${which} level must be above 0, got ${text}`);
      return undefined;
    }
    return v.value;
  };
  const from = level(lo, loR, 'lowest');
  if (from === undefined) return;
  const to = level(hi, hiR, 'highest');
  if (to === undefined) return;
  if (to <= from) {
    p.error(p.tokR(rl, range), `the levels ${range.value} do not rise; write the lowest level first, e.g. ${example}`);
    return;
  }
  let i = 4;
  if (ts[i]?.value === 'search') {
    parseSearch(p, rl, node, { over: byRate ? 'rate' : 'users', from, to, unit });
    return;
  }
  if (ts[i]?.value !== 'step') {
    if (ts[i]) p.extra(rl, i, USAGE, ['step', 'search']);
    else p.missing(rl, `load sweep needs how the load rises; write ${USAGE}`);
    return;
  }
  const st = ts[i + 1];
  const stepExample = byRate ? 'step x2 or step +2/s' : 'step x2 or step +4';
  if (!st) {
    p.missing(rl, `step needs a factor or an increment: ${stepExample}`);
    return;
  }
  let step: SweepLoad['step'] | undefined;
  const stR = p.tokR(rl, st);
  const times = /^[x×*](\d+(?:\.\d+)?)$/.exec(st.value);
  if (times) {
    const f = Number(times[1]);
    if (!(f > 1)) {
      p.error(stR, `the factor must be above 1, got ${st.value}; write e.g. step x2`);
      return;
    }
    step = { by: 'times', value: f };
  } else if (st.value.startsWith('+')) {
    const text = st.value.slice(1);
    const v = byRate ? U.parseRate(U.isNumber(text) && unit ? text + unit : text) : U.parseInteger(text, 'the users added each step');
    if (!v.ok) {
      p.error(stR, v.message);
      return;
    }
    if (!(v.value > 0)) {
      p.error(stR, `the increment must be above 0, got ${st.value}`);
      return;
    }
    step = { by: 'plus', value: v.value };
  } else {
    p.error(stR, `expected a factor like x2 or an increment like ${byRate ? '+2/s' : '+4'} after "step", got "${st.raw}"`);
    return;
  }
  i += 2;
  if (ts[i]?.value !== 'each') {
    if (ts[i]) p.extra(rl, i, USAGE, ['each']);
    else p.missing(rl, `load sweep needs how long each step lasts; write ${USAGE}`);
    return;
  }
  const d = p.quantity(rl, i + 1, 'duration', 'the step time after "each"');
  const each = p.positive(d.q, 'the step time');
  if (!each) return;
  const tail = parseTail(p, rl, d.next, each, byRate, USAGE);
  if (!tail) return;
  const plan: SweepLoad = { kind: 'sweep', over: byRate ? 'rate' : 'users', from, to, step, each_ms: each.value, settle_ms: tail.settle, arrival: tail.arrival };
  if (sweepLevels(plan).length >= MAX_SWEEP_STEPS) {
    p.error(p.tokensR(rl, 3, 5), `this sweep has over ${MAX_SWEEP_STEPS - 1} steps; take bigger steps (e.g. step x2) or a narrower range`);
    return;
  }
  node.sweep = plan;
}

/** `[settle D] [poisson|uniform]` after the step time; undefined when a mistake was reported. */
function parseTail(p: ParseCore, rl: RawLine, from: number, each: { value: number; text: string }, byRate: boolean, usage: string): { settle: number; arrival: SweepLoad['arrival'] } | undefined {
  const ts = rl.lex.tokens;
  let i = from;
  let settle = defaultSettleMs(each.value);
  if (ts[i]?.value === 'settle') {
    const s = p.quantity(rl, i + 1, 'duration', 'the settle time after "settle"');
    if (!s.q) return undefined;
    if (s.q.value * 2 > each.value) {
      p.error(s.q.range, `the settle time ${s.q.text} leaves less than half of each ${each.text} step measured; write at most settle ${U.formatDuration(each.value / 2)}`);
      return undefined;
    }
    settle = s.q.value;
    i = s.next;
  }
  let arrival: SweepLoad['arrival'] = DEFAULTS.arrival;
  if (byRate && (ts[i]?.value === 'poisson' || ts[i]?.value === 'uniform')) arrival = ts[i++]!.value as SweepLoad['arrival'];
  if (p.extra(rl, i, usage, byRate ? ['settle', 'poisson', 'uniform'] : ['settle'])) return undefined;
  return { settle, arrival };
}

/**
 * `search each D [resolution N|R] [settle D] [poisson|uniform]` after the levels: a binary search
 * (src/core/load/sweep-search.ts) instead of every step.
 */
function parseSearch(p: ParseCore, rl: RawLine, node: LoadNode, s: { over: 'users' | 'rate'; from: number; to: number; unit: string | undefined }): void {
  const ts = rl.lex.tokens;
  const byRate = s.over === 'rate';
  let i = 5;
  if (ts[i]?.value !== 'each') {
    if (ts[i]) p.extra(rl, i, SEARCH_USAGE, ['each']);
    else p.missing(rl, `load sweep ... search needs how long each probe lasts; write ${SEARCH_USAGE}`);
    return;
  }
  const d = p.quantity(rl, i + 1, 'duration', 'the probe time after "each"');
  const each = p.positive(d.q, 'the probe time');
  if (!each) return;
  i = d.next;
  let resolution = byRate ? defaultRateResolution(s.from, s.to) : 1;
  if (ts[i]?.value === 'resolution') {
    const r = ts[i + 1];
    const example = byRate ? 'resolution 0.5/s' : 'resolution 2';
    if (!r) {
      p.missing(rl, `resolution needs how narrow the search ends, e.g. ${example}`);
      return;
    }
    const v = byRate ? U.parseRate(U.isNumber(r.value) && s.unit ? r.value + s.unit : r.value) : U.parseInteger(r.value, 'the resolution in users');
    if (!v.ok) {
      p.error(p.tokR(rl, r), v.message);
      return;
    }
    if (!(v.value > 0) || v.value >= s.to - s.from) {
      p.error(p.tokR(rl, r), `the resolution must be above 0 and below the range (${s.to - s.from}${byRate ? '/s' : ' users'}), got ${r.value}; write e.g. ${example}`);
      return;
    }
    resolution = v.value;
    i += 2;
  }
  const tail = parseTail(p, rl, i, each, byRate, SEARCH_USAGE);
  if (!tail) return;
  node.sweep = { kind: 'sweep', over: s.over, from: s.from, to: s.to, step: { by: 'times', value: 2 }, each_ms: each.value, settle_ms: tail.settle, arrival: tail.arrival, search: { resolution } };
}
