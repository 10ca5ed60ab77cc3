/**
 * Conversation threads for the capture: which earlier request a chat turn continues. A turn's
 * messages are the previous turn's messages, the assistant's answer, and the new user message; so
 * a request whose history up to its last assistant message equals an earlier request's messages
 * continues that request's thread. Any other request starts a new thread, named after its
 * sampling conversation (./sampler.ts) and a counter, so that four users sending the same first
 * prompt are four threads, sent side by side on replay, each in its own order.
 */
import { createHash } from 'node:crypto';

function historyHash(system: unknown, messages: readonly unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify(system ?? null))
    .update('\0')
    .update(JSON.stringify(messages))
    .digest('base64');
}

export class ConversationThreads {
  /** Hash of a request's (system, messages) → its thread; the oldest entries go first beyond capacity. */
  private readonly byHistory = new Map<string, string>();
  private readonly roots = new Map<string, number>();

  constructor(private readonly capacity = 100_000) {}

  /** The thread of a request with this body; `base` names a new thread (the sampling conversation). */
  threadOf(body: unknown, base: string): string {
    const b = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const messages = Array.isArray(b.messages) ? b.messages : Array.isArray(b.input) ? b.input : undefined;
    const system = b.system ?? b.instructions;
    if (!messages) return this.newThread(base);
    let thread: string | undefined;
    for (let i = messages.length - 1; i > 0; i--) {
      const m = messages[i] as { role?: unknown } | null;
      if (m && typeof m === 'object' && m.role === 'assistant') {
        thread = this.byHistory.get(historyHash(system, messages.slice(0, i)));
        break;
      }
    }
    thread ??= this.newThread(base);
    const key = historyHash(system, messages);
    this.byHistory.delete(key);
    this.byHistory.set(key, thread);
    if (this.byHistory.size > this.capacity) this.byHistory.delete(this.byHistory.keys().next().value!);
    return thread;
  }

  private newThread(base: string): string {
    const n = (this.roots.get(base) ?? 0) + 1;
    this.roots.set(base, n);
    if (this.roots.size > this.capacity) this.roots.delete(this.roots.keys().next().value!);
    return n === 1 ? base : `${base}.${n}`;
  }
}
