/**
 * Hugging Face Text Generation Inference native streaming (`POST …/generate_stream`). Each SSE
 * event carries one token:
 *   {"index":n,"token":{"id","text","logprob","special"},"generated_text":null,"details":null}
 * and the last one also `generated_text` and `details` (finish_reason, generated_tokens). There is
 * no `[DONE]`: the event with `generated_text` is the done marker.
 *   token (not special)          -> answer (`<think>` tags split out)
 *   special token (eos)          -> other
 *   last event                   -> its token, then stats + done
 *   {"error": "...", "error_type"} -> error + stream_error
 */
import type { PromptPlan } from '../scenario/plan';
import type { AdapterPlan, DecoderContext, HttpRequestSpec, ProtocolAdapter, StreamDecoder } from './adapter';
import { endpointUrl, errorMessage, isObject, nonEmptyString, parseJson } from './adapter';
import { emitContent, flushContent, makeSplitter, PacketEmitter, type OpenAiDecoderOptions } from './openai-chat';
import { jsonSseHeaders } from './openai-common';
import { promptText } from './prompt-text';
import type { SseEvent } from './sse-framer';
import { SseJsonDecoder } from './sse-json-decoder';
import { normalizeFinishReason } from './stream-record';
import type { ThinkTagSplitter } from './think-tags';

export class TgiDecoder extends SseJsonDecoder {
  private readonly splitter: ThinkTagSplitter | undefined;

  constructor(ctx: DecoderContext, opts: OpenAiDecoderOptions = {}) {
    super(ctx);
    this.splitter = makeSplitter(opts.think_tags);
  }

  protected onEvent(e: SseEvent): void {
    const rec = this.record;
    if (e.data.trim() === '[DONE]') {
      flushContent(rec, this.t, this.splitter);
      rec.add(this.t, 'done', e.bytes, e.data);
      rec.complete = true;
      return;
    }
    const obj = parseJson(e.data);
    if (!isObject(obj)) {
      this.badData(e);
      return;
    }
    this.onObject(obj, e.bytes, e.data);
  }

  private onObject(obj: Record<string, unknown>, bytes: number, raw: string): void {
    const rec = this.record;
    const out = new PacketEmitter(rec, this.t, bytes);
    if (obj.error !== undefined && obj.error !== null) {
      out.emit('error', raw);
      rec.fail('stream_error', `${nonEmptyString(obj.error_type) ? `${obj.error_type}: ` : ''}${errorMessage(obj.error)}`);
      return;
    }
    const token = isObject(obj.token) ? obj.token : undefined;
    if (token) {
      if (token.special === true) out.emit('other', raw);
      else if (nonEmptyString(token.text)) emitContent(out, this.splitter, token.text, raw);
      else out.emit('heartbeat', raw);
    }
    if (typeof obj.generated_text === 'string' || isObject(obj.details)) {
      flushContent(rec, this.t, this.splitter);
      const details = isObject(obj.details) ? obj.details : {};
      if (nonEmptyString(details.finish_reason)) rec.setFinish(normalizeFinishReason(details.finish_reason));
      if (typeof details.generated_tokens === 'number') rec.mergeUsage({ completion_tokens: details.generated_tokens });
      if (typeof details.input_length === 'number') rec.mergeUsage({ prompt_tokens: details.input_length });
      else if (Array.isArray(details.prefill) && details.prefill.length > 0) rec.mergeUsage({ prompt_tokens: details.prefill.length });
      if (typeof details.generated_tokens === 'number') rec.server_timing = { ...rec.server_timing, predicted_n: details.generated_tokens };
      out.emit('stats', raw);
      out.emit('done', raw);
      rec.complete = true;
      return;
    }
    if (out.emitted === 0) out.emit('other', raw);
  }

  protected onJsonBody(value: unknown, bytes: number, raw: string): void {
    // /generate (not streaming) answers `{"generated_text": ..., "details": ...}` or a one-element array.
    const obj = Array.isArray(value) ? value[0] : value;
    const rec = this.record;
    // An error object goes the way of a streamed one (onObject), so it is not taken as an error here.
    if (!this.bodyObject(obj, bytes, raw, () => false) || !isObject(obj)) return;
    if (obj.error !== undefined && obj.error !== null) {
      this.onObject(obj, bytes, raw);
      return;
    }
    const out = new PacketEmitter(rec, this.t, bytes);
    if (nonEmptyString(obj.generated_text)) emitContent(out, this.splitter, obj.generated_text, raw);
    flushContent(rec, this.t, this.splitter);
    const details = isObject(obj.details) ? obj.details : {};
    if (nonEmptyString(details.finish_reason)) rec.setFinish(normalizeFinishReason(details.finish_reason));
    if (typeof details.generated_tokens === 'number') rec.mergeUsage({ completion_tokens: details.generated_tokens });
    out.emit('stats', raw);
    rec.complete = true;
  }
}

export class TgiAdapter implements ProtocolAdapter {
  readonly api = 'tgi' as const;
  constructor(
    private readonly plan: AdapterPlan,
    private readonly baseUrl: string,
    private readonly opts: OpenAiDecoderOptions = {},
  ) {}

  buildRequest(prompt: PromptPlan): HttpRequestSpec {
    const p = prompt.params;
    const parameters: Record<string, unknown> = { details: true };
    if (p.max_tokens !== undefined) parameters.max_new_tokens = p.max_tokens;
    // TGI rejects temperature 0; greedy decoding is its default when sampling is off.
    if (p.temperature !== undefined && p.temperature > 0) parameters.temperature = p.temperature;
    if (p.top_p !== undefined && p.top_p < 1) parameters.top_p = p.top_p;
    if (p.stop !== undefined) parameters.stop = p.stop;
    if (p.seed !== undefined) parameters.seed = p.seed;
    const body: Record<string, unknown> = { inputs: promptText(prompt), parameters, stream: true, ...(prompt.body ?? {}) };
    return { url: endpointUrl(this.baseUrl, '/generate_stream'), method: 'POST', headers: jsonSseHeaders(this.plan), body: JSON.stringify(body) };
  }

  createDecoder(ctx: DecoderContext): StreamDecoder {
    return new TgiDecoder(ctx, this.opts);
  }
}
