/** `prompt "NAME" [weight N]` with its indented turns and request parameters: parsing and resolution. */
import type { PromptPlan } from '../plan';
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import type { PromptChild, PromptNode, TopNode } from '../tree';
import type { BlockModule } from './block';
import { PARAMS, TURNS, parseBlockChild, parseWeight, resolveMessages, resolveParams } from './request-lines';
import { SESSION_WORD, resolvePromptSession } from './session-line';

const PROMPT_WORDS: Record<string, string> = { ...TURNS, ...PARAMS, seed: 'Sampling seed sent with the request', ...SESSION_WORD };

export function parsePrompt(p: ParseCore, rl: RawLine): TopNode {
  const ts = rl.lex.tokens;
  const node: PromptNode = { kind: 'prompt', ...p.base(rl), headerRange: p.lineR(rl), children: [], turns: [], broken: false };
  let i = 1;
  if (!ts[1] || (ts[1].value === 'weight' && !ts[1].quoted)) {
    p.error(p.lineR(rl), 'prompt needs a name, e.g. prompt "short question"');
    node.broken = true;
  } else {
    node.name = p.one(rl, ts[1]);
    i = 2;
  }
  const w = parseWeight(p, rl, i, 'prompt "NAME" weight N');
  node.weight = w.q;
  if (w.bad) node.broken = true;
  const errorsBefore = p.errors;
  for (const c of rl.children) {
    const child = parseBlockChild(p, c, 'prompt', PROMPT_WORDS);
    node.children.push(child as PromptChild);
    if (child.kind === 'turn') node.turns.push(child);
  }
  if (p.errors > errorsBefore) node.broken = true;
  return node;
}

export const prompt: BlockModule = {
  directives: {
    prompt: { doc: 'A prompt: prompt "name" [weight N], then indented turns and request parameters', parse: parsePrompt },
  },
  contexts: { prompt: PROMPT_WORDS },
};

// ---- resolution --------------------------------------------------------------------------------

export function resolvePrompts(r: Resolution): PromptPlan[] {
  const out: PromptPlan[] = [];
  const names = new Map<string, number>();
  for (const p of r.tree.statements) {
    if (p.kind !== 'prompt') continue;
    const name = r.text(p.name);
    if (name !== undefined) {
      if (names.has(name)) r.error(p.name!.range, `duplicate prompt name "${name}"; the first is on line ${names.get(name)! + 1}`);
      else names.set(name, p.range.start.line);
    }
    const messages = resolveMessages(r, p.turns);
    if (!p.broken && !p.turns.some((t) => t.role === 'user')) {
      r.error(p.name?.range ?? p.keyword.range, `prompt "${name ?? ''}" has no user turn; add an indented line like: user What is the capital of France?`);
    }
    const { params, body } = resolveParams(r, p.children);
    const session = resolvePromptSession(r, p, messages);
    if (name === undefined || messages === undefined) continue;
    const plan: PromptPlan = { name, weight: p.weight?.value ?? 1, messages, params };
    if (body) plan.body = body;
    if (session) {
      plan.session = session;
      plan.messages = [...session.preamble, { role: 'user', content: session.users[0]! }];
    }
    out.push(plan);
  }
  return out;
}
