/**
 * OpenAI legacy Completions (`POST …/completions`, `prompt` instead of `messages`). The stream has
 * the chat chunk shape with `choices[].text`, so the chat decoder reads it.
 */
import { endpointUrl, jsonSseHeaders } from './adapter';
import type { HttpApiDefinition } from './api-definition';
import { OpenAiChatDecoder } from './openai-chat';
import { samplingParams } from './openai-common';
import { promptText } from './prompt-text';

export const openAiCompletionsApi: HttpApiDefinition = {
  api: 'openai-completions',
  transport: 'http',

  buildRequest(prompt, { plan, baseUrl }) {
    const body: Record<string, unknown> = {
      model: plan.model,
      prompt: promptText(prompt),
      stream: true,
      stream_options: { include_usage: true },
      ...samplingParams(prompt.params),
      ...(prompt.body ?? {}),
    };
    return { url: endpointUrl(baseUrl, '/completions'), method: 'POST', headers: jsonSseHeaders(plan), body: JSON.stringify(body) };
  },

  createDecoder: (ctx, settings) => new OpenAiChatDecoder(ctx, settings),
};
