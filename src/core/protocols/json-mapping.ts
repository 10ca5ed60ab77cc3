/**
 * The scenario-configured mapping for the generic `sse` and `websocket` APIs: where in each JSON
 * event the answer text, thinking text, usage, finish reason and done flag live, and the request
 * template the prompt is written into.
 */
import type { PromptPlan } from '../scenario/plan';
import { errorMessage, isObject, parseJson } from './adapter';
import { reasoningText, samplingParams } from './openai-common';
import { emitContent, emitStreamEnd, PacketEmitter } from './packet-emitter';
import { JsonPath } from './json-path';
import { promptText } from './prompt-text';
import { normalizeFinishReason, type StreamRecord } from './stream-record';
import type { ThinkTagSplitter } from './think-tags';
import type { Usage } from './types';
import type { JsonStreamMapping } from '../types/protocol-options';

/** The mapping's shapes live below scenario/ and protocols/ (the plan carries them); re-exported for the adapters. */
export type { JsonStreamMapping, SseApiConfig, WebSocketApiConfig } from '../types/protocol-options';

const DEFAULTS = {
  answer: 'choices[0].delta.content',
  delta: 'choices[0].delta',
  tool_call: 'choices[0].delta.tool_calls',
  finish_reason: 'choices[0].finish_reason',
  id: 'id',
  error: 'error',
  prompt_tokens: 'usage.prompt_tokens',
  completion_tokens: 'usage.completion_tokens',
  reasoning_tokens: 'usage.completion_tokens_details.reasoning_tokens',
  cached_tokens: 'usage.prompt_tokens_details.cached_tokens',
};

/** Malformed paths in a mapping, for the scenario checker. */
export function mappingErrors(m: JsonStreamMapping): string[] {
  const paths = [m.answer, m.thinking, m.tool_call, m.finish_reason, m.id, m.error, m.done, ...Object.values(m.usage ?? {})];
  return paths.filter((p): p is string => typeof p === 'string').map((p) => new JsonPath(p).error).filter((e): e is string => e !== undefined);
}

/**
 * Fills a template with the prompt: a string that is exactly `{{messages}}` becomes the messages
 * array, `{{model}}` the model, `{{max_tokens}}`, `{{temperature}}`, `{{top_p}}`, `{{seed}}`,
 * `{{stop}}` the parameter values (or null), `{{prompt}}` the prompt text; inside longer strings
 * `{{prompt}}` and `{{model}}` are replaced as text. Objects and arrays are filled recursively.
 */
export function fillTemplate(template: unknown, prompt: PromptPlan, model: string): unknown {
  const text = promptText(prompt);
  const p = prompt.params;
  const whole: Record<string, unknown> = {
    '{{messages}}': prompt.messages.map((m) => ({ role: m.role, content: m.content })),
    '{{model}}': model,
    '{{prompt}}': text,
    '{{max_tokens}}': p.max_tokens ?? null,
    '{{temperature}}': p.temperature ?? null,
    '{{top_p}}': p.top_p ?? null,
    '{{seed}}': p.seed ?? null,
    '{{stop}}': p.stop ?? null,
  };
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (v in whole) return whole[v];
      return v.split('{{prompt}}').join(text).split('{{model}}').join(model);
    }
    if (Array.isArray(v)) return v.map(fill);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return fill(template);
}

/** The request body for a mapped API: the filled template, or OpenAI-chat-like, then the prompt's raw body. */
export function mappedBody(template: unknown, prompt: PromptPlan, model: string): unknown {
  const base =
    template === undefined
      ? { model, messages: prompt.messages.map((m) => ({ role: m.role, content: m.content })), stream: true, ...samplingParams(prompt.params) }
      : fillTemplate(template, prompt, model);
  return isObject(base) && prompt.body ? { ...base, ...prompt.body } : base;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(str).join('');
  return '';
}

/** Classifies one JSON event through a mapping into packets on a record. */
export class MappedEventHandler {
  private readonly answer: JsonPath;
  /** Undefined: the default, every OpenAI reasoning field of `choices[0].delta`. */
  private readonly thinking?: JsonPath;
  private readonly delta = new JsonPath(DEFAULTS.delta);
  private readonly toolCall: JsonPath;
  private readonly finish: JsonPath;
  private readonly id: JsonPath;
  private readonly error: JsonPath;
  private readonly done?: JsonPath;
  private readonly doneData: string;
  private readonly usage: [keyof Usage, JsonPath][];

  constructor(
    m: JsonStreamMapping,
    private readonly splitter: ThinkTagSplitter | undefined,
  ) {
    this.answer = new JsonPath(m.answer ?? DEFAULTS.answer);
    if (m.thinking !== undefined) this.thinking = new JsonPath(m.thinking);
    this.toolCall = new JsonPath(m.tool_call ?? DEFAULTS.tool_call);
    this.finish = new JsonPath(m.finish_reason ?? DEFAULTS.finish_reason);
    this.id = new JsonPath(m.id ?? DEFAULTS.id);
    this.error = new JsonPath(m.error ?? DEFAULTS.error);
    if (m.done) this.done = new JsonPath(m.done);
    this.doneData = m.done_data ?? '[DONE]';
    const u = m.usage ?? {};
    this.usage = (['prompt_tokens', 'completion_tokens', 'reasoning_tokens', 'cached_tokens'] as const).map((k) => [k, new JsonPath(u[k] ?? DEFAULTS[k])]);
  }

  /** One event's data. Returns false when it was not JSON (the caller reports bad_stream). */
  handle(rec: StreamRecord, t: number, data: string, bytes: number): boolean {
    if (data.trim() === this.doneData) {
      emitStreamEnd(new PacketEmitter(rec, t, bytes), this.splitter, data);
      return true;
    }
    const obj = parseJson(data);
    if (obj === undefined) return false;
    const out = new PacketEmitter(rec, t, bytes);
    const err = this.error.get(obj);
    if (err !== undefined && err !== null && err !== false) {
      out.emit('error', data);
      rec.fail('stream_error', errorMessage(err));
      return true;
    }
    rec.setId(this.id.get(obj));
    const delta = this.thinking ? undefined : this.delta.get(obj);
    const thinking = this.thinking ? str(this.thinking.get(obj)) : isObject(delta) ? reasoningText(delta) : '';
    if (thinking) out.emit('thinking', thinking);
    const answer = str(this.answer.get(obj));
    if (answer) emitContent(out, this.splitter, answer, data);
    const tool = this.toolCall.get(obj);
    if (tool !== undefined && tool !== null && !(Array.isArray(tool) && tool.length === 0) && tool !== '') out.emit('tool_call', data);
    const usage: Usage = {};
    for (const [k, path] of this.usage) {
      const v = path.get(obj);
      if (typeof v === 'number' && Number.isFinite(v)) usage[k] = v;
    }
    const hasUsage = Object.keys(usage).length > 0;
    if (hasUsage) rec.mergeUsage(usage);
    const finish = this.finish.get(obj);
    if (typeof finish === 'string' && finish) rec.setFinish(normalizeFinishReason(finish));
    const isDone = this.done !== undefined && !!this.done.get(obj);
    if (hasUsage && (out.emitted === 0 || isDone)) out.emit('stats', data);
    if (isDone) emitStreamEnd(out, this.splitter, data);
    if (out.emitted === 0) out.emit('other', data);
    return true;
  }
}
