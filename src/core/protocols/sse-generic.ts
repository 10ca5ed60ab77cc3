/**
 * Any SSE API: the scenario says where the request body goes and, with JSON paths, where each
 * event keeps the answer, thinking, usage, finish reason and done flag (see SseApiConfig).
 */
import type { PromptPlan } from '../scenario/plan';
import type { AdapterPlan, DecoderContext, HttpRequestSpec, ProtocolAdapter, StreamDecoder } from './adapter';
import { endpointUrl } from './adapter';
import { MappedEventHandler, mappedBody, type SseApiConfig } from './json-mapping';
import { makeSplitter, type OpenAiDecoderOptions } from './openai-chat';
import { jsonSseHeaders } from './openai-common';
import type { SseEvent } from './sse-framer';
import { SseJsonDecoder } from './sse-json-decoder';

export class GenericSseDecoder extends SseJsonDecoder {
  private readonly handler: MappedEventHandler;

  constructor(ctx: DecoderContext, config: SseApiConfig, opts: OpenAiDecoderOptions = {}) {
    super(ctx);
    this.handler = new MappedEventHandler(config, makeSplitter(opts.think_tags));
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

export class GenericSseAdapter implements ProtocolAdapter {
  readonly api = 'sse' as const;
  constructor(
    private readonly plan: AdapterPlan,
    private readonly baseUrl: string,
    private readonly config: SseApiConfig = {},
    private readonly opts: OpenAiDecoderOptions = {},
  ) {}

  buildRequest(prompt: PromptPlan): HttpRequestSpec {
    const url = this.config.path ? endpointUrl(this.baseUrl, this.config.path) : this.baseUrl;
    return { url, method: 'POST', headers: jsonSseHeaders(this.plan), body: JSON.stringify(mappedBody(this.config.body, prompt, this.plan.model)) };
  }

  createDecoder(ctx: DecoderContext): StreamDecoder {
    return new GenericSseDecoder(ctx, this.config, this.opts);
  }
}
