/** The indented blocks of `load step` (start, add, max, hold) and `load stages` (ramp, hold): their words, parsing and resolution. */
import type { LoadPlan, Stage } from '../plan';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import type { LoadChild, LoadNode, StageNode, StepLineNode } from '../tree';
import * as U from '../units';

export const USERS_WORDS = ['users', 'user'];

export const LOAD_WORDS = {
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
