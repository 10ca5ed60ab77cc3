/**
 * The contract each simulated API implements: parse its request body into a SimRequest, format
 * its errors, encode a stream of chunks into its wire frames, and build its non-streaming body.
 * The helpers the APIs share are in request-fields.ts (reading) and frames.ts (writing).
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

export interface ParsedRequest {
  request?: SimRequest;
  error?: string;
}

/** One simulated API (a front end); apis/registry.ts maps its path to it. */
export interface SimApi {
  /** The API's name as docs/simulator.md lists it (two routes of one API share it). */
  name: string;
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
