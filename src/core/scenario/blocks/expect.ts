/** `expect` with its SLO lines (`ttft p95 < 2s`, `server kv_cache_usage max < 90%`): the metrics, parsing and resolution. */
import type { Comparison, DatasetPlan, Expectation, Metric, Stat } from '../plan';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import { listOf } from '../suggest';
import type { ExpectLineNode, ExpectNode, Word } from '../tree';
import * as U from '../units';
import { parseServerFigure, parseServerValue } from '../../server-metrics/expect';
import type { BlockModule } from './block';
import { parseGoodputLine } from './goodput-line';
import { parseCapacityLine } from './capacity-line';

export const METRICS: Record<Metric, { description: string; distribution: boolean }> = {
  ttft: { description: 'Time to first output packet, thinking included', distribution: true },
  ttfa: { description: 'Time to first answer packet', distribution: true },
  e2e: { description: 'Request sent to stream done', distribution: true },
  token_rate: { description: 'Output tokens per second within one stream', distribution: true },
  itl: { description: 'Gap between two output packets', distribution: true },
  qpm: { description: 'Completed requests per minute', distribution: false },
  rps: { description: 'Completed requests per second', distribution: false },
  success: { description: 'Share of requests that succeeded', distribution: false },
  error_rate: { description: 'Share of requests that failed', distribution: false },
  accuracy: { description: 'Share of graded answers that were right', distribution: false },
  server: { description: "A figure of the server's own metrics: server kv_cache_usage max < 90%, server preemptions == 0, server queue p95 < 500ms", distribution: false },
  goodput: { description: 'Requests that met every per-request condition: goodput ttft < 1s and tpot < 50ms, then goodput rps >= 5 or goodput share >= 90%', distribution: false },
  capacity: { description: 'The highest level a load sweep found that met every SLO: capacity >= 8 users (users sweep), capacity >= 300 qpm or >= 5 rps (rate sweep)', distribution: false },
};

export const STATS: readonly Stat[] = ['p50', 'p90', 'p95', 'p99', 'p99.9', 'mean', 'max', 'min'];
export const COMPARISONS = ['<', '<=', '>', '>=', '=='] as const;

export function parseExpect(p: ParseCore, rl: RawLine): ExpectNode {
  const node: ExpectNode = { kind: 'expect', ...p.base(rl), lines: [], broken: false };
  const before = p.errors;
  const ts = rl.lex.tokens;
  if (ts.length > 1) {
    // One SLO on the expect line itself: `expect ttft p95 < 3s`.
    node.lines.push(parseExpectLine(p, rl, ts[1].start));
    p.noBlock(rl);
  } else if (rl.children.length === 0) {
    p.missing(rl, 'expect needs SLO lines indented below it, e.g. ttft p95 < 2s');
  }
  if (ts.length === 1) {
    for (const c of rl.children) {
      if (c.misindented) p.misindented(c);
      if (!p.lexOk(c)) continue;
      node.lines.push(parseExpectLine(p, c, c.indent));
      p.noBlock(c);
    }
  }
  node.broken = p.errors > before;
  return node;
}

/** `server NAME [STAT] OP VALUE` (see src/core/server-metrics/expect.ts). */
export function parseServerSlo(p: ParseCore, rl: RawLine, node: ExpectLineNode, at: number, end: number): ExpectLineNode {
  const line = p.src.line(rl.line);
  const usage = 'server FIGURE [STAT] OP VALUE, e.g. server kv_cache_usage max < 90% or server preemptions == 0';
  const m = /^(\s+)([^\s<>=!]+)(?:(\s+)([^\s<>=!]+))?\s*(<=|>=|==|<|>)\s*(.*)$/.exec(line.slice(at, end));
  if (!m) {
    p.error(node.range, `expected ${usage}, got "${node.text}"`);
    return node;
  }
  const nameAt = at + m[1]!.length;
  const nameR = p.src.span(rl.line, nameAt, nameAt + m[2]!.length);
  const statAt = nameAt + m[2]!.length + (m[3]?.length ?? 0);
  const statR = p.src.span(rl.line, statAt, statAt + (m[4]?.length ?? 0));
  const fig = parseServerFigure(m[2]!, m[4]);
  if (!fig.ok) {
    p.error(fig.onStat ? statR : nameR, fig.message);
    return node;
  }
  const valueText = m[6]!.trim();
  const valueAt = end - m[6]!.length;
  const valueR = p.src.span(rl.line, valueAt, end);
  const v = parseServerValue(fig.slo.name, valueText.replace(/[ \t]+/g, ''));
  if (!v.ok) {
    p.error(valueText === '' ? node.range : valueR, valueText === '' ? `expected a value after "${m[5]}"; write ${usage}` : v.message);
    return node;
  }
  node.value = { value: v.value, text: valueText, range: valueR };
  node.parsed = { metric: 'server', op: m[5] as Comparison, value: v.value, server: fig.slo };
  return node;
}

