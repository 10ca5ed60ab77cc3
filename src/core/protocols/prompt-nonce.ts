/**
 * Per-request nonces for a synthetic dataset's `unique` prompts: each request writes its own words
 * into the prompt's placeholder span (see PromptNonce), so no two requests of a run send the same
 * prompt and the server's prefix cache cannot serve more than the shared prefix. The words are
 * single tokens of the scenario's tokenizer, checked when the prompts were made, so the prompt's
 * counted length still holds.
 */
import type { PromptNonce, PromptPlan } from '../scenario/plan';
import type { ProtocolClient, SentRequest } from './http-client';

/** The nonce text for number `k`: its digits in base `words.length`, lowest first, one word each. */
export function nonceText(n: PromptNonce, k: number): string {
  const base = n.words.length;
  let rest = Math.floor(k);
  let text = '';
  for (let i = 0; i < n.length; i++) {
    const w = n.words[rest % base]!;
    rest = Math.floor(rest / base);
    text += i === 0 && n.opening ? w : ` ${w}`;
  }
  return text;
}

/** How many distinct nonces a prompt has. */
export function nonceCapacity(n: PromptNonce): number {
  return n.words.length ** n.length;
}

/** The prompt with nonce `k` written into its placeholder; the prompt itself when it has no nonce. */
export function withNonce(prompt: PromptPlan, k: number): PromptPlan {
  const n = prompt.nonce;
  if (!n || prompt.messages.length === 0) return prompt;
  const [first, ...rest] = prompt.messages;
  const content = first!.content.slice(0, n.at) + nonceText(n, k % nonceCapacity(n)) + first!.content.slice(n.end);
  return { ...prompt, messages: [{ ...first!, content }, ...rest] };
}

/**
 * A client that gives every prompt with a nonce a new one per request: the k-th request of load
 * thread `shard.index` (of `shard.count`) gets nonce k × count + index, so threads never collide.
 */
export function uniquePrompts(client: ProtocolClient, shard: { index: number; count: number } = { index: 0, count: 1 }): ProtocolClient {
  let sent = 0;
  return {
    send(prompt: PromptPlan, signal?: AbortSignal): Promise<SentRequest> {
      if (!prompt.nonce) return client.send(prompt, signal);
      const k = sent++ * shard.count + shard.index;
      return client.send(withNonce(prompt, k), signal);
    },
    close: () => client.close(),
    // The wrapper is invisible to the runner: connection figures are the wrapped client's.
    ...(client.connectionStats ? { connectionStats: () => client.connectionStats!() } : {}),
  };
}
