/**
 * What a grader is: it reads a model's answer text (never its thinking), extracts the final
 * answer, and compares it with the expected one. No extractable answer is `unparsed`, which is
 * counted apart from `wrong`.
 */

export type Verdict = 'correct' | 'wrong' | 'unparsed';

/** Written per request in requests.jsonl as `grade`. */
export interface Grade {
  verdict: Verdict;
  expected: string;
  /** The answer read off the reply; absent when none could be (unparsed). */
  extracted?: string;
}

export type GraderName = 'exact' | 'number' | 'choice' | 'regex' | 'math';

export interface Grader {
  readonly name: GraderName;
  /** The final answer in a reply's answer text, or undefined when there is none. */
  extract(answerText: string): string | undefined;
  /** Whether an extracted answer matches the expected one. */
  equal(extracted: string, expected: string): boolean;
}

/** Longest answer text a grader reads: the tail of a longer text (where final answers are). */
export const MAX_GRADED_CHARS = 64 * 1024;
