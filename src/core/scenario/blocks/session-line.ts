/**
 * Multi-turn sessions: `session [turns N] [think DURATION]` in a prompt block (its user lines are
 * the turns, in order; turns past the last user line repeat it) and `sessions [turns N] [think
 * DURATION]` in a sharegpt dataset (each conversation's human turns, in order, at most N). Every
 * turn after the first sends the earlier turns with the model's actual answers (src/core/load/session.ts).
 */
import type { Message, SessionPlan, SharegptDatasetPlan } from '../plan';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import type { DatasetChild, PromptChild, PromptNode, SessionNode } from '../tree';

/** Most turns a session may have. */
export const MAX_SESSION_TURNS = 1000;

export const SESSION_WORD: Record<string, string> = {
  session: 'A multi-turn conversation: session turns 4 think 2s (each turn sends the earlier turns with the model\'s answers; the user lines are the turns)',
};

export const SESSIONS_WORD: Record<string, string> = {
  sessions: 'Replay each conversation turn by turn with the model\'s own answers: sessions turns 4 think 2s',
};

/** `session [turns N] [think DURATION]` (or `sessions ...`): the options in any order, each at most once. */
export function parseSession(p: ParseCore, rl: RawLine): SessionNode {
  const ts = rl.lex.tokens;
  const kw = ts[0].value;
  const node: SessionNode = { kind: 'session', ...p.base(rl) };
  const usage = `${kw} turns 4 think 2s (both optional)`;
  let i = 1;
  while (i < ts.length) {
    const t = ts[i]!;
    const option = t.quoted ? undefined : t.value;
    if (option !== 'turns' && option !== 'think') {
      p.extra(rl, i, usage, ['turns', 'think']);
      return node;
    }
    if ((option === 'turns' && node.turns) || (option === 'think' && node.think)) {
      p.error(p.tokR(rl, t), `${option} is given twice; write ${usage}`);
      return node;
    }
    const next = ts[i + 1];
    if (!next || (!next.quoted && (next.value === 'turns' || next.value === 'think'))) {
      p.error(p.tokR(rl, t), option === 'turns' ? `turns needs a number of turns, e.g. ${kw} turns 4` : `think needs the pause between turns, e.g. ${kw} think 2s`);
      return node;
    }
    if (option === 'turns') {
      const { q, next: after } = p.quantity(rl, i + 1, 'integer', 'turns', `write a whole number of turns, e.g. ${kw} turns 4`);
      node.turns = p.bounded(q, 'turns', 1, MAX_SESSION_TURNS);
      if (!node.turns) return node;
      i = after;
    } else {
      const { q, next: after } = p.quantity(rl, i + 1, 'duration', 'think');
      if (!q) return node;
      node.think = q;
      i = after;
    }
  }
  return node;
}

function sessionLine(r: Resolution, children: readonly (PromptChild | DatasetChild)[], what: string): SessionNode | undefined {
  const seen = new Map<string, number>();
  let first: SessionNode | undefined;
  for (const c of children) {
    if (c.kind !== 'session') continue;
    if (r.repeated(seen, 'session', c, what)) continue;
    first = c;
  }
  return first;
}

/**
 * A prompt's session, from its `session` line and its turns (`messages`, resolved): the system turns
 * open every request, the user turns are the turns. An assistant line has no place in a session:
 * the model's own answers are the assistant turns.
 */
export function resolvePromptSession(r: Resolution, node: PromptNode, messages: readonly Message[] | undefined): SessionPlan | undefined {
  const { children, turns } = node;
  const line = sessionLine(r, children, '"session" line');
  if (!line) return undefined;
  for (const t of turns) {
    if (t.role === 'assistant') r.error(t.keyword.range, 'a session sends the model\'s own answers as the assistant turns; remove this assistant line, or the session line');
  }
  if (!messages || turns.some((t) => t.role === 'assistant')) return undefined;
  const users = messages.filter((m) => m.role === 'user').map((m) => m.content);
  if (users.length === 0) return undefined;
  const plan: SessionPlan = { preamble: messages.filter((m) => m.role === 'system'), users, turns: line.turns?.value ?? users.length };
  if (line.think) plan.think_ms = line.think.value;
  if (plan.turns === 1 && !node.broken) r.warning(line.keyword.range, 'a session of one turn sends no history; write session turns 4 (later turns repeat the last user line) or add a user line per turn');
  return plan;
}

/** A sharegpt dataset's `sessions` line. */
export function resolveDatasetSessions(r: Resolution, children: readonly DatasetChild[]): SharegptDatasetPlan['sessions'] {
  const line = sessionLine(r, children, '"sessions" line');
  if (!line) return undefined;
  const out: NonNullable<SharegptDatasetPlan['sessions']> = {};
  if (line.turns) out.turns = line.turns.value;
  if (line.think) out.think_ms = line.think.value;
  return out;
}

/**
 * A conversation's session (`sessions` in a sharegpt dataset): its leading system turns open every
 * request, its human turns are the turns (at most `turns`); its recorded answers are left out, the
 * model's actual answers take their place. Undefined without a human turn.
 */
export function conversationSession(conversation: readonly Message[], opts: NonNullable<SharegptDatasetPlan['sessions']>): SessionPlan | undefined {
  const preamble: Message[] = [];
  for (const m of conversation) {
    if (m.role !== 'system') break;
    preamble.push(m);
  }
  const users = conversation.filter((m) => m.role === 'user').map((m) => m.content);
  if (users.length === 0) return undefined;
  const plan: SessionPlan = { preamble, users, turns: Math.min(users.length, opts.turns ?? users.length) };
  if (opts.think_ms !== undefined) plan.think_ms = opts.think_ms;
  return plan;
}
