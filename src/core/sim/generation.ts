/**
 * Plans one simulated response: how many prompt tokens the request has, how long prefill takes,
 * which thinking and answer tokens come out, in which chunks, with which decode delays, and why it
 * stops. All choices come from a seeded generator, so the same seed and prompt give the same plan.
 */
import type { FaultKind, SimProfile } from './profiles';
import type { Rng } from './random';
import { ANSWER_WORDS, THINKING_WORDS } from './words';

/** A request, reduced to what the simulator needs, whatever API it came through. */
export interface SimRequest {
  /** Model named by the request, if any. */
  model?: string;
  /** All prompt text (system, messages, instructions), joined; used to estimate prompt tokens. */
  promptText: string;
  /** Cap on output tokens, thinking and answer together. */
  maxTokens?: number;
  stream: boolean;
  /** openai-*: `stream_options.include_usage`. Other APIs always report usage. */
  includeUsage: boolean;
  /** A seed given in the request body; replaces the per-prompt occurrence count in the response seed. */
  seed?: number;
  /** False when the request turned thinking off (e.g. Anthropic `thinking.type: "disabled"`, Ollama `think: false`). */
  thinking: boolean;
  /** The tool the model calls instead of answering (the request offered tools and did not forbid calling them). */
  tool?: string;
}

/** `tool`: pieces of a tool call's JSON arguments, sent instead of an answer. */
export type Phase = 'thinking' | 'answer' | 'tool';

export interface Chunk {
  phase: Phase;
  /** Text of the chunk: one or more tokens of one phase. */
  text: string;
  tokens: number;
  /** Decode delay before this chunk is sent, ms, at single-stream speed (the first chunk's counts from the end of prefill). */
  delayMs: number;
}

export interface Generation {
  promptTokens: number;
  /** Leading prompt tokens found in the prefix cache: not prefilled again. */
  cachedTokens: number;
  /** Time from admission to the first token: overhead + uncached prompt tokens / prefill rate (+ slow_ttft). */
  prefillMs: number;
  chunks: Chunk[];
  thinkingTokens: number;
  answerTokens: number;
  thinkingText: string;
  answerText: string;
  /** Tool call (when the request offered tools): the tool's name and the JSON arguments text as sent. */
  toolName?: string;
  toolArguments: string;
  toolTokens: number;
  finishReason: FinishReason;
  /** False when the output ended inside the thinking phase. */
  thinkingClosed: boolean;
  /** Engine profiles: prefix-cache keys of the prompt's full 16-token blocks (see prefix-cache.ts). */
  promptKeys?: number[];
}

/** Why the output ended: `tool_calls` when it ended with a complete tool call. */
export type FinishReason = 'stop' | 'length' | 'tool_calls';

/** Characters per token of the prompt-length estimate (documented in docs/simulator.md). */
export const CHARS_PER_TOKEN = 4;

/** Estimated prompt tokens: ceil(characters / 4), at least 1. */
export function estimatePromptTokens(promptText: string): number {
  return Math.max(1, Math.ceil(promptText.length / CHARS_PER_TOKEN));
}

export interface PlanOptions {
  profile: SimProfile;
  request: SimRequest;
  rng: Rng;
  /** Generation-shaping fault, if any. */
  fault?: FaultKind;
  /** Fault argument: ms for slow_ttft. */
  faultArg?: number;
  /** openai-chat think_tags mode: wrap thinking in `<think>` / `</think>` tokens sent as content. */
  thinkTags: boolean;
  /** Prompt tokens served from the prefix cache (0 when caching is off or nothing matched). */
  cachedTokens?: number;
}

