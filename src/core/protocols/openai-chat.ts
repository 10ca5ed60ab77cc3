/**
 * OpenAI Chat Completions (`POST …/chat/completions`, `stream: true`), as served by OpenAI, vLLM,
 * SGLang, TGI's Messages API, llama.cpp, Ollama's /v1 and most gateways. The decoder also reads the
 * legacy Completions chunks (`choices[].text`).
 *
 * Classification of one `data:` chunk:
 *   delta.reasoning_content / reasoning / reasoning_details text -> thinking
 *   delta.content (non-empty; `<think>` tags split out)           -> answer (or thinking;
 *                                                                   `other` while it may be a tag)
 *   delta.content as an array of parts (Mistral, Vertex)          -> `thinking` parts: thinking,
 *                                                                   `text` parts: answer, in order
 *   delta.tool_calls                                               -> tool_call
 *   choices: [] with usage (or usage with an empty delta)          -> stats (`x_groq.usage` too)
 *   empty delta, no finish_reason                                   -> heartbeat
 *   role only / finish_reason only                                  -> other
 *   {"error": …}                                                    -> error + stream_error
 *   [DONE]                                                          -> done
 * One chunk can yield several packets (thinking and answer); the first carries the event's bytes.
 */
import type { DecoderContext } from './adapter';
import { endpointUrl, errorMessage, isObject, jsonSseHeaders, nonEmptyString, parseJson } from './adapter';
import type { HttpApiDefinition } from './api-definition';
import { forEachContentPart, readUsage, reasoningText, samplingParams } from './openai-common';
import type { SseEvent } from './sse-framer';
import { ChatScanMemory, sharedChatScanner, type ChatChunkFields, type ChatChunkScanner } from './openai-chat-scan';
import { emitContent, emitPlainContent, emitSplitContent, emitStreamEnd, PacketEmitter, type DecoderOptions } from './packet-emitter';
import { SseJsonDecoder } from './sse-json-decoder';
import type { ThinkTagSplitter } from './think-tags';
import { llamaCppTimings } from '../server-metrics/request-timing';

// websocket-client.ts still imports makeSplitter from here; its home is packet-emitter.ts.
export { makeSplitter } from './packet-emitter';

export interface OpenAiDecoderOptions extends DecoderOptions {
  /** `false`: parse every chunk in full, never with the scanner (tests compare the two). Default: on. */
  fast_scan?: boolean;
}

/**
 * The output of a delta's or message's `content`: a string (through the `<think>` splitter), or an
 * array of content parts (Mistral's thinking and text parts; text parts go through the splitter).
 * False when it carried no text.
 */
export function emitContentValue(out: PacketEmitter, splitter: ThinkTagSplitter | undefined, content: unknown, raw: string): boolean {
  if (nonEmptyString(content)) {
    emitContent(out, splitter, content, raw);
    return true;
  }
  if (!Array.isArray(content)) return false;
  let any = false;
  forEachContentPart(content, (kind, text) => {
    any = true;
    if (kind === 'thinking') out.emit('thinking', text);
    else emitContent(out, splitter, text, raw);
  });
  return any;
}

/** Groq reports usage under `x_groq.usage` (older API versions) instead of `usage`. */
function usageOf(obj: Record<string, unknown>): Record<string, unknown> | undefined {
  if (isObject(obj.usage)) return obj.usage;
  if (isObject(obj.x_groq) && isObject(obj.x_groq.usage)) return obj.x_groq.usage;
  return undefined;
}

export class OpenAiChatDecoder extends SseJsonDecoder {
  private readonly scanner: ChatChunkScanner | undefined;
  /** What the scanner learned from this stream's chunks (template, envelope). */
  private readonly scanMemory: ChatScanMemory | undefined;
  private readonly out: PacketEmitter;

  constructor(ctx: DecoderContext, opts: OpenAiDecoderOptions = {}) {
    super(ctx, opts);
    this.scanner = opts.fast_scan === false ? undefined : sharedChatScanner;
    this.scanMemory = this.scanner ? new ChatScanMemory() : undefined;
    this.out = new PacketEmitter(this.record, 0, 0);
  }

  /**
   * The chunk as the scanner read it (see openai-chat-scan.ts): the same packets, in the same
   * order, and the same usage, as the full parse below gives for a chunk of at most one choice
   * without error or tool calls.
   */
  private onScanned(bytes: number, data: string, f: ChatChunkFields): void {
    const rec = this.record;
    rec.setId(f.id);
    const out = this.out.reset(this.t, bytes);
    let finished = false;
    let role = false;
    if (f.choiceIsObject) {
      const reasoning = nonEmptyString(f.reasoningContent) ? f.reasoningContent : nonEmptyString(f.reasoning) ? f.reasoning : '';
      if (reasoning.length > 0) out.emit('thinking', reasoning);
      if (nonEmptyString(f.content)) emitContent(out, this.splitter, f.content, data);
      else if (nonEmptyString(f.text)) emitContent(out, this.splitter, f.text, data);
      if (nonEmptyString(f.role)) role = true;
      if (nonEmptyString(f.finishReason)) {
        rec.setFinish(f.finishReason);
        finished = true;
      }
    }
    // as in the full parse: after this chunk's own output, and a `stats` packet when it had none
    const usage = f.usage;
    if (usage !== undefined) rec.mergeUsage(readUsage(usage, rec.answer_chunks));
    if (out.emitted > 0) return;
    if (usage !== undefined) out.emit('stats', data);
    else if (finished || role) out.emit('other', data);
    else if (f.choices > 0) out.emit('heartbeat', data);
    else out.emit('other', data);
  }

