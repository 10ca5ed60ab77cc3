/**
 * `dataset math500 PATH`: a file in the Hugging Face MATH-500 jsonl format (HuggingFaceH4/MATH-500:
 * `problem`, `solution`, `answer`, `subject`, `level`, `unique_id`), sent with the standard
 * instruction to reason step by step and put the final answer in \boxed{}. `problem` and `answer`
 * are required; the others label results (accuracy per subject and level).
 */
import type { Math500DatasetPlan, PromptPlan } from '../scenario/plan';

export const MATH500_INSTRUCTION = 'Please reason step by step, and put your final answer within \\boxed{}.';

/** One record as a prompt; throws an Error saying what is wrong with the record. */
export function math500Prompt(record: Record<string, unknown>, ds: Math500DatasetPlan, line: number): PromptPlan {
  const problem = record.problem;
  if (typeof problem !== 'string' || problem.trim() === '') throw new Error('the record has no "problem" text');
  let answer = record.answer;
  if (typeof answer === 'number') answer = String(answer);
  if (typeof answer !== 'string' || answer.trim() === '') throw new Error('the record has no "answer" (a MATH-500 record holds problem, solution, answer, subject, level, unique_id)');
  const p: PromptPlan = {
    name: `${ds.name}:${line}`,
    weight: 1,
    messages: [{ role: 'user', content: `${problem}\n${MATH500_INSTRUCTION}` }],
    params: { ...ds.params },
    answer,
    grader: ds.grader ?? 'math',
  };
  if (typeof record.subject === 'string' && record.subject !== '') p.subject = record.subject;
  if (typeof record.level === 'number' || (typeof record.level === 'string' && record.level !== '')) p.level = String(record.level);
  if (ds.body) p.body = ds.body;
  return p;
}
