/**
 * The protocols layer's public API: `createClient` returns a client that sends one prompt as a
 * streaming request and resolves with every packet, timestamped where its bytes arrived.
 */
import type { RunPlan } from '../scenario/plan';
import type { ProtocolAdapter } from './adapter';
import { HttpProtocolClient, type ProtocolClient } from './http-client';
import { OpenAiChatAdapter } from './openai-chat';
import type { ThinkTagOptions } from './think-tags';

export type { SentRequest, ProtocolClient } from './http-client';
export type { ProtocolAdapter, StreamDecoder, HttpRequestSpec, DecoderContext } from './adapter';
export type { ThinkTagOptions } from './think-tags';
export * from './types';

export type ClientPlan = Pick<RunPlan, 'api' | 'model' | 'timeouts' | 'headers' | 'key'>;

export interface ClientOptions {
  /** Connection pool size, default 256. */
  connections?: number;
  /** `<think>` tag splitting of answer text; `false` turns it off. Default: on, `<think>`/`</think>`. */
  think_tags?: ThinkTagOptions | false;
}

export function createAdapter(plan: ClientPlan, baseUrl: string, opts: ClientOptions = {}): ProtocolAdapter {
  switch (plan.api) {
    case 'openai-chat':
      return new OpenAiChatAdapter(plan, baseUrl, { think_tags: opts.think_tags });
    default:
      throw new Error(`API ${plan.api} is not supported yet`);
  }
}

export function createClient(plan: ClientPlan, baseUrl: string, opts: ClientOptions = {}): ProtocolClient {
  const adapter = createAdapter(plan, baseUrl, opts);
  const origin = new URL(baseUrl).origin;
  return new HttpProtocolClient(adapter, plan.timeouts, origin, opts.connections ?? 256);
}
