/** Grader names, without the graders (the scenario parser needs the names only). */
import type { GraderName } from './types';

export const GRADER_NAMES: readonly GraderName[] = ['math', 'exact', 'number', 'choice', 'regex'];

/** The grader a dataset gets without a `grader` line: `math` when its answers are boxed or LaTeX, else `exact`. */
export function defaultGrader(expectedAnswers: readonly string[]): GraderName {
  return expectedAnswers.some((a) => a.includes('\\boxed') || /\\(?:frac|dfrac|sqrt|pi|infty|begin)\b/.test(a)) ? 'math' : 'exact';
}
