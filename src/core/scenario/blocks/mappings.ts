/**
 * The `sse` and `websocket` blocks of a generic streaming API: the endpoint path, the request body
 * or message template, and the JSON paths read from each event; parsing, the advice for lines out
 * of place in them, and resolution into the protocols layer's config.
 */
import type { ApiKind, Target } from '../plan';
import type { SseApiConfig, WebSocketApiConfig } from '../../types/protocol-options';
import { JsonPath } from '../../protocols/json-path';
import type { Range } from '../diagnostics';
import type { Context, ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import { closest, listOf } from '../suggest';
import type { ApiBlockChild, ApiBlockNode, MappingLineName, MappingLineNode } from '../tree';
import type { BlockModule } from './block';
import { parseBody, resolveBodyJson } from './body';

/** JSON paths into each event or message of a generic streaming API, with an example each. */
export const MAPPING_PATHS: Record<string, { description: string; example: string }> = {
  answer: { description: 'JSON path of the answer text (default choices[0].delta.content)', example: 'token.text' },
  thinking: { description: "JSON path of the thinking text (default the OpenAI delta's reasoning fields)", example: 'choices[0].delta.reasoning_content' },
  tool_call: { description: 'JSON path that holds a tool call when present (default choices[0].delta.tool_calls)', example: 'choices[0].delta.tool_calls' },
  finish_reason: { description: 'JSON path of the finish reason (default choices[0].finish_reason)', example: 'details.finish_reason' },
  id: { description: 'JSON path of the response id (default id)', example: 'id' },
  error: { description: 'JSON path that holds an error when present and not null (default error)', example: 'error' },
  done: { description: 'JSON path that is truthy in the last event (default none: only done_data ends the stream)', example: 'details' },
  'usage.prompt_tokens': { description: 'JSON path of the prompt token count (default usage.prompt_tokens)', example: 'usage.prompt_tokens' },
  'usage.completion_tokens': { description: 'JSON path of the output token count (default usage.completion_tokens)', example: 'usage.completion_tokens' },
  'usage.reasoning_tokens': { description: 'JSON path of the reasoning token count (default usage.completion_tokens_details.reasoning_tokens)', example: 'usage.reasoning_tokens' },
  'usage.cached_tokens': { description: 'JSON path of the cached prompt token count (default usage.prompt_tokens_details.cached_tokens)', example: 'usage.cached_tokens' },
};

const MAPPING: Record<string, string> = {
  ...Object.fromEntries(Object.entries(MAPPING_PATHS).map(([k, v]) => [k, v.description])),
  done_data: 'Raw event data that ends the stream (default [DONE])',
};

const MAPPING_WORDS = {
  sse: {
    path: 'The endpoint path added to the target URL: path /generate_stream (default none: the target is the endpoint)',
    body: 'The request body template, JSON with {{messages}}, {{prompt}}, {{model}}, {{max_tokens}}... (default OpenAI chat)',
    ...MAPPING,
  },
  websocket: {
    message: 'The message sent when the socket opens, JSON with {{messages}}, {{prompt}}, {{model}}, {{max_tokens}}... (default OpenAI chat)',
    ...MAPPING,
  },
};

export function parseApiBlock(p: ParseCore, rl: RawLine, kind: 'sse' | 'websocket'): ApiBlockNode {
  const node: ApiBlockNode = { kind, ...p.base(rl), headerRange: p.lineR(rl), children: [], broken: false };
  const before = p.errors;
  const eg = kind === 'sse' ? 'answer token.text' : 'answer answer';
  p.extra(rl, 1, `${kind} on its own line, with its settings indented below, e.g. ${eg}`);
  if (rl.children.length === 0 && rl.lex.tokens.length === 1) {
    p.warning(p.lineR(rl), `"${kind}" with no lines below it changes nothing: to choose the protocol, write api ${kind}; to map its stream, indent lines below it, e.g. ${eg}`);
  }
  for (const c of rl.children) node.children.push(parseApiBlockLine(p, c, kind));
  node.broken = p.errors > before;
  return node;
}

export function parseApiBlockLine(p: ParseCore, rl: RawLine, ctx: 'sse' | 'websocket'): ApiBlockChild {
  if (rl.misindented && !p.afterUnknownRun(rl)) p.misindented(rl);
  const kw = p.kw(rl);
  if (!Object.hasOwn(MAPPING_WORDS[ctx], kw)) return p.unknown(rl, ctx);
  if (!p.lexOk(rl)) return { kind: 'unknown', ...p.base(rl) };
  if (kw === 'body' || kw === 'message') return parseBody(p, rl, kw, true);
  p.noBlock(rl);
  const name = kw as MappingLineName;
  const node: MappingLineNode = { kind: 'mapping', ...p.base(rl), name };
  const ts = rl.lex.tokens;
  if (name === 'done_data') {
    node.value = p.rest(rl, 1);
    if (!node.value) p.missing(rl, 'done_data needs the event data that ends the stream, e.g. done_data [DONE]');
    return node;
  }
  if (name === 'path') {
    const usage = 'path /PATH, e.g. path /generate_stream';
    if (!ts[1]) {
      p.missing(rl, `path needs the endpoint path; write ${usage}`);
      return node;
    }
    if (p.extra(rl, 2, usage)) return node;
    const v = p.one(rl, ts[1]);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v.text)) {
      p.error(v.range, `path is the part after the target URL, e.g. path /generate_stream; put the server's URL in the target line`);
      return node;
    }
    node.value = v;
    return node;
  }
  const example = MAPPING_PATHS[name].example;
  const usage = `${name} PATH, e.g. ${name} ${example} (quote a path that holds spaces)`;
  if (!ts[1]) {
    p.missing(rl, `${name} needs a JSON path, e.g. ${name} ${example}`);
    return node;
  }
  if (p.extra(rl, 2, usage)) return node;
  const v = p.one(rl, ts[1]);
  const problem = v.refs.length === 0 ? jsonPathProblem(v.text) : undefined;
  if (problem) {
    p.error(v.range, `${problem}; write a JSON path like ${example} or choices[0].delta.content`);
    return node;
  }
  node.value = v;
  return node;
}

