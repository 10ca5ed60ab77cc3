/**
 * OpenAI Responses API (`POST …/responses`, `stream: true`): typed SSE events, no `[DONE]`; the
 * stream ends with `response.completed`, `response.incomplete` or `response.failed`.
 *
 *   response.output_text.delta, response.refusal.delta             -> answer
 *   response.reasoning_text.delta, response.reasoning_summary_text.delta,
 *   response.reasoning.delta, response.reasoning_summary.delta      -> thinking
 *   response.function_call_arguments.delta, a function_call item    -> tool_call
 *   response.completed / response.incomplete                        -> stats (usage) + done
 *   response.failed, error                                          -> error + stream_error
 *   everything else (created, in_progress, *.added, *.done)         -> other
 */
import { endpointUrl, errorMessage, isObject, jsonSseHeaders, nonEmptyString, parseJson } from './adapter';
import type { HttpApiDefinition } from './api-definition';
import { readUsage } from './openai-common';
import { emitContent, emitStreamEnd, flushContent, PacketEmitter } from './packet-emitter';
import type { SseEvent } from './sse-framer';
import { SseJsonDecoder } from './sse-json-decoder';
import { normalizeFinishReason } from './stream-record';

const THINKING_DELTAS = new Set([
  'response.reasoning_text.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning.delta',
  'response.reasoning_summary.delta',
]);
const ANSWER_DELTAS = new Set(['response.output_text.delta', 'response.refusal.delta']);

function deltaText(d: unknown): string {
  if (typeof d === 'string') return d;
  if (isObject(d) && typeof d.text === 'string') return d.text;
  return '';
}

export class OpenAiResponsesDecoder extends SseJsonDecoder {
  protected onEvent(e: SseEvent): void {
    const obj = parseJson(e.data);
    if (!isObject(obj)) {
      this.badData(e);
      return;
    }
    this.onObject(obj, e.bytes, e.data, e.event);
  }

  private onObject(obj: Record<string, unknown>, bytes: number, raw: string, eventName?: string): void {
    const rec = this.record;
    const type = typeof obj.type === 'string' ? obj.type : (eventName ?? '');
    const out = new PacketEmitter(rec, this.t, bytes);
    const response = isObject(obj.response) ? obj.response : undefined;
    if (response) rec.setId(response.id);
    if (type === 'error') {
      out.emit('error', raw);
      rec.fail('stream_error', errorMessage(obj));
      return;
    }
    if (type === 'response.failed') {
      out.emit('error', raw);
      rec.fail('stream_error', response && response.error ? errorMessage(response.error) : 'response.failed');
      return;
    }
    if (ANSWER_DELTAS.has(type)) {
      const text = deltaText(obj.delta);
      if (text.length > 0) emitContent(out, this.splitter, text, raw);
      else out.emit('heartbeat', raw);
      return;
    }
    if (THINKING_DELTAS.has(type)) {
      const text = deltaText(obj.delta);
      out.emit(text.length > 0 ? 'thinking' : 'heartbeat', text.length > 0 ? text : raw);
      return;
    }
    if (type === 'response.function_call_arguments.delta' || (type === 'response.output_item.added' && isObject(obj.item) && obj.item.type === 'function_call')) {
      out.emit('tool_call', raw);
      return;
    }
    if (type === 'response.completed' || type === 'response.incomplete') {
      // Flushed first: the usage's convention is told by the answer packets, held-back text included.
      flushContent(rec, this.t, this.splitter);
      if (response) {
        if (isObject(response.usage)) rec.mergeUsage(readUsage(response.usage, rec.answer_chunks));
        const details = isObject(response.incomplete_details) ? response.incomplete_details : undefined;
        if (type === 'response.incomplete') rec.setFinish(normalizeFinishReason(nonEmptyString(details?.reason) ? details.reason : 'incomplete'));
        else {
          const output = Array.isArray(response.output) ? response.output : [];
          rec.setFinish(output.some((o) => isObject(o) && o.type === 'function_call') ? 'tool_calls' : 'stop');
        }
      }
      emitStreamEnd(out, undefined, raw, !!response && isObject(response.usage));
      return;
    }
    out.emit('other', raw);
  }

  protected onJsonBody(body: unknown, bytes: number, raw: string): void {
    // A whole response object: its output items in order, then usage.
    const opened = this.openJsonBody(body, bytes, raw);
    if (!opened) return;
    const { body: value, out } = opened;
    const rec = this.record;
    const output = Array.isArray(value.output) ? value.output : [];
    for (const item of output) {
      if (!isObject(item)) continue;
      if (item.type === 'reasoning') {
        const parts = [...(Array.isArray(item.content) ? item.content : []), ...(Array.isArray(item.summary) ? item.summary : [])];
        const text = parts.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
        if (text) out.emit('thinking', text);
      } else if (item.type === 'message' && Array.isArray(item.content)) {
        const text = item.content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : isObject(p) && typeof p.refusal === 'string' ? p.refusal : '')).join('');
        if (text) emitContent(out, this.splitter, text, raw);
      } else if (item.type === 'function_call') {
        out.emit('tool_call', JSON.stringify(item));
      }
    }
    const details = isObject(value.incomplete_details) ? value.incomplete_details : undefined;
    rec.setFinish(value.status === 'incomplete' ? normalizeFinishReason(nonEmptyString(details?.reason) ? details.reason : 'incomplete') : 'stop');
    this.finishJsonBody(out, value.usage, raw);
  }
}

export const openAiResponsesApi: HttpApiDefinition = {
  api: 'openai-responses',
  transport: 'http',

  buildRequest(prompt, { plan, baseUrl }) {
    const p = prompt.params;
    const body: Record<string, unknown> = {
      model: plan.model,
      input: prompt.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
    };
    if (p.max_tokens !== undefined) body.max_output_tokens = p.max_tokens;
    if (p.temperature !== undefined) body.temperature = p.temperature;
    if (p.top_p !== undefined) body.top_p = p.top_p;
    Object.assign(body, prompt.body ?? {});
    return { url: endpointUrl(baseUrl, '/responses'), method: 'POST', headers: jsonSseHeaders(plan), body: JSON.stringify(body) };
  },

  createDecoder: (ctx, settings) => new OpenAiResponsesDecoder(ctx, settings),
};
