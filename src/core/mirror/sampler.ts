/**
 * Which requests are copied to the shadow: whole conversations, not single requests, so that a
 * sampled chat sends every one of its turns and the shadow's prefix cache sees what the primary's
 * sees. A conversation is named by, in order: the body's user field; else the API key's hash with
 * the system prompt and the first user message (every turn of one chat repeats both). The name is
 * hashed (SHA-256) to a number in [0, 1) and compared with the sample fraction: the same
 * conversation gets the same answer every time, in every process.
 */
import { createHash } from 'node:crypto';
import type { BodyFacts } from './routes';

/** A short stable hash of a text, hex. */
export function shortHash(text: string, chars = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

/**
 * The conversation id of a request: `u-<hash>` when the body names its user, `c-<hash>` of the key
 * hash, system prompt and first user message otherwise. Never holds the key or prompt text.
 */
export function conversationId(facts: BodyFacts, keyHash: string | undefined): string {
  if (facts.user !== undefined) return `u-${shortHash(`user\0${facts.user}`)}`;
  return `c-${shortHash(`${keyHash ?? ''}\0${facts.system ?? ''}\0${facts.firstUser ?? ''}`)}`;
}

/** `10%`, `0.1`, `100%`, `0` → a fraction in [0, 1]; an Error that says what to write otherwise. */
export function parseSampleFraction(text: string): number {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  const v = pct ? Number(pct[1]) / 100 : /^\d+(?:\.\d+)?$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new Error(`--sample takes a share of conversations, e.g. 10% or 0.1 (0 to 100%), got "${text}"`);
  return v;
}

/** Where a conversation falls in [0, 1): the first 48 bits of its SHA-256. */
export function conversationPoint(conversation: string): number {
  const h = createHash('sha256').update(`sample\0${conversation}`).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}

export class ConversationSampler {
  constructor(readonly fraction: number) {}

  /** True when this conversation's requests are copied to the shadow. */
  sampled(conversation: string): boolean {
    if (this.fraction >= 1) return true;
    if (this.fraction <= 0) return false;
    return conversationPoint(conversation) < this.fraction;
  }
}