/** Why a JSON path of an sse or websocket block is malformed, or undefined (the check the protocols layer's mappingErrors makes). */
export function jsonPathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'empty JSON path';
  const e = new JsonPath(path).error;
  return e === undefined ? undefined : `malformed JSON path: ${e}`;
}

/** Advice for a word unknown in an sse or websocket block: the other block's word, or a usage count. */
function misplacedInMapping(p: ParseCore, ctx: Context, kw: string, r: Range): boolean {
  if (ctx === 'websocket' && kw === 'path') {
    p.error(r, 'a websocket block takes no path: the path is part of the target URL, e.g. target ws://127.0.0.1:8000/v1/ws');
  } else if (ctx === 'websocket' && kw === 'body') {
    p.error(r, 'a websocket sends a message, not a body: write message {...} with the same JSON');
  } else if (ctx === 'sse' && kw === 'message') {
    p.error(r, 'an sse request sends a body, not a message: write body {...} with the same JSON');
  } else if (kw === 'usage' || kw.startsWith('usage.')) {
    const counts = Object.keys(MAPPING_PATHS).filter((k) => k.startsWith('usage.'));
    const near = kw.startsWith('usage.') ? closest(kw, counts) : undefined;
    if (near) p.error(r, `unknown usage count "${kw}"; did you mean "${near}"?`, { range: r, text: near, title: `Change to "${near}"` });
    else p.error(r, `write one line per token count, each with its JSON path: ${listOf(counts)}, e.g. usage.prompt_tokens usage.input_tokens`);
  } else return false;
  return true;
}

export const mappings: BlockModule = {
  directives: {
    sse: { doc: 'For api sse: the endpoint path, request body template and JSON paths of each event, indented below', parse: parseApiBlock },
    websocket: { doc: 'For api websocket: the message template and JSON paths of each message, indented below', parse: parseApiBlock },
  },
  contexts: MAPPING_WORDS,
  misplaced: misplacedInMapping,
};

// ---- resolution --------------------------------------------------------------------------------

/** The `sse` or `websocket` block as the protocols layer's config; undefined when absent or not for this api. */
export function resolveApiConfig(r: Resolution, kind: 'sse' | 'websocket', api: ApiKind, target: Target | undefined): SseApiConfig | WebSocketApiConfig | undefined {
  // A bare `sse` line (its own warning says it changes nothing) is neither the block nor a duplicate of it.
  const blocks = r.tree.statements.filter((s): s is ApiBlockNode => s.kind === kind && s.children.length > 0);
  for (const n of blocks.slice(1)) r.error(n.keyword.range, `duplicate "${kind}" block; the first is on line ${blocks[0].range.start.line + 1}`);
  const node = blocks[0];
  if (kind === 'sse' && api === 'sse' && target?.kind === 'builtin' && !r.incomplete && !node?.broken) {
    const hasPath = node?.children.some((c) => c.kind === 'mapping' && c.name === 'path');
    if (!hasPath) {
      const apiNode = r.tree.statements.find((s) => s.kind === 'api');
      const where = node ? node.keyword.range : apiNode?.kind === 'api' && apiNode.value ? apiNode.value.range : r.anchor;
      r.error(
        where,
        `api sse against the built-in simulator needs an endpoint path: ${node ? 'add the line' : 'add an sse block with the line'} path /chat/completions (its OpenAI chat stream) or path /generate_stream (its TGI stream)`,
      );
    }
  }
  if (!node) return undefined;
  if (api !== kind) {
    // A misspelled api line may be the one that says it: its own error says enough.
    const apiNode = r.tree.statements.find((s) => s.kind === 'api');
    if (!(apiNode?.kind === 'api' && apiNode.api === undefined)) {
      r.warning(node.keyword.range, `the ${kind} block is read only with api ${kind}, and the api here is ${api}: write api ${kind}, or remove the block`);
    }
    return undefined;
  }
  const cfg: SseApiConfig & WebSocketApiConfig = {};
  const usage: NonNullable<SseApiConfig['usage']> = {};
  const seen = new Map<string, number>();
  for (const c of node.children) {
    if (c.kind === 'unknown') continue;
    const label = c.kind === 'body' ? c.keyword.text : c.name;
    if (r.repeated(seen, label, c, `"${label}" line`)) continue;
    if (c.kind === 'body') {
      if (!c.json) continue;
      const json = resolveBodyJson(r, c);
      if (label === 'message') cfg.message = json;
      else cfg.body = json;
      continue;
    }
    const value = r.text(c.value);
    if (value === undefined) continue;
    if (c.name !== 'path' && c.name !== 'done_data' && c.value!.refs.length > 0) {
      const problem = jsonPathProblem(value);
      if (problem) {
        r.error(c.value!.range, `${problem} (after substituting variables); write a JSON path like choices[0].delta.content`);
        continue;
      }
    }
    if (c.name.startsWith('usage.')) usage[c.name.slice('usage.'.length) as keyof typeof usage] = value;
    else cfg[c.name as Exclude<typeof c.name, `usage.${string}`>] = value;
  }
  if (Object.keys(usage).length > 0) cfg.usage = usage;
  return cfg;
}
