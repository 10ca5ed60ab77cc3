/**
 * Servers disagree on whether `completion_tokens` counts the reasoning tokens. OpenAI counts them
 * inside (`completion_tokens_details.reasoning_tokens` is a part of `completion_tokens`), and so do
 * DeepSeek, OpenRouter, vLLM, SGLang, llama.cpp, Ollama, Mistral and Anthropic (whose
 * `output_tokens` include thinking). xAI counts them beside it: `total_tokens = prompt +
 * completion + reasoning`. Gemini's OpenAI-compatible endpoint leaves thought tokens out of
 * `completion_tokens` but in `total_tokens`, often without a reasoning count.
 *
 * llmload keeps OpenAI's convention: a usage's `completion_tokens` is every generated token. The
 * convention of the server is read from its numbers, never from its host name
 * (docs/metrics.md, "Output tokens and reasoning"):
 *   1. reasoning > completion                          -> apart (completion cannot hold it)
 *   2. total = prompt + completion + reasoning          -> apart
 *      total = prompt + completion                      -> inside
 *   3. no reasoning count, total > prompt + completion  -> the gap is hidden reasoning
 *   4. no total that fits either: completion - reasoning < the answer packets with text the
 *      client has seen (each carries at least one token) -> apart
 *   otherwise                                          -> inside
 * When apart, the reasoning is added to completion_tokens.
 */

export interface CompletionCounts {
  completion: number;
  reasoning: number | undefined;
}

export function completionWithReasoning(
  prompt: number | undefined,
  completion: number,
  reasoning: number | undefined,
  total: number | undefined,
  answerChunks = 0,
): CompletionCounts {
  const totalKnown = total !== undefined && prompt !== undefined;
  if (reasoning === undefined) {
    if (totalKnown && total > prompt + completion) return { completion: total - prompt, reasoning: total - prompt - completion };
    return { completion, reasoning };
  }
  if (reasoning <= 0) return { completion, reasoning };
  if (reasoning > completion) return { completion: completion + reasoning, reasoning };
  if (totalKnown && total === prompt + completion) return { completion, reasoning };
  if (totalKnown && total === prompt + completion + reasoning) return { completion: completion + reasoning, reasoning };
  if (completion - reasoning < answerChunks) return { completion: completion + reasoning, reasoning };
  return { completion, reasoning };
}
