/**
 * The graders by name, and `gradeAnswer`, which grades one reply's answer text (thinking is never
 * passed here) against the expected answer. A new grader is a file in this folder exporting a
 * `Grader` (./types.ts), its name in `GraderName` and `GRADER_NAMES` (./names.ts, what the language
 * offers) and one line in GRADERS; test/unit/grade-registry.test.ts checks they agree.
 */
import { choiceGrader } from './choice';
import { exactGrader } from './exact';
import { mathGrader } from './math';
import { numberGrader } from './number';
import { regexGrader } from './regex';
import { MAX_GRADED_CHARS, type Grade, type Grader, type GraderName } from './types';

export type { Grade, Grader, GraderName, Verdict } from './types';

export const GRADERS: Record<GraderName, Grader> = {
  exact: exactGrader,
  number: numberGrader,
  choice: choiceGrader,
  regex: regexGrader,
  math: mathGrader,
};

export { GRADER_NAMES, defaultGrader } from './names';

export function isGraderName(s: string): s is GraderName {
  return Object.hasOwn(GRADERS, s);
}

export function gradeAnswer(grader: GraderName, answerText: string, expected: string): Grade {
  const g = GRADERS[grader];
  const text = answerText.length > MAX_GRADED_CHARS ? answerText.slice(-MAX_GRADED_CHARS) : answerText;
  // An expected answer given boxed (a solution's last line) is graded by its box.
  const want = grader === 'math' ? (extractBoxedExpected(expected) ?? expected) : expected;
  let extracted: string | undefined;
  try {
    extracted = g.extract(text);
  } catch {
    extracted = undefined;
  }
  if (extracted === undefined) return { verdict: 'unparsed', expected: want };
  let ok = false;
  try {
    ok = g.equal(extracted, want);
  } catch {
    ok = false;
  }
  return { verdict: ok ? 'correct' : 'wrong', expected: want, extracted };
}

function extractBoxedExpected(expected: string): string | undefined {
  return expected.includes('\\boxed') ? mathGrader.extract(expected) : undefined;
}
