/** `load users|rate|replay|step|stages ...` with the lines of its step or stages block: parsing and resolution. */
import type { LoadPlan, RunPlan, Stage } from '../plan';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import { DEFAULTS } from '../resolve-core';
import type { RawLine } from '../structure';
import { listOf } from '../suggest';
import type { LoadChild, LoadNode, LoadShape, StageNode, StepLineNode, TopNode } from '../tree';
import * as U from '../units';
import type { BlockModule } from './block';

export const LOAD_SHAPES = ['users', 'step', 'stages', 'rate', 'replay'] as const;

const USERS_WORDS = ['users', 'user'];

const LOAD_WORDS = {
  step: {
    start: 'Users at the start: start 2 users',
    add: 'Users added per step: add 2 users every 30s',
    max: 'Most users: max 16 users',
    hold: 'How long to hold at max: hold 1m',
  },
  stages: {
    ramp: 'ramp to N users over D, or ramp to R qpm over D',
    hold: 'Keep the last level: hold D',
  },
};

export function parseLoad(p: ParseCore, rl: RawLine): TopNode {
  const ts = rl.lex.tokens;
  const node: LoadNode = { kind: 'load', ...p.base(rl), headerRange: p.lineR(rl), children: [], broken: true };
  if (!ts[1]) {
    p.missing(rl, `load needs a shape: ${listOf(LOAD_SHAPES)}, e.g. load users 8 for 5m`);
    return node;
  }
  node.shapeWord = p.word(rl, ts[1]);
  if (!(LOAD_SHAPES as readonly string[]).includes(ts[1].value)) {
    p.unknownWord(p.tokR(rl, ts[1]), 'load shape', ts[1].value, LOAD_SHAPES);
    return node;
  }
  const shape = ts[1].value as LoadShape;
  node.shape = shape;
  const before = p.errors;
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
      const usage = 'load rate R qpm|rps for DURATION [poisson|uniform], e.g. load rate 2 rps for 5m';
      const r = p.quantity(rl, 2, 'rate', 'the rate');
      node.rate = p.positive(r.q, 'the rate');
      let i = r.next;
      if (ts[i]?.value === 'for') {
        const d = p.quantity(rl, i + 1, 'duration', 'the duration after "for"');
        node.duration = p.positive(d.q, 'the duration');
        i = d.next;
      }
      if (ts[i]?.value === 'poisson' || ts[i]?.value === 'uniform') {
        node.arrival = ts[i].value as 'poisson' | 'uniform';
        i++;
      }
      p.extra(rl, i, usage, ['for', 'poisson', 'uniform']);
      break;
    }
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

export function parseStepLine(p: ParseCore, rl: RawLine): LoadChild {
  if (rl.misindented && !p.afterUnknownRun(rl)) p.misindented(rl);
  const kw = p.kw(rl);
  if (!Object.hasOwn(LOAD_WORDS.step, kw)) return p.unknown(rl, 'step');
  if (!p.lexOk(rl)) return { kind: 'unknown', ...p.base(rl) };
  p.noBlock(rl);
  const name = kw as StepLineNode['name'];
  const node: StepLineNode = { kind: 'step', ...p.base(rl), name };
  const ts = rl.lex.tokens;
  if (name === 'hold') {
    const d = p.quantity(rl, 1, 'duration', 'hold');
    node.duration = d.q;
    p.extra(rl, d.next, 'hold DURATION, e.g. hold 1m');
    return node;
  }
  const usage = name === 'add' ? 'add N users every DURATION, e.g. add 2 users every 30s' : `${name} N users, e.g. ${name} ${name === 'max' ? 16 : 2} users`;
  const u = p.quantity(rl, 1, 'integer', `the number of users after "${name}"`);
  node.users = p.bounded(u.q, `${name} users`, 1);
  let i = p.unitWord(rl, u.next, USERS_WORDS);
  if (name === 'add') {
    if (u.q && ts[i]?.value !== 'every') {
      if (ts[i]) p.extra(rl, i, usage, ['every', 'users']);
      else p.missing(rl, `add needs a step time; write ${usage}`);
      return node;
    }
    if (!u.q) return node;
    const d = p.quantity(rl, i + 1, 'duration', 'the step time after "every"');
    node.every = p.positive(d.q, 'the step time');
    i = d.next;
  }
  if (u.q) p.extra(rl, i, usage, name === 'add' ? ['every'] : ['users']);
  return node;
}

