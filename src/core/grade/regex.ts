/**
 * `regex`: the expected answer is a regular expression (JavaScript syntax, case-insensitive);
 * the reply is correct when the pattern is found in it. Nothing is unparsed: a non-empty reply
 * either matches or not. A pattern that does not compile makes every reply wrong.
 */
import type { Grader } from './types';

const cache = new Map<string, RegExp | null>();

function compile(pattern: string): RegExp | null {
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'i');
    } catch {
      re = null;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** The pattern's problem, or undefined when it compiles (for a clear error before a run). */
export function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'i');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export const regexGrader: Grader = {
  name: 'regex',
  extract(answerText) {
    const t = answerText.trim();
    return t === '' ? undefined : t;
  },
  equal(extracted, expected) {
    const re = compile(expected);
    return re !== null && re.test(extracted);
  },
};
