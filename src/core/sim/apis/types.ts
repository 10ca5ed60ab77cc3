/**
 * The contract each simulated API implements: parse its request body into a SimRequest, format
 * its errors, encode a stream of chunks into its wire frames, and build its non-streaming body.
 */
import type { Chunk, FinishReason, Generation, SimRequest } from '../generation';
import type { SimProfile } from '../profiles';

/** Final numbers of a response, handed to the encoder's last frames. */
export interface FinishSummary {
  finishReason: FinishReason;
  promptTokens: number;
  /** Prompt tokens served from the prefix cache. */
  cachedTokens: number;
  /** Output tokens actually sent, thinking included. */
  completionTokens: number;
  reasoningTokens: number;
  thinkingText: string;
  answerText: string;
  /** The tool call, when the output was one. */
  toolName?: string;
  toolArguments: string;
  /** Measured phases, ms: queue + prefill until the first token, decode from first to last token, whole response. */
  prefillMs: number;
  decodeMs: number;
  totalMs: number;
}

export interface ResponseContext {
  /** The response id (also sent in the `x-llmload-sim-response-id` header). */
  id: string;
  /** Model name echoed in the response. */
  model: string;
  /** Unix seconds. */
  created: number;
  request: SimRequest;
  profile: SimProfile;
  promptTokens: number;
  cachedTokens: number;
}

/** Turns one response's events into wire frames (each string is written, and logged, separately). */
export interface StreamEncoder {
  /** Frames sent with the headers, before any token (e.g. the OpenAI role chunk, Anthropic message_start). */
  start(): string[];
  /** A keep-alive frame sent while the client waits for the first token, or undefined when the API has none. */
  keepAlive(): string | undefined;
  /** Frames of one output chunk; `final` is given with the last chunk of a response that ends normally. */
  chunk(chunk: Chunk, final?: FinishSummary): string[];
  /** Closing frames: finish reason, usage, done marker. */
  finish(summary: FinishSummary): string[];
  /** An error reported inside the 200 stream, and whatever the API sends after it. */
  streamError(message: string): string[];
  /** A frame that cannot be parsed. */
  garbage(): string[];
}

export type SimApiName = 'openai-chat' | 'openai-completions' | 'openai-responses' | 'anthropic' | 'ollama' | 'tgi' | 'websocket';

export interface ParsedRequest {
  request?: SimRequest;
  error?: string;
}

export interface SimApi {
  name: SimApiName;
  /** Response id prefix; the simulator appends a counter. */
  idPrefix: string;
  /** Content type of the stream. */
  streamContentType: string;
  parse(body: unknown): ParsedRequest;
  /** True when this API sends thinking as `<think>` tags inside the answer text (given the profile). */
  thinkTags(profile: SimProfile): boolean;
  /** The JSON body of an HTTP error in this API's style. */
  errorBody(status: number, message: string): unknown;
  encoder(ctx: ResponseContext): StreamEncoder;
  /** The JSON body of a non-streaming response. */
  completeBody(ctx: ResponseContext, gen: Generation, summary: FinishSummary): unknown;
}

/** ISO 8601 time with microseconds, as Ollama's `created_at`. */
export function isoNow(): string {
  return new Date().toISOString().replace('Z', '000Z');
}

/** An SSE `data:` frame holding JSON. */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** An SSE frame with an `event:` line. */
export function sseEvent(event: string, value: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(value)}\n\n`;
}

/** The tool the model should call: the first offered tool's name, unless calling is forbidden. */
export function offeredTool(tools: unknown, name: (tool: Record<string, unknown>) => unknown, forbidden: boolean): string | undefined {
  if (forbidden || !Array.isArray(tools) || tools.length === 0 || !isRecord(tools[0])) return undefined;
  const n = name(tools[0]);
  return typeof n === 'string' && n !== '' ? n : undefined;
}

/** Text of a message `content` that is a string or an array of text parts; '' for anything else. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === 'string') return part;
        if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
          return (part as { text: string }).text;
        }
        return '';
      })
      .join('\n');
  }
  return '';
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A positive integer option, or undefined when absent; a string error when present but invalid. */
export function optionalPositiveInt(body: Record<string, unknown>, key: string): number | undefined | string {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return `${key} must be a positive integer`;
  return v;
}