export function parseExpectLine(p: ParseCore, rl: RawLine, from: number): ExpectLineNode {
  const line = p.src.line(rl.line);
  const end = rl.lex.contentEnd;
  const content = line.slice(from, end);
  const node: ExpectLineNode = {
    kind: 'expect_line',
    range: p.src.span(rl.line, from, end),
    keyword: { text: '', range: p.src.span(rl.line, from, from) },
    text: content,
  };
  let at = from;
  const skip = () => {
    while (at < end && (line[at] === ' ' || line[at] === '\t')) at++;
  };
  const wordAt = (): Word | undefined => {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(line.slice(at, end));
    if (!m) return undefined;
    const w = { text: m[0], range: p.src.span(rl.line, at, at + m[0].length) };
    at += m[0].length;
    return w;
  };
  const metricWord = wordAt();
  const metrics = Object.keys(METRICS) as Metric[];
  const usage = 'METRIC [STAT] OP VALUE, e.g. ttft p95 < 2s';
  if (!metricWord) {
    p.error(node.range, `expected an SLO line like ttft p95 < 2s, got "${content}"`);
    return node;
  }
  node.keyword = metricWord;
  node.metric = metricWord;
  if (!Object.hasOwn(METRICS, metricWord.text)) {
    p.unknownWord(metricWord.range, 'metric', metricWord.text, metrics);
    return node;
  }
  const metric = metricWord.text as Metric;
  if (metric === 'server') return parseServerSlo(p, rl, node, at, end);
  if (metric === 'goodput') return parseGoodputLine(p, rl, node, at, end);
  if (metric === 'capacity') return parseCapacityLine(p, rl, node, at, end);
  const dist = METRICS[metric].distribution;
  skip();
  let statWord = wordAt();
  let stat: Stat | undefined;
  let group: string | undefined;
  if (statWord && metric === 'accuracy' && statWord.text === 'for') {
    // `accuracy for Algebra >= 80%`, `accuracy for level 5 >= 50%` (docs/accuracy.md)
    const g = /^\s*(?:"([^"]+)"|([^<>=!"]+?))\s*(?=<|>|=|!)/.exec(line.slice(at, end));
    if (!g || (g[1] ?? g[2] ?? '').trim() === '') {
      p.error(statWord.range, 'accuracy for needs a subject or a level, e.g. accuracy for Algebra >= 80% or accuracy for level 5 >= 50%');
      return node;
    }
    group = (g[1] ?? g[2]!).trim();
    at += g[0].length;
    statWord = undefined;
  }
  if (statWord) {
    node.stat = statWord;
    if (!dist) {
      p.error(statWord.range, `"${metric}" takes no statistic; write e.g. ${exampleSlo(metric)}`);
      return node;
    }
    if (!(STATS as readonly string[]).includes(statWord.text)) {
      p.error(statWord.range, `unknown statistic "${statWord.text}"; use ${listOf(STATS)}`);
      return node;
    }
    stat = statWord.text as Stat;
    skip();
  }
  const opM = /^(<=|>=|==|=<|=>|!=|<|>|=)/.exec(line.slice(at, end));
  if (!opM) {
    const r = p.src.span(rl.line, at, at < end ? at + 1 : at);
    if (dist && !stat) p.error(metricWord.range, `"${metric}" needs a statistic before the comparison, e.g. ${exampleSlo(metric)}`);
    else p.error(at < end ? r : node.range, `expected a comparison (<, <=, >, >= or ==) after "${line.slice(from, at).trim()}"; write ${usage}`);
    return node;
  }
  const opRange = p.src.span(rl.line, at, at + opM[1].length);
  node.op = { text: opM[1], range: opRange };
  const fixes: Record<string, string> = { '=<': '<=', '=>': '>=', '=': '==' };
  if (Object.hasOwn(fixes, opM[1])) {
    const f = fixes[opM[1]];
    p.error(opRange, `write "${f}" instead of "${opM[1]}"`, { range: opRange, text: f, title: `Change to "${f}"` });
    return node;
  }
  if (opM[1] === '!=') {
    p.error(opRange, '"!=" is not a comparison an SLO can use; use <, <=, >, >= or ==');
    return node;
  }
  if (dist && !stat) {
    p.error(metricWord.range, `"${metric}" needs a statistic before the comparison, e.g. ${exampleSlo(metric)}`);
    return node;
  }
  at += opM[1].length;
  skip();
  const valueText = line.slice(at, end);
  const valueRange = p.src.span(rl.line, at, end);
  if (valueText === '') {
    p.error(opRange, `expected a value after "${opM[1]}", e.g. ${exampleSlo(metric)}`);
    return node;
  }
  const compact = valueText.replace(/[ \t]+/g, '');
  const parsed = sloValue(metric, compact);
  if (!parsed.ok) {
    p.error(valueRange, parsed.message);
    return node;
  }
  node.value = { value: parsed.value, text: valueText, range: valueRange };
  node.parsed = { metric, stat, op: opM[1] as Comparison, value: parsed.value };
  if (group !== undefined) node.parsed.group = group;
  return node;
}

