/**
 * `choice`: multiple choice, letters A to E. The letter is read from "the answer is (B)",
 * "Answer: B", `\boxed{B}`, "**B**", a reply that is only "B" or "(B)" or "B." or "B) text";
 * failing those, the last standalone capital A–E in parentheses. Expected answers may be written
 * as a letter or as "(C)".
 */
import type { Grader } from './types';

const PATTERNS: RegExp[] = [
  /\\boxed\{\s*\(?([A-E])\)?\s*\}/g,
  /(?:the\s+)?(?:correct\s+|final\s+)?answer\s*(?:is|:)\s*(?:option\s+)?\**\(?([A-E])\b\)?/gi,
  /\*\*\(?([A-E])\)?\*\*/g,
];

export function extractChoice(text: string): string | undefined {
  const t = text.trim();
  const alone = /^\(?([A-E])\)?(?:[.):]|\s|$)/.exec(t);
  if (alone && (t.length <= 3 || /^\(?[A-E][.)]/.test(t))) return alone[1]!.toUpperCase();
  for (const re of PATTERNS) {
    let last: string | undefined;
    for (const m of t.matchAll(re)) last = m[1];
    if (last) return last.toUpperCase();
  }
  let last: string | undefined;
  for (const m of t.matchAll(/\(([A-E])\)/g)) last = m[1];
  return last;
}

export const choiceGrader: Grader = {
  name: 'choice',
  extract: extractChoice,
  equal(extracted, expected) {
    const e = /^\s*\(?([A-Ea-e])\)?\s*\.?\s*$/.exec(expected);
    return e !== null && extracted.toUpperCase() === e[1]!.toUpperCase();
  },
};
