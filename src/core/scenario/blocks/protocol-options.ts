/**
 * How answers are read and requests sent, beyond the api: `think_tags`, `length`, `backoff`,
 * `keep_alive`, `server metrics`; parsing and resolution.
 */
import type { ApiKind, LoadPlan, RunPlan } from '../plan';
import type { ThinkTagOptions } from '../../types/protocol-options';
import { DEFAULT_BACKOFF } from '../../load/backoff';
import { DEFAULT_SCRAPE_EVERY_MS } from '../../server-metrics/run-hook';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import { closest } from '../suggest';
import type { BackoffNode, KeepAliveNode, LengthNode, ServerMetricsNode, ThinkTagsNode } from '../tree';
import * as U from '../units';
import type { BlockModule } from './block';
import { isOpenLoop } from './load';

/** `think_tags` modes and what each sets starts_in_thinking to. */
export const THINK_TAG_MODES: Record<string, boolean | 'auto'> = { auto: 'auto', starts_in_thinking: true, starts_in_answer: false };

export function parseThinkTags(p: ParseCore, rl: RawLine): ThinkTagsNode {
  p.noBlock(rl);
  const ts = rl.lex.tokens;
  const node: ThinkTagsNode = { kind: 'think_tags', ...p.base(rl) };
  const modes = Object.keys(THINK_TAG_MODES);
  const usage = 'think_tags OPEN CLOSE [auto|starts_in_thinking|starts_in_answer], e.g. think_tags <think> </think>, or think_tags off';
  const isMode = (i: number) => ts[i] !== undefined && !ts[i].quoted && Object.hasOwn(THINK_TAG_MODES, ts[i].value);
  if (!ts[1]) {
    p.missing(rl, `think_tags needs tags, a mode or off; write ${usage}`);
    return node;
  }
  if (!ts[1].quoted && ts[1].value === 'off') {
    if (p.extra(rl, 2, 'think_tags off on its own')) return node;
    node.off = true;
    node.parsed = true;
    return node;
  }
  let i = 1;
  if (!isMode(1)) {
    if (!ts[2] || isMode(2)) {
      // One word: a mode, misspelled, or a lone tag.
      const near = /^[A-Za-z_]+$/.test(ts[1].value) && !ts[1].quoted ? closest(ts[1].value, [...modes, 'off']) : undefined;
      const r = p.tokR(rl, ts[1]);
      if (near) p.error(r, `unknown think_tags mode "${ts[1].value}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else p.error(r, `think_tags needs both tags, the opening and the closing one, e.g. think_tags ${ts[1].raw} ${closingFor(ts[1].value)}`);
      return node;
    }
    for (const t of [ts[1], ts[2]]) {
      if (t.value === '') {
        p.error(p.tokR(rl, t), 'a think tag cannot be empty; write the tag, e.g. <think>');
        return node;
      }
    }
    if (ts[2].value === ts[1].value) {
      p.error(p.tokR(rl, ts[2]), `the closing tag must differ from the opening tag, e.g. think_tags ${ts[1].raw} ${closingFor(ts[1].value)}`);
      return node;
    }
    node.open = p.one(rl, ts[1]);
    node.close = p.one(rl, ts[2]);
    i = 3;
  }
  let mode: boolean | 'auto' = 'auto';
  if (ts[i]) {
    if (!isMode(i)) {
      const near = ts[i].quoted ? undefined : closest(ts[i].value, modes);
      const r = p.tokR(rl, ts[i]);
      if (near) p.error(r, `unknown think_tags mode "${ts[i].value}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else p.extra(rl, i, usage);
      node.open = node.close = undefined;
      return node;
    }
    node.mode = p.word(rl, ts[i]);
    mode = THINK_TAG_MODES[ts[i].value];
    i++;
  }
  if (p.extra(rl, i, usage)) {
    node.open = node.close = node.mode = undefined;
    return node;
  }
  node.starts_in_thinking = mode;
  node.parsed = true;
  return node;
}

export function parseLength(p: ParseCore, rl: RawLine): LengthNode {
  p.noBlock(rl);
  const node: LengthNode = { kind: 'length', ...p.base(rl) };
  const usage = 'length fails (an answer cut at max_tokens fails the request) or length warns (the default)';
  const word = p.choice(rl, ['fails', 'warns'], usage);
  if (word) node.fails = word === 'fails';
  return node;
}

/** `server metrics URL [every DURATION]`: the Prometheus endpoint scraped during the run. */
export function parseServerMetrics(p: ParseCore, rl: RawLine): ServerMetricsNode {
  p.noBlock(rl);
  const ts = rl.lex.tokens;
  const node: ServerMetricsNode = { kind: 'server', ...p.base(rl) };
  const usage = 'server metrics URL [every DURATION], e.g. server metrics http://127.0.0.1:8000/metrics every 1s';
  if (!ts[1]) {
    p.missing(rl, `server needs "metrics" and a URL; write ${usage}`);
    return node;
  }
  if (ts[1].quoted || ts[1].value !== 'metrics') {
    const r = p.tokR(rl, ts[1]);
    const near = ts[1].quoted ? undefined : closest(ts[1].value, ['metrics']);
    if (near) p.error(r, `unexpected "${ts[1].raw}"; did you mean "metrics"?`, { range: r, text: 'metrics', title: 'Change to "metrics"' });
    else p.error(r, `unexpected "${ts[1].raw}"; write ${usage}`);
    return node;
  }
  if (!ts[2]) {
    p.missing(rl, `server metrics needs the URL of a Prometheus /metrics endpoint, or builtin: for the simulator; write ${usage}`);
    return node;
  }
  const v = p.one(rl, ts[2]);
  if (v.text !== 'builtin:' && !/^https?:\/\/[^\s/]+/.test(v.text) && !v.text.includes('${')) {
    p.error(v.range, `expected an http(s) URL like http://127.0.0.1:8000/metrics, or builtin:, got "${ts[2].raw}"`);
    return node;
  }
  node.url = v;
  let next = 3;
  if (ts[3]) {
    if (ts[3].quoted || ts[3].value !== 'every') {
      p.extra(rl, 3, usage, ['every']);
      return node;
    }
    const { q, next: n } = p.quantity(rl, 4, 'duration', 'server metrics every', 'e.g. every 1s');
    if (!q) return node;
    if (q.value < 100) {
      p.error(q.range, `scrape at most every 100ms, got "${ts[4].raw}"; e.g. every 1s`);
      return node;
    }
    node.every = q;
    next = n;
  }
  if (p.extra(rl, next, usage)) return node;
  node.parsed = true;
  return node;
}

/** `backoff BASE..CAP [skip]`, `backoff skip`, `backoff off`. */
export function parseBackoff(p: ParseCore, rl: RawLine): BackoffNode {
  p.noBlock(rl);
  const ts = rl.lex.tokens;
  const node: BackoffNode = { kind: 'backoff', ...p.base(rl) };
  const usage = 'backoff BASE..CAP [skip], e.g. backoff 100ms..10s, or backoff off';
  if (!ts[1]) {
    p.missing(rl, `backoff needs its wait bounds or off; write ${usage}`);
    return node;
  }
  if (!ts[1].quoted && ts[1].value === 'off') {
    if (!p.extra(rl, 2, usage)) node.off = node.parsed = true;
    return node;
  }
  let i = 1;
  if (ts[1].quoted || ts[1].value !== 'skip') {
    const t = ts[1];
    const dots = t.quoted ? -1 : t.value.indexOf('..');
    if (dots < 0) {
      const r = p.tokR(rl, t);
      const near = t.quoted ? undefined : closest(t.value, ['off', 'skip']);
      if (ts[2]?.value.startsWith('..')) p.error(p.tokensR(rl, 1), 'write the wait bounds as one word, without spaces, e.g. 100ms..10s');
      else if (!t.quoted && U.parseDuration(t.value).ok) p.error(r, `write the shortest and the longest wait, e.g. ${t.value}..10s`, { range: r, text: `${t.value}..10s`, title: `Change to "${t.value}..10s"` });
      else if (near) p.error(r, `unexpected "${t.raw}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
      else p.error(r, `expected the shortest and longest wait as BASE..CAP, e.g. 100ms..10s, got "${t.raw}"; or write ${usage}`);
      return node;
    }
    const lo = t.value.slice(0, dots);
    const hi = t.value.slice(dots + 2);
    const aRange = p.src.span(rl.line, t.start, t.start + lo.length);
    const bRange = p.src.span(rl.line, t.start + dots + 2, t.end);
    const a = U.parseDuration(lo);
    if (!a.ok) {
      p.error(aRange, lo === '' ? `expected the shortest wait before "..", e.g. 100ms..${hi}` : a.message);
      return node;
    }
    const b = U.parseDuration(hi);
    if (!b.ok) {
      p.error(bRange, hi === '' ? `expected the longest wait after "..", e.g. ${lo}..10s` : b.message);
      return node;
    }
    if (a.value <= 0) {
      p.error(aRange, `the shortest wait must be above 0, got ${lo}; write e.g. 100ms..${hi}, or backoff off to send without waiting`);
      return node;
    }
    if (b.value < a.value) {
      p.error(p.tokR(rl, t), `the range ${t.value} runs backwards; write the shorter wait first: ${hi}..${lo}`, { range: p.tokR(rl, t), text: `${hi}..${lo}`, title: `Change to "${hi}..${lo}"` });
      return node;
    }
    node.base = { value: a.value, text: lo, range: aRange };
    node.cap = { value: b.value, text: hi, range: bRange };
    i = 2;
  }
  if (ts[i] && !ts[i].quoted && ts[i].value === 'skip') node.skip = p.word(rl, ts[i++]);
  if (p.extra(rl, i, usage, ['skip'])) {
    node.base = node.cap = node.skip = undefined;
    return node;
  }
  node.parsed = true;
  return node;
}

/** `keep_alive on|off`. */
export function parseKeepAlive(p: ParseCore, rl: RawLine): KeepAliveNode {
  p.noBlock(rl);
  const node: KeepAliveNode = { kind: 'keep_alive', ...p.base(rl) };
  const usage = 'keep_alive off (a fresh connection for every request) or keep_alive on (the default: connections are reused)';
  const word = p.choice(rl, ['on', 'off'], usage);
  if (word) node.on = word === 'on';
  return node;
}

/** The closing tag that goes with an opening one: <think> gives </think>. */
function closingFor(open: string): string {
  const m = /^([<\[{(])(.*)$/.exec(open);
  return m ? `${m[1]}/${m[2]}` : `/${open}`;
}

export const protocolOptions: BlockModule = {
  directives: {
    think_tags: { doc: 'How <think> tags in answer text split thinking from answer: think_tags <think> </think> [auto|starts_in_thinking|starts_in_answer], or think_tags off', parse: parseThinkTags },
    length: { doc: 'An answer cut at max_tokens (finish reason length): length warns (default) or length fails', parse: parseLength },
    backoff: { doc: 'Waits after failures that got no answer (refused, 429, 502-504): backoff 100ms..10s (default), backoff 100ms..10s skip (open loop skips arrivals while down), or backoff off', parse: parseBackoff },
    keep_alive: { doc: 'Whether HTTP connections are reused between requests: keep_alive on (default) or keep_alive off (a fresh connection each time)', parse: parseKeepAlive },
    server: { doc: 'Scrapes the server\'s Prometheus metrics during the run: server metrics http://127.0.0.1:8000/metrics every 1s (builtin targets are scraped anyway)', parse: parseServerMetrics },
  },
};

// ---- resolution --------------------------------------------------------------------------------

export function resolveThinkTags(r: Resolution): ThinkTagOptions | false | undefined {
  const node = r.only('think_tags');
  if (!node?.parsed) return undefined;
  if (node.off) return false;
  const open = node.open ? r.text(node.open) : '<think>';
  const close = node.close ? r.text(node.close) : '</think>';
  if (open === undefined || close === undefined) return undefined;
  if (open === close && node.close) {
    r.error(node.close.range, `the closing tag must differ from the opening tag (both are "${open}" after substituting variables)`);
    return undefined;
  }
  return { open, close, starts_in_thinking: node.starts_in_thinking ?? 'auto' };
}

/** The `backoff` line: undefined without one (the engine's defaults), false for `backoff off`. */
export function resolveBackoff(r: Resolution, load: LoadPlan | undefined): RunPlan['backoff'] {
  const node = r.only('backoff');
  if (!node?.parsed) return undefined;
  if (node.off) return false;
  if (node.skip && load && !isOpenLoop(load)) {
    r.warning(node.skip.range, `skip applies to open-loop loads (rate, rate stages, replay); closed-loop users always wait out the backoff, so remove skip`);
  }
  return { base_ms: node.base?.value ?? DEFAULT_BACKOFF.base_ms, cap_ms: node.cap?.value ?? DEFAULT_BACKOFF.cap_ms, skip: node.skip !== undefined };
}

/** The `server metrics` line, with the raw metric names the expectations name. */
export function resolveServerMetrics(r: Resolution, target: RunPlan['target'] | undefined): RunPlan['server_metrics'] {
  const node = r.only('server');
  if (!node?.parsed) return undefined;
  const url = r.text(node.url);
  if (url === undefined) return undefined;
  if (url === 'builtin:' && target && target.kind !== 'builtin') r.warning(node.url!.range, 'server metrics builtin: scrapes the built-in simulator, but the target is a URL; write the URL of its /metrics, e.g. http://127.0.0.1:8000/metrics');
  return { url, every_ms: node.every?.value ?? DEFAULT_SCRAPE_EVERY_MS };
}

/** `keep_alive off`: false for HTTP apis, with a warning for websocket (a connection per request anyway). */
export function resolveKeepAlive(r: Resolution, api: ApiKind): false | undefined {
  const keepAliveNode = r.only('keep_alive');
  if (keepAliveNode?.on === false && api === 'websocket') {
    r.warning(keepAliveNode.range, 'keep_alive applies to HTTP APIs only: api websocket opens a connection per request anyway');
  }
  return keepAliveNode?.on === false && api !== 'websocket' ? false : undefined;
}