function exampleSlo(metric: Metric): string {
  const ex: Record<Metric, string> = {
    ttft: 'ttft p95 < 2s',
    ttfa: 'ttfa p95 < 5s',
    e2e: 'e2e p99 < 30s',
    token_rate: 'token_rate p50 >= 20/s',
    itl: 'itl p99 < 200ms',
    qpm: 'qpm >= 60',
    rps: 'rps >= 1',
    success: 'success >= 99%',
    error_rate: 'error_rate < 1%',
    accuracy: 'accuracy >= 80%',
    server: 'server kv_cache_usage max < 90%',
    goodput: 'goodput ttft < 1s and tpot < 50ms',
    capacity: 'capacity >= 8 users',
  };
  return ex[metric];
}

function sloValue(metric: Metric, text: string): U.Parsed<number> {
  switch (metric) {
    case 'ttft':
    case 'ttfa':
    case 'e2e':
    case 'itl':
      return U.parseDuration(text);
    case 'token_rate':
      return U.parseTokenRate(text);
    case 'qpm': {
      if (/^\d+(\.\d+)?$/.test(text)) return { ok: true, value: Number(text) };
      const r = U.parseRate(text);
      return r.ok ? { ok: true, value: r.value * 60 } : { ok: false, message: `expected requests per minute like 60 or 60 qpm, got "${text}"` };
    }
    case 'rps': {
      if (/^\d+(\.\d+)?$/.test(text)) return { ok: true, value: Number(text) };
      const r = U.parseRate(text);
      return r.ok ? r : { ok: false, message: `expected requests per second like 2 or 2 rps, got "${text}"` };
    }
    case 'success':
    case 'error_rate':
    case 'accuracy':
      return U.parsePercent(text);
    case 'server':
    case 'goodput':
    case 'capacity':
      return U.parseDecimal(text, 'value');
  }
}

export const expect: BlockModule = {
  directives: {
    expect: { doc: 'SLO checks, one per indented line: ttft p95 < 2s', parse: parseExpect },
  },
  contexts: { expect: {} },
};

// ---- resolution --------------------------------------------------------------------------------

export function resolveExpectations(r: Resolution, datasets: DatasetPlan[]): Expectation[] {
  const out: Expectation[] = [];
  for (const e of r.tree.statements) {
    if (e.kind !== 'expect') continue;
    for (const l of e.lines) {
      if (!l.parsed) continue;
      const x: Expectation = { text: l.text, metric: l.parsed.metric, op: l.parsed.op, value: l.parsed.value, line: l.range.start.line };
      if (l.parsed.stat) x.stat = l.parsed.stat;
      if (l.parsed.server) x.server = l.parsed.server;
      if (l.parsed.group !== undefined) x.group = l.parsed.group;
      if (l.parsed.goodput) x.goodput = l.parsed.goodput;
      if (l.parsed.capacity) x.capacity = l.parsed.capacity;
      out.push(x);
      // A broken or misspelled dataset line may be the missing answer: then its error says enough.
      const unsure = r.incomplete || r.tree.statements.some((s) => s.kind === 'dataset' && (s.broken || s.children.some((c) => c.kind === 'answer')));
      if (x.metric === 'accuracy' && !unsure && !datasets.some((d) => (d.kind === 'jsonl' && d.answer !== undefined) || d.kind === 'math500' || d.kind === 'arithmetic')) {
        r.warning(l.range, 'accuracy needs graded answers: add answer {{field}} to a dataset jsonl block, or use dataset math500 or dataset arithmetic');
      }
    }
  }
  return out;
}