  /**
   * A one-line event as a span of its read: a chunk of the stream's template (a server's text
   * chunks) is read without a string for its data, and when it carries text alone its packets are
   * emitted as onScanned would; any other event goes the way of onEvent.
   */
  protected override onDataSpan(text: string, from: number, to: number, bytes: number): void {
    const sc = this.scanner;
    if (sc === undefined || !sc.scanTemplateSpan(text, from, to, this.scanMemory!)) {
      super.onDataSpan(text, from, to, bytes);
      return;
    }
    const f = sc.fields;
    if (!f.isTextOnly()) {
      this.onScanned(bytes, text.slice(from, to), f);
      return;
    }
    this.record.setId(f.id);
    const out = this.out.reset(this.t, bytes);
    const content = f.content as string;
    if (!emitPlainContent(out, this.splitter, content)) emitSplitContent(out, this.splitter!, content, text.slice(from, to));
  }

  protected onEvent(e: SseEvent): void {
    const rec = this.record;
    const data = e.data.trim();
    if (data === '[DONE]') {
      emitStreamEnd(this.out.reset(this.t, e.bytes), this.splitter, e.data);
      return;
    }
    if (this.scanner && e.event !== 'error' && this.scanner.scan(data, this.scanMemory)) {
      this.onScanned(e.bytes, e.data, this.scanner.fields);
      return;
    }
    const obj = parseJson(data);
    if (!isObject(obj)) {
      this.badData(e);
      return;
    }
    if (e.event === 'error' || (obj.error !== undefined && obj.error !== null)) {
      rec.add(this.t, 'error', e.bytes, e.data);
      rec.fail('stream_error', errorMessage(obj.error ?? obj));
      return;
    }
    rec.setId(obj.id);
    const usage = usageOf(obj);
    const hasUsage = usage !== undefined;
    const choices = Array.isArray(obj.choices) ? obj.choices : [];
    const out = this.out.reset(this.t, e.bytes);
    let finished = false;
    let role = false;
    for (const c of choices) {
      if (!isObject(c)) continue;
      const delta = isObject(c.delta) ? c.delta : isObject(c.message) ? c.message : {};
      const reasoning = reasoningText(delta);
      if (reasoning.length > 0) out.emit('thinking', reasoning);
      if (!emitContentValue(out, this.splitter, delta.content, e.data) && nonEmptyString(c.text)) emitContent(out, this.splitter, c.text, e.data); // /completions
      if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) out.emit('tool_call', e.data);
      if (nonEmptyString(delta.role)) role = true;
      if (nonEmptyString(c.finish_reason)) {
        rec.setFinish(c.finish_reason);
        finished = true;
      }
    }
    // after this chunk's own output: the answer packets seen so far tell the usage's convention
    if (hasUsage) rec.mergeUsage(readUsage(usage, rec.answer_chunks));
    const timings = llamaCppTimings(obj.timings);
    if (timings) rec.server_timing = { ...rec.server_timing, ...timings };
    if (out.emitted > 0) return;
    if (hasUsage) out.emit('stats', e.data);
    else if (finished || role) out.emit('other', e.data);
    else if (choices.length > 0) out.emit('heartbeat', e.data);
    else out.emit('other', e.data);
  }

  protected onJsonBody(body: unknown, bytes: number, raw: string): void {
    const opened = this.openJsonBody(body, bytes, raw);
    if (!opened) return;
    const { body: value, out } = opened;
    const rec = this.record;
    const choices = Array.isArray(value.choices) ? value.choices : [];
    for (const c of choices) {
      if (!isObject(c)) continue;
      const msg = isObject(c.message) ? c.message : isObject(c.delta) ? c.delta : {};
      const reasoning = reasoningText(msg);
      if (reasoning.length > 0) out.emit('thinking', reasoning);
      if (!emitContentValue(out, this.splitter, msg.content, raw) && nonEmptyString(c.text)) emitContent(out, this.splitter, c.text, raw);
      if (Array.isArray(msg.tool_calls) && msg.tool_calls.length > 0) out.emit('tool_call', JSON.stringify(msg.tool_calls));
      rec.setFinish(c.finish_reason);
    }
    const timings = llamaCppTimings(value.timings);
    if (timings) rec.server_timing = { ...rec.server_timing, ...timings };
    this.finishJsonBody(out, usageOf(value), raw);
  }
}

export const openAiChatApi: HttpApiDefinition = {
  api: 'openai-chat',
  transport: 'http',

  buildRequest(prompt, { plan, baseUrl }) {
    const body: Record<string, unknown> = {
      model: plan.model,
      messages: prompt.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      stream_options: { include_usage: true },
      ...samplingParams(prompt.params),
      ...(prompt.body ?? {}),
    };
    // Newer OpenAI models reject max_tokens next to max_completion_tokens: the raw body wins.
    if (prompt.body && 'max_completion_tokens' in prompt.body && !('max_tokens' in prompt.body)) delete body.max_tokens;
    return {
      url: endpointUrl(baseUrl, '/chat/completions'),
      method: 'POST',
      headers: jsonSseHeaders(plan),
      body: JSON.stringify(body),
    };
  },

  createDecoder: (ctx, settings) => new OpenAiChatDecoder(ctx, settings),
};
