/**
 * When a run starts counting and when it ends, and what it records: `seed`, `warmup`, `stop`,
 * `think`, `buckets`, `trace`; their parsing and their resolution.
 */
import type { LoadPlan, RunPlan } from '../plan';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import type { BucketsNode, StopNode, TopNode, TraceNode, WarmupNode } from '../tree';
import * as U from '../units';
import { formatDuration } from '../units';
import type { BlockModule } from './block';
import { isOpenLoop, loadDuration } from './load';
import { parseSetting } from './request-lines';

function parseSeed(p: ParseCore, rl: RawLine): TopNode {
  p.noBlock(rl);
  const { kind: _setting, name: _name, ...rest } = parseSetting(p, rl, 'seed');
  return { ...rest, kind: 'seed' };
}

function parseThink(p: ParseCore, rl: RawLine): TopNode {
  p.noBlock(rl);
  const { q, next } = p.quantity(rl, 1, 'duration', 'think');
  p.extra(rl, next, 'think DURATION, e.g. think 500ms');
  return { kind: 'think', ...p.base(rl), duration: q };
}

export function parseWarmup(p: ParseCore, rl: RawLine): WarmupNode {
  p.noBlock(rl);
  const ts = rl.lex.tokens;
  const node: WarmupNode = { kind: 'warmup', ...p.base(rl) };
  const usage = 'warmup DURATION or warmup N requests, e.g. warmup 30s';
  if (ts[1] && !ts[1].quoted && (ts[1].value === 'requests' || ts[1].value === 'request')) {
    p.error(p.tokR(rl, ts[1]), 'the number of requests is missing; write e.g. warmup 20 requests');
    return node;
  }
  if (ts[1] && /^\d+$/.test(ts[1].value) && ts[2] && ['requests', 'request'].includes(ts[2].value)) {
    const q = p.quantity(rl, 1, 'integer', 'warmup');
    node.requests = p.bounded(q.q, 'warmup requests', 1);
    p.extra(rl, 3, usage);
    return node;
  }
  if (ts[1] && /^\d+$/.test(ts[1].value) && ts[2] && !U.DURATION_UNIT_WORDS.includes(ts[2].value)) {
    p.extra(rl, 2, usage, ['requests']);
    return node;
  }
  const d = p.quantity(rl, 1, 'duration', 'warmup');
  node.duration = d.q;
  p.extra(rl, d.next, usage);
  return node;
}

export function parseStopCondition(p: ParseCore, rl: RawLine): StopNode {
  p.noBlock(rl);
  const ts = rl.lex.tokens;
  const node: StopNode = { kind: 'stop', ...p.base(rl) };
  const usage = 'stop after DURATION, stop after N requests or stop errors > P%';
  const first = ts[1]?.value;
  if (first === 'after') {
    if (ts[2] && !ts[2].quoted && (ts[2].value === 'requests' || ts[2].value === 'request')) {
      p.error(p.tokR(rl, ts[2]), 'the number of requests is missing; write e.g. stop after 1000 requests');
      return node;
    }
    if (ts[2] && /^\d+$/.test(ts[2].value) && ts[3] && ['requests', 'request'].includes(ts[3].value)) {
      const q = p.quantity(rl, 2, 'integer', 'the request count');
      node.condition = 'after_requests';
      node.value = p.bounded(q.q, 'the request count', 1);
      p.extra(rl, 4, usage);
      return node;
    }
    const d = p.quantity(rl, 2, 'duration', 'the time after "stop after"');
    node.condition = 'after_ms';
    node.value = p.positive(d.q, 'the time');
    p.extra(rl, d.next, usage, ['requests']);
    return node;
  }
  if (first === 'errors' || first === 'error_rate') {
    if (ts[2]?.value !== '>') {
      if (ts[2]) p.error(p.tokR(rl, ts[2]), `expected ">" after "${first}"; write stop errors > 5%`);
      else p.missing(rl, `write ${usage}`);
      return node;
    }
    const q = p.quantity(rl, 3, 'percent', 'the error share');
    node.condition = 'error_rate_above';
    node.value = q.q;
    p.extra(rl, q.next, usage);
    return node;
  }
  if (!ts[1]) p.missing(rl, `stop needs a condition; write ${usage}`);
  else p.extra(rl, 1, usage, ['after', 'errors']);
  return node;
}

export function parseBuckets(p: ParseCore, rl: RawLine): BucketsNode {
  p.noBlock(rl);
  const node: BucketsNode = { kind: 'buckets', ...p.base(rl), values: [] };
  const ts = rl.lex.tokens;
  if (ts.length < 2) p.missing(rl, 'buckets needs token counts in ascending order, e.g. buckets 4k 16k 32k');
  for (let i = 1; i < ts.length; i++) {
    const t = ts[i];
    const piece = U.parseTokenCount(t.value);
    const range = p.tokR(rl, t);
    if (!piece.ok) {
      p.error(range, piece.message);
      return { ...node, values: [] };
    }
    const prev = node.values[node.values.length - 1];
    if (prev && piece.value <= prev.value) {
      p.error(range, `buckets must ascend: ${t.value} is not above ${prev.text}`);
      return { ...node, values: [] };
    }
    if (piece.value < 1) {
      p.error(range, `a bucket bound must be at least 1 token, got ${t.value}`);
      return { ...node, values: [] };
    }
    node.values.push({ value: piece.value, text: t.value, range });
  }
  return node;
}

