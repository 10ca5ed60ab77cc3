/**
 * Arrival settings of open-loop `load` lines: the arrival word after `load rate ... for D`
 * (`poisson`, `uniform` or `gamma B`, B the burstiness as vLLM's `--burstiness`) and the
 * `load burst N every D [for T]` line (N requests released together every D).
 */
import type { LoadPlan } from '../plan';
import type { ParseCore } from '../parse-core';
import type { RawLine } from '../structure';
import type { LoadNode } from '../tree';
import * as U from '../units';

export const ARRIVAL_WORDS = ['poisson', 'uniform', 'gamma'] as const;

/** Below this the gamma gaps are nearly all 0 (everything at once), which no one means. */
export const MIN_BURSTINESS = 0.01;

const BURSTINESS_HINT = 'write gamma B with B the burstiness, above 0: 1 is Poisson, below 1 burstier, above 1 more even, e.g. gamma 0.5';

/** Reads an arrival word at token `i` of a `load rate` line into the node; returns the next token index. */
export function parseArrival(p: ParseCore, rl: RawLine, i: number, node: LoadNode): number {
  const t = rl.lex.tokens[i];
  if (!t || t.quoted) return i;
  if (t.value === 'poisson' || t.value === 'uniform') {
    node.arrival = t.value;
    return i + 1;
  }
  if (t.value !== 'gamma') return i;
  node.arrival = 'gamma';
  const v = rl.lex.tokens[i + 1];
  if (v && !v.quoted && !U.isNumber(v.value) && !ARRIVAL_FOLLOWERS.includes(v.value)) {
    p.error(p.tokR(rl, v), `the burstiness after "gamma" must be a number, got "${v.raw}"; ${BURSTINESS_HINT}`);
    return rl.lex.tokens.length; // one mistake, one diagnostic: the rest of the line is not read
  }
  const b = p.quantity(rl, i + 1, 'decimal', 'the burstiness after "gamma"', BURSTINESS_HINT);
  if (b.q && b.q.value < MIN_BURSTINESS) {
    p.error(b.q.range, `the burstiness must be at least ${MIN_BURSTINESS} (below that nearly every gap is 0), got ${b.q.text}; ${BURSTINESS_HINT}`);
  } else node.burstiness = b.q;
  return b.q ? b.next : rl.lex.tokens.length;
}

/** Words after a `load rate` line's arrival: a second arrival, or a `for` written after it. */
const ARRIVAL_FOLLOWERS: readonly string[] = [...ARRIVAL_WORDS, 'for'];

/** Reports words left after a `load rate` line's arrival (`usage` says what to write); true when there were any. */
export function arrivalExtra(p: ParseCore, rl: RawLine, i: number, node: LoadNode, usage: string): boolean {
  const t = rl.lex.tokens[i];
  if (!t) return false;
  if (!node.arrival || t.quoted || !ARRIVAL_FOLLOWERS.includes(t.value)) return p.extra(rl, i, usage, node.arrival ? [] : ARRIVAL_FOLLOWERS);
  const range = p.tokensR(rl, i);
  if (t.value === 'for') p.error(range, `"for DURATION" goes before the arrival; write e.g. load rate 2 rps for 5m ${node.arrival === 'gamma' ? 'gamma 0.5' : node.arrival}`);
  else p.error(range, `a load has one arrival process, and this line already says ${node.arrival}; remove "${t.raw}" or the other one`);
  return true;
}

export const BURST_USAGE = 'load burst N every DURATION for DURATION, e.g. load burst 20 every 10s for 1m';

/** `load burst N [requests] every D [for T]`. */
export function parseBurst(p: ParseCore, rl: RawLine, node: LoadNode): void {
  const ts = rl.lex.tokens;
  p.noBlock(rl);
  const n = p.quantity(rl, 2, 'integer', 'the burst size', `write ${BURST_USAGE}`);
  node.burst = p.bounded(n.q, 'the burst size', 1);
  if (!n.q) return;
  let i = p.unitWord(rl, n.next, ['requests', 'request']);
  if (ts[i]?.value !== 'every') {
    if (ts[i]) p.extra(rl, i, BURST_USAGE, ['every', 'requests']);
    else p.missing(rl, `load burst needs a period: how often the ${n.q.text} requests go out; write ${BURST_USAGE}`);
    return;
  }
  const e = p.quantity(rl, i + 1, 'duration', 'the period after "every"');
  node.every = p.positive(e.q, 'the period');
  if (!e.q) return;
  i = e.next;
  if (ts[i]?.value === 'for') {
    const d = p.quantity(rl, i + 1, 'duration', 'the duration after "for"');
    node.duration = p.positive(d.q, 'the duration');
    i = d.next;
  }
  p.extra(rl, i, BURST_USAGE, ['for']);
}

/** The plan of a parsed `load burst` line, given its end (`for D`, or the stop rule's). */
export function burstPlan(node: LoadNode, duration_ms: number): LoadPlan | undefined {
  if (!node.burst || !node.every) return undefined;
  return { kind: 'burst', size: node.burst.value, every_ms: node.every.value, duration_ms };
}
