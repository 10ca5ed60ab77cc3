/**
 * Scenario options the protocol adapters read, as the plan carries them: how `<think>` tags in
 * answer text are split (`think_tags`), and the JSON mapping of the generic `sse` and `websocket`
 * APIs (the `sse` / `websocket` blocks). Plain shapes below scenario/ and protocols/, so the plan
 * needs nothing from the adapters; protocols/think-tags.ts and protocols/json-mapping.ts use them.
 */

export interface ThinkTagOptions {
  /** Opening tag, default `<think>`. */
  open?: string;
  /** Closing tag, default `</think>`. */
  close?: string;
  /**
   * `true`: output starts inside thinking, before any opening tag (a chat template that already
   * opened it, e.g. DeepSeek-R1, QwQ). `false`: text before an opening tag is answer, always.
   * `'auto'` (default): text that does not start with the opening tag is answer until a closing tag
   * shows that it was thinking; the splitter then reports `retro` and the caller relabels it.
   */
  starts_in_thinking?: boolean | 'auto';
}

/** JSON paths into each event/message. Every field is optional; the defaults read OpenAI chat chunks. */
export interface JsonStreamMapping {
  /** Answer text, default `choices[0].delta.content`. */
  answer?: string;
  /** Thinking text; default the OpenAI delta's `reasoning_content`, `reasoning` or `reasoning_details`. */
  thinking?: string;
  /** Present and non-empty: a tool_call packet. Default `choices[0].delta.tool_calls`. */
  tool_call?: string;
  /** Server token counts, default the OpenAI `usage` fields. */
  usage?: { prompt_tokens?: string; completion_tokens?: string; reasoning_tokens?: string; cached_tokens?: string };
  /** Default `choices[0].finish_reason`. */
  finish_reason?: string;
  /** Response id, default `id`. */
  id?: string;
  /** Present and not null: an error event. Default `error`. */
  error?: string;
  /** Truthy in the last event (e.g. `done`, `is_final`). Default: none (only `done_data` ends the stream). */
  done?: string;
  /** Raw event data that marks the end, default `[DONE]`. */
  done_data?: string;
}

/** Scenario config for `api: sse`. */
export interface SseApiConfig extends JsonStreamMapping {
  /** Appended to the base URL; default none (the URL is the endpoint). */
  path?: string;
  /** Request body template (see `fillTemplate`); default an OpenAI-chat-like body. */
  body?: unknown;
}

/** Scenario config for `api: websocket`. */
export interface WebSocketApiConfig extends JsonStreamMapping {
  /** The message sent after the socket opens (see `fillTemplate`); default an OpenAI-chat-like body. */
  message?: unknown;
}