export function parseTrace(p: ParseCore, rl: RawLine): TraceNode {
  p.noBlock(rl);
  const node: TraceNode = { kind: 'trace', ...p.base(rl) };
  const ts = rl.lex.tokens;
  const modes = ['first', 'all', 'failures'];
  const usage = 'trace first N, trace all or trace failures';
  const m = ts[1]?.value;
  if (m === 'first') {
    const q = p.quantity(rl, 2, 'integer', 'the number of requests to trace', 'write e.g. trace first 200');
    const b = p.bounded(q.q, 'trace first', 1);
    if (!p.extra(rl, q.next, usage) && b) node.trace = { mode: 'first', n: b.value };
  } else if (m === 'all' || m === 'failures') {
    if (!p.extra(rl, 2, usage)) node.trace = { mode: m };
  } else if (m === undefined) p.missing(rl, `trace needs a mode; write ${usage}`);
  else p.extra(rl, 1, usage, modes);
  return node;
}

export const runControl: BlockModule = {
  directives: {
    seed: { doc: 'Seed for prompt choice and arrivals, for repeatable runs', parse: parseSeed },
    warmup: { doc: 'Requests not counted in results: warmup 30s or warmup 20 requests', parse: parseWarmup },
    stop: { doc: 'Ends the run early: stop after 10m, stop after 1000 requests, stop errors > 5%', parse: parseStopCondition },
    think: { doc: "A user's pause between two requests: think 500ms", parse: parseThink },
    buckets: { doc: 'Token count bounds results are grouped by: buckets 4k 16k 32k', parse: parseBuckets },
    trace: { doc: 'Which requests keep every packet: trace first 200, trace all, trace failures', parse: parseTrace },
  },
};

// ---- resolution --------------------------------------------------------------------------------

export function resolveStop(r: Resolution): RunPlan['stop'] {
  const stop: NonNullable<RunPlan['stop']> = {};
  const seen = new Map<string, number>();
  let any = false;
  for (const n of r.tree.statements) {
    if (n.kind !== 'stop' || !n.condition) continue;
    if (r.repeated(seen, n.condition, n, 'stop condition')) continue;
    if (!n.value) continue;
    any = true;
    if (n.condition === 'after_ms') stop.after_ms = n.value.value;
    else if (n.condition === 'after_requests') stop.after_requests = n.value.value;
    else stop.error_rate_above = n.value.value;
  }
  return any ? stop : undefined;
}

/** The warmup and the think time, with warnings where they would have no effect. */
export function resolveRunControl(r: Resolution, load: LoadPlan | undefined, stop: RunPlan['stop']): { warmup: RunPlan['warmup']; think_ms: number } {
  const warmupNode = r.only('warmup');
  let warmup: RunPlan['warmup'];
  if (warmupNode?.duration) warmup = { duration_ms: warmupNode.duration.value };
  else if (warmupNode?.requests) warmup = { requests: warmupNode.requests.value };
  if (warmup?.duration_ms !== undefined && load && loadDuration(load) !== undefined && warmup.duration_ms >= loadDuration(load)!) {
    r.warning(warmupNode!.duration!.range, `warmup ${formatDuration(warmup.duration_ms)} is not shorter than the load (${formatDuration(loadDuration(load)!)}); no request would be counted`);
  }
  const thinkNode = r.only('think');
  const think_ms = thinkNode?.duration?.value ?? 0;
  // A session's turns pause the scenario's think also under an open-loop load (src/core/load/session.ts).
  const sessions = r.tree.statements.some((n) => (n.kind === 'prompt' || n.kind === 'dataset') && n.children.some((c) => c.kind === 'session'));
  if (thinkNode?.duration && think_ms > 0 && load && isOpenLoop(load) && !sessions) {
    r.warning(thinkNode.duration.range, `think has no effect on a ${load.kind === 'stages' ? 'stages load that ramps a rate' : `${load.kind} load`}: requests arrive on their own schedule, not after a user's pause`);
  }
  // The load's own length (not one taken from the stop line itself).
  const loadNode = r.tree.statements.find((n) => n.kind === 'load');
  const ownLength = load?.kind === 'stages' ? loadDuration(load) : loadNode?.kind === 'load' ? loadNode.duration?.value : undefined;
  const stopAfter = r.tree.statements.find((n) => n.kind === 'stop' && n.condition === 'after_ms' && n.value);
  if (stop?.after_ms !== undefined && ownLength !== undefined && stop.after_ms > ownLength && stopAfter?.kind === 'stop') {
    r.warning(stopAfter.value!.range, `stop after ${formatDuration(stop.after_ms)} never ends the run: the load ends after ${formatDuration(ownLength)}`);
  }
  if (warmup?.requests !== undefined && stop?.after_requests !== undefined && warmup.requests >= stop.after_requests) {
    r.warning(warmupNode!.requests!.range, `warmup ${warmup.requests} requests is not below stop after ${stop.after_requests} requests; no request would be counted`);
  }
  return { warmup, think_ms };
}