export function parseStageLine(p: ParseCore, rl: RawLine): LoadChild {
  if (rl.misindented && !p.afterUnknownRun(rl)) p.misindented(rl);
  const kw = p.kw(rl);
  if (!Object.hasOwn(LOAD_WORDS.stages, kw)) return p.unknown(rl, 'stages');
  if (!p.lexOk(rl)) return { kind: 'unknown', ...p.base(rl) };
  p.noBlock(rl);
  const node: StageNode = { kind: 'stage', ...p.base(rl) };
  const ts = rl.lex.tokens;
  if (kw === 'hold') {
    const d = p.quantity(rl, 1, 'duration', 'hold');
    const q = p.positive(d.q, 'hold');
    if (!p.extra(rl, d.next, 'hold DURATION, e.g. hold 2m') && q) node.stage = { kind: 'hold', for_ms: q.value };
    return node;
  }
  const usage = 'ramp to N users over DURATION or ramp to R qpm over DURATION';
  if (ts[1]?.value !== 'to') {
    if (ts[1]) p.extra(rl, 1, usage, ['to']);
    else p.missing(rl, `ramp needs a target; write ${usage}`);
    return node;
  }
  const t = ts[2];
  if (!t) {
    p.missing(rl, `ramp to needs a level; write ${usage}`);
    return node;
  }
  const unit = ts[3]?.value;
  let users: number | undefined;
  let perS: number | undefined;
  let i: number;
  const joinedRate = /^\d+(?:\.\d+)?(rps|qpm|\/s)$/.test(t.value);
  if (joinedRate || (U.isNumber(t.value) && unit !== undefined && U.RATE_UNIT_WORDS.includes(unit))) {
    const r = p.quantity(rl, 2, 'rate', 'the rate');
    const q = p.bounded(r.q, 'the rate', 0);
    perS = q?.value;
    i = r.next;
    if (!q) return node;
  } else {
    const u = p.quantity(rl, 2, 'integer', 'the number of users');
    if (!u.q) return node;
    users = u.q.value;
    i = u.next;
    if (ts[i] && USERS_WORDS.includes(ts[i].value)) i++;
    else if (!ts[i] || ts[i].value === 'over') {
      p.error(u.q.range, `say what ${u.q.text} counts: write ramp to ${u.q.text} users or ramp to ${u.q.text} qpm`);
      return node;
    }
  }
  if (ts[i]?.value !== 'over') {
    if (ts[i]) p.extra(rl, i, usage, ['over', 'users', 'qpm', 'rps']);
    else p.missing(rl, `ramp needs a time; write ${usage}`);
    return node;
  }
  const d = p.quantity(rl, i + 1, 'duration', 'the ramp time after "over"');
  if (p.extra(rl, d.next, usage) || !d.q) return node;
  node.stage = users !== undefined ? { kind: 'ramp_users', to: users, over_ms: d.q.value } : { kind: 'ramp_rate', to_per_s: perS!, over_ms: d.q.value };
  return node;
}

export const load: BlockModule = {
  directives: {
    load: { doc: 'The load shape: users, step, stages, rate or replay', parse: parseLoad },
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
      return { kind: 'rate', per_s: node.rate.value, duration_ms: d, arrival: node.arrival ?? DEFAULTS.arrival };
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
  }
}

export function resolveStep(r: Resolution, node: LoadNode): LoadPlan | undefined {
  const lines = new Map<string, StepLineNode>();
  for (const c of node.children) {
    if (c.kind !== 'step') continue;
    const prev = lines.get(c.name);
    if (prev) r.error(c.keyword.range, `duplicate "${c.name}" line; the first is on line ${prev.range.start.line + 1}`);
    else lines.set(c.name, c);
  }
  const examples: Record<string, string> = { start: 'start 2 users', add: 'add 2 users every 30s', max: 'max 16 users', hold: 'hold 1m' };
  const missing = (['start', 'add', 'max', 'hold'] as const).filter((k) => !lines.has(k));
  for (const k of missing) r.error(node.headerRange, `load step needs a "${k}" line, e.g. ${examples[k]}`);
  if (missing.length) return undefined;
  const start = lines.get('start')!.users;
  const add = lines.get('add')!;
  const max = lines.get('max')!.users;
  const hold = lines.get('hold')!.duration;
  if (!start || !add.users || !add.every || !max || !hold) return undefined;
  if (max.value < start.value) {
    r.error(max.range, `max ${max.value} users is below start ${start.value} users; raise max or lower start`);
    return undefined;
  }
  return { kind: 'step', start: start.value, add: add.users.value, every_ms: add.every.value, max: max.value, hold_ms: hold.value };
}

export function resolveStages(r: Resolution, node: LoadNode): LoadPlan | undefined {
  const stages: Stage[] = [];
  let kind: 'users' | 'rate' | undefined;
  for (const c of node.children) {
    if (c.kind !== 'stage' || !c.stage) continue;
    const s = c.stage;
    if (s.kind === 'hold' && stages.length === 0) {
      r.error(c.keyword.range, 'a hold before any ramp holds no load; start with ramp to N users over D');
      return undefined;
    }
    if (s.kind !== 'hold') {
      const k = s.kind === 'ramp_users' ? 'users' : 'rate';
      if (kind && k !== kind) {
        r.error(c.range, `this stage ramps ${k === 'users' ? 'users' : 'a request rate'} but an earlier stage ramps ${kind === 'users' ? 'users' : 'a request rate'}; one load stages block drives one of them`);
        return undefined;
      }
      kind = k;
    }
    stages.push(s);
  }
  if (stages.length === 0) return undefined;
  return { kind: 'stages', stages };
}

export function loadDuration(load: LoadPlan): number | undefined {
  switch (load.kind) {
    case 'users':
    case 'rate':
      return Number.isFinite(load.duration_ms) ? load.duration_ms : undefined;
    case 'step':
      return undefined;
    case 'stages':
      return load.stages.reduce((a, s) => a + (s.kind === 'hold' ? s.for_ms : s.over_ms), 0);
    case 'replay':
      return undefined;
  }
}

export /** Loads whose requests arrive on a schedule rather than after the previous response. */
function isOpenLoop(load: LoadPlan): boolean {
  return load.kind === 'rate' || load.kind === 'replay' || (load.kind === 'stages' && load.stages.some((s) => s.kind === 'ramp_rate'));
}
