/** `load users|rate|replay|step|stages ...`: parsing and resolution (the lines of a step or stages block are in load-steps.ts). */
import type { LoadPlan, RunPlan } from '../plan';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import { DEFAULTS } from '../resolve-core';
import type { RawLine } from '../structure';
import { listOf } from '../suggest';
import type { LoadNode, LoadShape, TopNode } from '../tree';
import type { BlockModule } from './block';
import { arrivalExtra, burstPlan, parseArrival, parseBurst } from './load-arrivals';
import { LOAD_WORDS, USERS_WORDS, parseStageLine, parseStepLine, resolveStages, resolveStep } from './load-steps';
import { parseSweep } from './load-sweep';

export const LOAD_SHAPES = ['users', 'step', 'stages', 'rate', 'replay', 'burst', 'sweep'] as const;

export function parseLoad(p: ParseCore, rl: RawLine): TopNode {
  const ts = rl.lex.tokens;
  const node: LoadNode = { kind: 'load', ...p.base(rl), headerRange: p.lineR(rl), children: [], broken: true };
  if (!ts[1]) {
    p.missing(rl, `load needs a shape: ${listOf(LOAD_SHAPES)}, e.g. load users 8 for 5m`);
    return node;
  }
  node.shapeWord = p.word(rl, ts[1]);
  if (!p.known(rl, ts[1], 'load shape', LOAD_SHAPES)) return node;
  const shape = ts[1].value as LoadShape;
  node.shape = shape;
  const before = p.errors;
  if (rangeWithoutSweep(p, rl, shape)) return node;
  switch (shape) {
    case 'users': {
      p.noBlock(rl);
      const usage = 'load users N for DURATION, e.g. load users 8 for 5m';
      const u = p.quantity(rl, 2, 'integer', 'the number of users');
      node.users = p.bounded(u.q, 'users', 1);
      let i = p.unitWord(rl, u.next, USERS_WORDS);
      if (ts[i]?.value === 'for') {
        const d = p.quantity(rl, i + 1, 'duration', 'the duration after "for"');
        node.duration = p.positive(d.q, 'the duration');
        i = d.next;
      }
      p.extra(rl, i, usage, ['for', 'users']);
      break;
    }
    case 'rate': {
      p.noBlock(rl);
      const usage = 'load rate R qpm|rps for DURATION [poisson|uniform|gamma B], e.g. load rate 2 rps for 5m';
      const r = p.quantity(rl, 2, 'rate', 'the rate');
      node.rate = p.positive(r.q, 'the rate');
      let i = r.next;
      if (ts[i]?.value === 'for') {
        const d = p.quantity(rl, i + 1, 'duration', 'the duration after "for"');
        node.duration = p.positive(d.q, 'the duration');
        i = d.next;
      }
      i = parseArrival(p, rl, i, node);
      arrivalExtra(p, rl, i, node, usage);
      break;
    }
    case 'burst':
      parseBurst(p, rl, node);
      break;
    case 'replay': {
      p.noBlock(rl);
      const usage = 'load replay PATH [speed X] [from T] [to T], e.g. load replay traces/monday.jsonl speed 2x from 10m to 20m';
      if (!ts[2]) {
        p.missing(rl, `load replay needs a file; write ${usage}`);
        break;
      }
      node.path = p.one(rl, ts[2]);
      let i = 3;
      if (ts[i]?.value === 'speed') {
        const s = p.quantity(rl, i + 1, 'speed', 'the speed');
        node.speed = p.positive(s.q, 'the speed');
        i = s.next;
      }
      if (ts[i]?.value === 'from') {
        const f = p.quantity(rl, i + 1, 'duration', 'the start after "from"');
        node.from = f.q;
        i = f.next;
      }
      if (ts[i]?.value === 'to') {
        const t = p.quantity(rl, i + 1, 'duration', 'the end after "to"');
        node.to = p.positive(t.q, 'the end of the replay window');
        i = t.next;
      }
      p.extra(rl, i, usage, ['speed', 'from', 'to']);
      break;
    }
    case 'sweep':
      p.noBlock(rl);
      parseSweep(p, rl, node);
      break;
    case 'step':
    case 'stages': {
      p.extra(rl, 2, `load ${shape} on its own line, with its settings indented below`);
      if (rl.children.length === 0) {
        p.missing(rl, shape === 'step' ? 'load step needs indented lines below it: start, add ... every, max and hold' : 'load stages needs indented lines below it: ramp to ... over ... and hold');
      }
      for (const c of rl.children) node.children.push(shape === 'step' ? parseStepLine(p, c) : parseStageLine(p, c));
      break;
    }
  }
  node.broken = p.errors > before;
  return node;
}

