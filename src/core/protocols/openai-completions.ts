/**
 * OpenAI legacy Completions (`POST …/completions`, `prompt` instead of `messages`). The stream has
 * the chat chunk shape with `choices[].text`, so the chat decoder reads it.
 */
import type { PromptPlan } from '../scenario/plan';
import type { AdapterPlan, DecoderContext, HttpRequestSpec, ProtocolAdapter, StreamDecoder } from './adapter';
import { endpointUrl } from './adapter';
import { OpenAiChatDecoder, type OpenAiDecoderOptions } from './openai-chat';
import { jsonSseHeaders, samplingParams } from './openai-common';
import { promptText } from './prompt-text';

export class OpenAiCompletionsAdapter implements ProtocolAdapter {
  readonly api = 'openai-completions' as const;
  constructor(
    private readonly plan: AdapterPlan,
    private readonly baseUrl: string,
    private readonly opts: OpenAiDecoderOptions = {},
  ) {}

  buildRequest(prompt: PromptPlan): HttpRequestSpec {
    const body: Record<string, unknown> = {
      model: this.plan.model,
      prompt: promptText(prompt),
      stream: true,
      stream_options: { include_usage: true },
      ...samplingParams(prompt.params),
      ...(prompt.body ?? {}),
    };
    return { url: endpointUrl(this.baseUrl, '/completions'), method: 'POST', headers: jsonSseHeaders(this.plan), body: JSON.stringify(body) };
  }

  createDecoder(ctx: DecoderContext): StreamDecoder {
    return new OpenAiChatDecoder(ctx, this.opts);
  }
}
