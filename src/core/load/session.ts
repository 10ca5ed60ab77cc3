/**
 * Multi-turn sessions (a prompt's `session` line, a sharegpt dataset's `sessions`): a virtual user
 * holds one conversation. Turn N+1 sends the session's preamble, each earlier turn's user message
 * with the model's actual answer to it (the answer text as received, never the thinking), then its
 * own user message; the session's think time passes between turns. A failed turn ends its session
 * (its record says so); the load goes on with the next session.
 *
 * Closed loop: a user runs a whole session, then pauses its `think` and starts the next one.
 * Open loop: each arrival starts a session, whose later turns follow the earlier ones' ends.
 */
import type { RequestRecord } from '../metrics/record';
import type { Message, PromptPlan, SessionPlan } from '../scenario/plan';

/** One turn being sent: which session and turn, and (set by the sender) the answer text received. */
export interface TurnContext {
  session: number;
  /** 1-based. */
  turn: number;
  answer?: string;
  /** Set by markTurn: the turn's record. */
  record?: RequestRecord;
}

/** The user message of turn `turn` (1-based): turns past the last user message repeat it. */
export function userMessage(s: SessionPlan, turn: number): string {
  return s.users[Math.min(turn, s.users.length) - 1]!;
}

/** The request of the turn after `answers.length` earlier ones: preamble, earlier turns with their answers, this turn's user message. */
export function turnPrompt(prompt: PromptPlan, answers: readonly string[]): PromptPlan {
  const s = prompt.session!;
  const messages: Message[] = [...s.preamble];
  for (let j = 0; j < answers.length; j++) messages.push({ role: 'user', content: userMessage(s, j + 1) }, { role: 'assistant', content: answers[j]! });
  messages.push({ role: 'user', content: userMessage(s, answers.length + 1) });
  return { ...prompt, messages };
}

/** Marks a turn's record with its session and turn, and keeps the answer of an ok turn for the next one. */
export function markTurn(rec: RequestRecord, answerText: string, ctx: TurnContext | undefined): void {
  if (!ctx) return;
  rec.session = ctx.session;
  rec.turn = ctx.turn;
  ctx.record = rec;
  if (rec.status === 'ok') ctx.answer = answerText;
}

export interface SessionHooks {
  /** Sends one turn's request; calls markTurn with the context it is given. */
  send(prompt: PromptPlan, ctx: TurnContext): Promise<RequestRecord>;
  /** The pause between turns (woken early by a stop). */
  pause(ms: number): Promise<void>;
  /** True when no further turn may start (a stop, the schedule's end). */
  over(nextAt_ms: number): boolean;
  now(): number;
}

/**
 * Runs a whole session: its turns in order, each after the previous one ended and the think time
 * passed. Returns the last turn's record (the one that decides a closed-loop user's backoff).
 */
export async function runSession(prompt: PromptPlan, session: number, thinkMs: number, hooks: SessionHooks): Promise<RequestRecord> {
  const s = prompt.session!;
  const answers: string[] = [];
  let last!: RequestRecord;
  for (let turn = 1; turn <= s.turns; turn++) {
    if (turn > 1) {
      if (hooks.over(hooks.now() + thinkMs)) break;
      if (thinkMs > 0) await hooks.pause(thinkMs);
      if (hooks.over(hooks.now())) break;
    }
    const ctx: TurnContext = { session, turn };
    last = await hooks.send(turn === 1 ? prompt : turnPrompt(prompt, answers), ctx);
    // A failed turn ends its session: the next turn would lack this turn's answer.
    if (ctx.answer === undefined) break;
    answers.push(ctx.answer);
  }
  return last;
}
