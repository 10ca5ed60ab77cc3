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
import { endpointUrl, errorMessage, isObject, jsonSseHeaders, nonEmptyString, parseJson } from './adapter';
import type { HttpApiDefinition } from './api-definition';
import { emitContent, emitStreamEnd, flushContent, PacketEmitter } from './packet-emitter';
import { promptText } from './prompt-text';
import type { SseEvent } from './sse-framer';
import { SseJsonDecoder } from './sse-json-decoder';
import { normalizeFinishReason } from './stream-record';

export class TgiDecoder extends SseJsonDecoder {
  protected onEvent(e: SseEvent): void {
    if (e.data.trim() === '[DONE]') {
      emitStreamEnd(new PacketEmitter(this.record, this.t, e.bytes), this.splitter, e.data);
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
      const details = isObject(obj.details) ? obj.details : {};
      if (nonEmptyString(details.finish_reason)) rec.setFinish(normalizeFinishReason(details.finish_reason));
      if (typeof details.generated_tokens === 'number') rec.mergeUsage({ completion_tokens: details.generated_tokens });
      if (typeof details.input_length === 'number') rec.mergeUsage({ prompt_tokens: details.input_length });
      else if (Array.isArray(details.prefill) && details.prefill.length > 0) rec.mergeUsage({ prompt_tokens: details.prefill.length });
      if (typeof details.generated_tokens === 'number') rec.server_timing = { ...rec.server_timing, predicted_n: details.generated_tokens };
      emitStreamEnd(out, this.splitter, raw, true);
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

export const tgiApi: HttpApiDefinition = {
  api: 'tgi',
  transport: 'http',

  buildRequest(prompt, { plan, baseUrl }) {
    const p = prompt.params;
    const parameters: Record<string, unknown> = { details: true };
    if (p.max_tokens !== undefined) parameters.max_new_tokens = p.max_tokens;
    // TGI rejects temperature 0; greedy decoding is its default when sampling is off.
    if (p.temperature !== undefined && p.temperature > 0) parameters.temperature = p.temperature;
    if (p.top_p !== undefined && p.top_p < 1) parameters.top_p = p.top_p;
    if (p.stop !== undefined) parameters.stop = p.stop;
    if (p.seed !== undefined) parameters.seed = p.seed;
    const body: Record<string, unknown> = { inputs: promptText(prompt), parameters, stream: true, ...(prompt.body ?? {}) };
    return { url: endpointUrl(baseUrl, '/generate_stream'), method: 'POST', headers: jsonSseHeaders(plan), body: JSON.stringify(body) };
  },

  createDecoder: (ctx, settings) => new TgiDecoder(ctx, settings),
};
