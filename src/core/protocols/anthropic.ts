/**
 * Anthropic Messages API (`POST …/messages`, `stream: true`). Named SSE events:
 *
 *   message_start                          -> other (id, input token counts)
 *   content_block_start                    -> tool_call for tool_use blocks; thinking/answer when
 *                                             the block starts with text; other otherwise
 *   content_block_delta  thinking_delta    -> thinking
 *                        text_delta        -> answer (`<think>` tags split out)
 *                        input_json_delta  -> tool_call
 *                        signature_delta, citations_delta -> other
 *   content_block_stop                     -> other
 *   message_delta                          -> stats (stop_reason, cumulative output tokens)
 *   message_stop                           -> done
 *   ping                                   -> heartbeat
 *   error                                  -> error + stream_error
 * Unknown event types are `other`, as Anthropic's versioning policy asks.
 */
import { endpointUrl, errorMessage, isObject, nonEmptyString, parseJson, requestHeaders } from './adapter';
import type { HttpApiDefinition } from './api-definition';
import { readUsage } from './openai-common';
import { emitContent, emitStreamEnd, PacketEmitter } from './packet-emitter';
import type { SseEvent } from './sse-framer';
import { SseJsonDecoder } from './sse-json-decoder';
import { normalizeFinishReason } from './stream-record';

export const ANTHROPIC_VERSION = '2023-06-01';
/** `max_tokens` is required by the Messages API; used when the scenario gives none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

export class AnthropicDecoder extends SseJsonDecoder {
  protected onEvent(e: SseEvent): void {
    const obj = parseJson(e.data);
    if (!isObject(obj)) {
      this.badData(e);
      return;
    }
    const rec = this.record;
    const out = new PacketEmitter(rec, this.t, e.bytes);
    const type = typeof obj.type === 'string' ? obj.type : (e.event ?? '');
    switch (type) {
      case 'ping':
        out.emit('heartbeat', e.data);
        return;
      case 'error':
        out.emit('error', e.data);
        rec.fail('stream_error', errorMessage(obj.error ?? obj));
        return;
      case 'message_start': {
        const msg = isObject(obj.message) ? obj.message : {};
        rec.setId(msg.id);
        if (isObject(msg.usage)) rec.mergeUsage(readUsage(msg.usage));
        out.emit('other', e.data);
        return;
      }
      case 'content_block_start': {
        const block = isObject(obj.content_block) ? obj.content_block : {};
        if (block.type === 'tool_use' || block.type === 'server_tool_use') out.emit('tool_call', e.data);
        else if (block.type === 'thinking' && nonEmptyString(block.thinking)) out.emit('thinking', block.thinking);
        else if (block.type === 'text' && nonEmptyString(block.text)) emitContent(out, this.splitter, block.text, e.data);
        else out.emit('other', e.data);
        return;
      }
      case 'content_block_delta': {
        const delta = isObject(obj.delta) ? obj.delta : {};
        if (delta.type === 'thinking_delta' && nonEmptyString(delta.thinking)) out.emit('thinking', delta.thinking);
        else if (delta.type === 'text_delta' && nonEmptyString(delta.text)) emitContent(out, this.splitter, delta.text, e.data);
        else if (delta.type === 'input_json_delta') out.emit('tool_call', e.data);
        else if (delta.type === 'thinking_delta' || delta.type === 'text_delta') out.emit('heartbeat', e.data);
        else out.emit('other', e.data);
        return;
      }
      case 'message_delta': {
        const delta = isObject(obj.delta) ? obj.delta : {};
        if (nonEmptyString(delta.stop_reason)) rec.setFinish(normalizeFinishReason(delta.stop_reason));
        if (isObject(obj.usage)) rec.mergeUsage(readUsage(obj.usage));
        out.emit('stats', e.data);
        return;
      }
      case 'message_stop':
        emitStreamEnd(out, this.splitter, e.data);
        return;
      default:
        out.emit('other', e.data);
    }
  }

  protected onJsonBody(body: unknown, bytes: number, raw: string): void {
    const opened = this.openJsonBody(body, bytes, raw, (o) => o.type === 'error' || (o.error !== undefined && o.error !== null));
    if (!opened) return;
    const { body: value, out } = opened;
    const rec = this.record;
    for (const block of Array.isArray(value.content) ? value.content : []) {
      if (!isObject(block)) continue;
      if (block.type === 'thinking' && nonEmptyString(block.thinking)) out.emit('thinking', block.thinking);
      else if (block.type === 'text' && nonEmptyString(block.text)) emitContent(out, this.splitter, block.text, raw);
      else if (block.type === 'tool_use') out.emit('tool_call', JSON.stringify(block));
    }
    if (nonEmptyString(value.stop_reason)) rec.setFinish(normalizeFinishReason(value.stop_reason));
    this.finishJsonBody(out, value.usage, raw);
  }
}

export const anthropicApi: HttpApiDefinition = {
  api: 'anthropic',
  transport: 'http',

  buildRequest(prompt, { plan, baseUrl }) {
    const p = prompt.params;
    const system = prompt.messages.filter((m) => m.role === 'system').map((m) => m.content);
    const body: Record<string, unknown> = {
      model: plan.model,
      max_tokens: p.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages: prompt.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, content: m.content })),
      stream: true,
    };
    if (system.length > 0) body.system = system.join('\n\n');
    if (p.temperature !== undefined) body.temperature = p.temperature;
    if (p.top_p !== undefined) body.top_p = p.top_p;
    if (p.stop !== undefined) body.stop_sequences = p.stop;
    Object.assign(body, prompt.body ?? {});
    const headers = requestHeaders(plan, { 'content-type': 'application/json', accept: 'text/event-stream', 'anthropic-version': ANTHROPIC_VERSION }, (key) => ({ 'x-api-key': key }));
    return { url: endpointUrl(baseUrl, '/messages'), method: 'POST', headers, body: JSON.stringify(body) };
  },

  createDecoder: (ctx, settings) => new AnthropicDecoder(ctx, settings),
};
