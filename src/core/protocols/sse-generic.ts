/**
 * Any SSE API: the scenario says where the request body goes and, with JSON paths, where each
 * event keeps the answer, thinking, usage, finish reason and done flag (see SseApiConfig).
 */
import type { DecoderContext } from './adapter';
import { endpointUrl, jsonSseHeaders } from './adapter';
import type { HttpApiDefinition } from './api-definition';
import { MappedEventHandler, mappedBody, type SseApiConfig } from './json-mapping';
import type { DecoderOptions } from './packet-emitter';
import type { SseEvent } from './sse-framer';
import { SseJsonDecoder } from './sse-json-decoder';

export class GenericSseDecoder extends SseJsonDecoder {
  private readonly handler: MappedEventHandler;

  constructor(ctx: DecoderContext, config: SseApiConfig, opts: DecoderOptions = {}) {
    super(ctx, opts);
    this.handler = new MappedEventHandler(config, this.splitter);
  }

  protected onEvent(e: SseEvent): void {
    if (!this.handler.handle(this.record, this.t, e.data, e.bytes)) this.badData(e);
  }

  protected onJsonBody(_value: unknown, bytes: number, raw: string): void {
    // A whole JSON body is read as one event.
    this.handler.handle(this.record, this.t, raw, bytes);
    this.record.complete = true;
  }
}

export const genericSseApi: HttpApiDefinition = {
  api: 'sse',
  transport: 'http',

  buildRequest(prompt, { plan, baseUrl, settings }) {
    const config = settings.sse ?? {};
    const url = config.path ? endpointUrl(baseUrl, config.path) : baseUrl;
    return { url, method: 'POST', headers: jsonSseHeaders(plan), body: JSON.stringify(mappedBody(config.body, prompt, plan.model)) };
  },

  createDecoder: (ctx, settings) => new GenericSseDecoder(ctx, settings.sse ?? {}, settings),
};