export const load: BlockModule = {
  directives: {
    load: { doc: 'The load shape: users, step, stages, rate, replay, burst or sweep', parse: parseLoad },
  },
  contexts: LOAD_WORDS,
};

// ---- resolution --------------------------------------------------------------------------------

export function resolveLoad(r: Resolution, stop: RunPlan['stop']): LoadPlan | undefined {
  const node = r.only('load');
  if (!node) {
    if (!r.incomplete) r.error(r.anchor, 'no load: add e.g. load users 4 for 1m, or a load step block');
    return undefined;
  }
  if (!node.shape || node.broken) return undefined;
  const until = (what: string): number | undefined => {
    if (node.duration) return node.duration.value;
    if (stop?.after_ms !== undefined) return stop.after_ms;
    if (stop?.after_requests !== undefined) return Infinity;
    r.error(node.headerRange, `${what} has no end: add "for DURATION" (e.g. for 5m), or a line stop after 10m or stop after 1000 requests`);
    return undefined;
  };
  switch (node.shape) {
    case 'users': {
      const d = until('load users');
      if (!node.users || d === undefined) return undefined;
      return { kind: 'users', users: node.users.value, duration_ms: d };
    }
    case 'rate': {
      const d = until('load rate');
      if (!node.rate || d === undefined) return undefined;
      if (node.arrival === 'gamma') return node.burstiness ? { kind: 'rate', per_s: node.rate.value, duration_ms: d, arrival: 'gamma', burstiness: node.burstiness.value } : undefined;
      return { kind: 'rate', per_s: node.rate.value, duration_ms: d, arrival: node.arrival ?? DEFAULTS.arrival };
    }
    case 'burst': {
      const d = until('load burst');
      return d === undefined ? undefined : burstPlan(node, d);
    }
    case 'replay': {
      const rel = r.text(node.path);
      if (rel === undefined) return undefined;
      const abs = r.existingFile(rel, node.path!.range);
      if (abs === undefined) return undefined;
      const replay: LoadPlan = { kind: 'replay', path: abs, speed: node.speed?.value ?? 1 };
      if (node.from) replay.from_ms = node.from.value;
      if (node.to) {
        if (node.from && node.to.value <= node.from.value) {
          r.error(node.to.range, `the replay window ends (to ${node.to.text}) before it starts (from ${node.from.text}); write a "to" after the "from"`);
          return undefined;
        }
        replay.to_ms = node.to.value;
      }
      return replay;
    }
    case 'step':
      return resolveStep(r, node);
    case 'stages':
      return resolveStages(r, node);
    case 'sweep':
      return node.sweep;
  }
}

export function loadDuration(load: LoadPlan): number | undefined {
  switch (load.kind) {
    case 'users':
    case 'rate':
    case 'burst':
      return Number.isFinite(load.duration_ms) ? load.duration_ms : undefined;
    case 'step':
      return undefined;
    case 'stages':
      return load.stages.reduce((a, s) => a + (s.kind === 'hold' ? s.for_ms : s.over_ms), 0);
    case 'replay':
      return undefined;
    case 'sweep':
      return undefined;
  }
}

/** Loads whose requests arrive on a schedule rather than after the previous response. */
export function isOpenLoop(load: LoadPlan): boolean {
  return load.kind === 'rate' || load.kind === 'burst' || load.kind === 'replay' || (load.kind === 'sweep' && load.over === 'rate') || (load.kind === 'stages' && load.stages.some((s) => s.kind === 'ramp_rate'));
}

/**
 * `load users 1..32 ...` or `load rate 1/s..20/s ...`: a range of levels is a sweep with its word
 * left out. One error, with the fix, instead of one for the number and one for each word after it.
 */
function rangeWithoutSweep(p: ParseCore, rl: RawLine, shape: LoadShape): boolean {
  const t = rl.lex.tokens[2];
  if ((shape !== 'users' && shape !== 'rate') || !t || t.quoted || !t.value.includes('..')) return false;
  const word = rl.lex.tokens[1]!;
  p.error(
    p.tokR(rl, t),
    `"${t.value}" is a range of levels, which only a sweep takes: write load sweep ${shape} ${t.value} step ${shape === 'users' ? 'x2' : '+1/s'} each 30s`,
    { range: p.tokR(rl, word), text: `sweep ${word.value}`, title: `Make it a sweep: load sweep ${shape} ${t.value}` },
  );
  return true;
}
