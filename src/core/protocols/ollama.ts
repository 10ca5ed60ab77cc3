/**
 * Ollama native API (`POST /api/chat`, NDJSON; `/api/generate` records are read too). One JSON
 * object per line:
 *   message.thinking (or top-level `thinking`)          -> thinking
 *   message.content (or `response`; `<think>` split out) -> answer
 *   message.tool_calls                                    -> tool_call
 *   a record with nothing in it and done: false           -> heartbeat
 *   the final record (done: true)                         -> stats (eval_count, prompt_eval_count,
 *                                                            durations) + done
 *   {"error": "..."}                                      -> error + stream_error
 */
import type { DecoderContext, StreamDecoder } from './adapter';
import { errorMessage, isObject, nonEmptyString, parseJson, requestHeaders } from './adapter';
import type { HttpApiDefinition } from './api-definition';
import { NdjsonFramer } from './ndjson-framer';
import { emitContent, emitStreamEnd, makeSplitter, PacketEmitter, type DecoderOptions } from './packet-emitter';
import { normalizeFinishReason, StreamRecord } from './stream-record';
import type { ThinkTagSplitter } from './think-tags';

const NS_PER_MS = 1e6;

export class OllamaDecoder implements StreamDecoder {
  readonly record = new StreamRecord();
  private readonly framer: NdjsonFramer;
  private readonly splitter: ThinkTagSplitter | undefined;
  private t = 0;

  constructor(_ctx: DecoderContext, opts: DecoderOptions = {}) {
    this.splitter = makeSplitter(opts.think_tags);
    this.framer = new NdjsonFramer({
      line: (text, bytes) => this.guard(() => this.onLine(text, bytes, false)),
      trailing: (text, bytes) => this.guard(() => this.onLine(text, bytes, true)),
      overflow: (bytes) => this.record.fail('bad_stream', `NDJSON line longer than ${bytes} bytes`),
    });
  }

  push(chunk: Uint8Array, t_ms: number): void {
    this.t = t_ms;
    this.framer.push(chunk);
  }

  end(t_ms: number): void {
    this.t = t_ms;
    this.framer.end();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.record.fail('bad_stream', `decoder failed: ${(err as Error).message}`);
    }
  }

  private onLine(text: string, bytes: number, trailing: boolean): void {
    const rec = this.record;
    const obj = parseJson(text);
    if (!isObject(obj)) {
      rec.add(this.t, 'other', bytes, text);
      // A record cut off by a disconnect is not bad data: the missing done record says enough.
      if (!trailing) rec.fail('bad_stream', `NDJSON line is not a JSON object: ${text.slice(0, 200)}`);
      return;
    }
    const out = new PacketEmitter(rec, this.t, bytes);
    if (obj.error !== undefined && obj.error !== null) {
      out.emit('error', text);
      rec.fail('stream_error', errorMessage(obj.error));
      return;
    }
    const msg = isObject(obj.message) ? obj.message : {};
    const thinking = nonEmptyString(msg.thinking) ? msg.thinking : nonEmptyString(obj.thinking) ? obj.thinking : '';
    const content = nonEmptyString(msg.content) ? msg.content : nonEmptyString(obj.response) ? obj.response : '';
    if (thinking) out.emit('thinking', thinking);
    if (content) emitContent(out, this.splitter, content, text);
    if (Array.isArray(msg.tool_calls) && msg.tool_calls.length > 0) out.emit('tool_call', text);
    if (obj.done === true) {
      const usage: Record<string, number> = {};
      if (typeof obj.prompt_eval_count === 'number') usage.prompt_tokens = obj.prompt_eval_count;
      if (typeof obj.eval_count === 'number') usage.completion_tokens = obj.eval_count;
      rec.mergeUsage(usage);
      const timing: Record<string, number> = {};
      for (const [k, name] of [
        ['total_duration', 'total_ms'],
        ['load_duration', 'load_ms'],
        ['prompt_eval_duration', 'prompt_eval_ms'],
        ['eval_duration', 'eval_ms'],
      ] as const) {
        const v = obj[k];
        if (typeof v === 'number' && Number.isFinite(v)) timing[name] = v / NS_PER_MS;
      }
      if (Object.keys(timing).length > 0) rec.server_timing = timing;
      rec.setFinish(normalizeFinishReason(nonEmptyString(obj.done_reason) ? obj.done_reason : 'stop'));
      emitStreamEnd(out, this.splitter, text, true);
      return;
    }
    if (out.emitted === 0) out.emit('heartbeat', text);
  }
}

export const ollamaApi: HttpApiDefinition = {
  api: 'ollama',
  transport: 'http',

  buildRequest(prompt, { plan, baseUrl }) {
    const p = prompt.params;
    const options: Record<string, unknown> = {};
    if (p.max_tokens !== undefined) options.num_predict = p.max_tokens;
    if (p.temperature !== undefined) options.temperature = p.temperature;
    if (p.top_p !== undefined) options.top_p = p.top_p;
    if (p.stop !== undefined) options.stop = p.stop;
    if (p.seed !== undefined) options.seed = p.seed;
    const body: Record<string, unknown> = {
      model: plan.model,
      messages: prompt.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
    };
    if (Object.keys(options).length > 0) body.options = options;
    Object.assign(body, prompt.body ?? {});
    const headers = requestHeaders(plan, { 'content-type': 'application/json', accept: 'application/x-ndjson' });
    return { url: ollamaChatUrl(baseUrl), method: 'POST', headers, body: JSON.stringify(body) };
  },

  createDecoder: (ctx, settings) => new OllamaDecoder(ctx, settings),
};

/** `http://host:11434` -> `/api/chat`; `…/api` -> `…/api/chat`; a URL ending in `/api/chat` or `/api/generate` as is. */
export function ollamaChatUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  const path = (() => {
    try {
      return new URL(base).pathname;
    } catch {
      return base;
    }
  })();
  if (/\/api\/(chat|generate)$/.test(path)) return base;
  if (path.endsWith('/api')) return `${base}/chat`;
  return `${base}/api/chat`;
}