export function planGeneration(opts: PlanOptions): Generation {
  const { profile, request, rng, fault } = opts;
  const promptTokens = estimatePromptTokens(request.promptText);

  // Draw every random choice before applying any cap, so a cap only cuts the same text shorter.
  let thinkingCount = request.thinking ? rng.int(profile.thinking_tokens[0], profile.thinking_tokens[1]) : 0;
  let answerCount = rng.int(Math.max(1, profile.answer_tokens[0]), Math.max(1, profile.answer_tokens[1]));
  if (fault === 'truncated_thinking') thinkingCount = Math.max(thinkingCount, 8);
  const thinkingWords = words(rng, THINKING_WORDS, thinkingCount);
  const answerWords = words(rng, ANSWER_WORDS, answerCount);
  // A tool call's arguments are a JSON object around the same words: {"query": "<words>"}.
  const toolPieces = request.tool ? ['{"query": "', ...answerWords, '"}'] : [];
  const thinking: string[] = [...thinkingWords];
  if (opts.thinkTags && thinking.length > 0) {
    if (profile.think_tags_split) {
      if (!profile.think_tags_omit_open) thinking.unshift('<th', 'ink>');
      thinking.push('</th', 'ink>');
    } else {
      if (!profile.think_tags_omit_open) thinking.unshift('<think>');
      thinking.push('</think>');
    }
    answerWords[0] = '\n\n' + answerWords[0];
  }
  const tokenDelays: number[] = [];
  const base = 1000 / profile.decode_tokens_per_s;
  for (let i = 0; i < thinking.length + answerWords.length; i++) {
    tokenDelays.push(base * (1 + profile.jitter * (2 * rng.next() - 1)));
  }
  // Drawn last, so offering tools changes nothing drawn before.
  for (let i = 0; i < toolPieces.length - answerWords.length; i++) tokenDelays.push(base * (1 + profile.jitter * (2 * rng.next() - 1)));

  const finalPhase: Phase = request.tool ? 'tool' : 'answer';
  let thinkingTokens = thinking;
  // The phase after thinking: the answer, or the tool call's argument pieces.
  let answerTokens: string[] = request.tool ? toolPieces : answerWords;
  let finishReason: FinishReason = request.tool ? 'tool_calls' : 'stop';
  let thinkingClosed = true;

  if (fault === 'empty_answer') {
    answerTokens = [];
    finishReason = 'stop';
  }
  if (fault === 'truncated_thinking') {
    // Stop inside the thinking phase, as a length limit would: half of the thinking, no closing tag.
    thinkingTokens = thinking.slice(0, Math.max(1, Math.floor(thinkingWords.length / 2)));
    answerTokens = [];
    finishReason = 'length';
    thinkingClosed = false;
  }
  const cap = request.maxTokens;
  if (cap !== undefined && thinkingTokens.length + answerTokens.length > cap) {
    finishReason = 'length';
    if (thinkingTokens.length >= cap) {
      const closed = thinkingTokens.length === cap && fault !== 'truncated_thinking';
      thinkingTokens = thinkingTokens.slice(0, cap);
      thinkingClosed = closed && thinkingTokens.length > 0;
      answerTokens = [];
    } else {
      answerTokens = answerTokens.slice(0, cap - thinkingTokens.length);
    }
  }

  const chunks: Chunk[] = [];
  let tokenIndex = 0;
  const pushPhase = (phase: Phase, tokens: string[]): void => {
    for (let i = 0; i < tokens.length; i += profile.tokens_per_chunk) {
      const group = tokens.slice(i, i + profile.tokens_per_chunk);
      let delayMs = 0;
      for (let k = 0; k < group.length; k++) {
        const d = tokenDelays[tokenIndex++];
        // The first token of the response is produced by prefill, so it adds no decode delay.
        if (chunks.length > 0 || k > 0) delayMs += d;
      }
      chunks.push({ phase, text: group.join(''), tokens: group.length, delayMs });
    }
  };
  pushPhase('thinking', thinkingTokens);
  pushPhase(finalPhase, answerTokens);

  const cachedTokens = Math.max(0, Math.min(opts.cachedTokens ?? 0, promptTokens - 1));
  let prefillMs = profile.overhead_ms + ((promptTokens - cachedTokens) * 1000) / profile.prefill_tokens_per_s;
  if (fault === 'slow_ttft') prefillMs += opts.faultArg ?? profile.slow_ttft_ms;

  return {
    promptTokens,
    cachedTokens,
    prefillMs,
    chunks,
    thinkingTokens: thinkingTokens.length,
    answerTokens: request.tool ? 0 : answerTokens.length,
    thinkingText: thinkingTokens.join(''),
    answerText: request.tool ? '' : answerTokens.join(''),
    toolName: request.tool && answerTokens.length > 0 ? request.tool : undefined,
    toolArguments: request.tool ? answerTokens.join('') : '',
    toolTokens: request.tool ? answerTokens.length : 0,
    finishReason,
    thinkingClosed,
  };
}

/** `count` pseudo-words as tokens: the first capitalized, later ones with a leading space, some punctuation, a final period. */
function words(rng: Rng, list: readonly string[], count: number): string[] {
  const out: string[] = [];
  let capital = true;
  for (let i = 0; i < count; i++) {
    let w = list[rng.int(0, list.length - 1)];
    if (capital) w = w.charAt(0).toUpperCase() + w.slice(1);
    capital = false;
    const r = rng.next();
    if (i === count - 1) w += '.';
    else if (r < 0.07) {
      w += '.';
      capital = true;
    } else if (r < 0.15) w += ',';
    out.push(i === 0 ? w : ' ' + w);
  }
  return out;
}
