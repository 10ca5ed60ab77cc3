/**
 * The simulator answers questions. A prompt with a known answer (the generated arithmetic set, a
 * MATH-500 file, any dataset with an `answer` line) reaches a builtin target with the header
 * `x-llmload-sim-answer: <grader>:<answer, URI-encoded>` (added by the runner for builtin targets
 * only; see withSimAnswers). The simulator then answers correctly with the profile's `accuracy`
 * probability (default 0.9; `builtin:chat?accuracy=0.87`), and otherwise gives a plausible wrong
 * answer (most of the time) or one with no extractable answer. The thinking the profile plans comes
 * first, as before; only the answer text is replaced. The draw depends on the simulator's seed and
 * the prompt, like a model at temperature 0: the same question gets the same verdict, and a lower
 * accuracy only turns correct answers wrong.
 */
import type { RunPlan } from '../scenario/plan';
import type { Chunk, Generation, SimRequest } from './generation';
import type { SimProfile } from './profiles';
import { createRng, hashString, type Rng } from './random';
import { quantAccuracy } from './engine/options';

export const SIM_ANSWER_HEADER = 'x-llmload-sim-answer';

/** Accuracy of a profile that does not set one. */
export const DEFAULT_SIM_ACCURACY = 0.9;

/** Share of the not-correct answers that are wrong rather than unparsed. */
const WRONG_SHARE = 0.7;

/** The plan with each prompt's answer put where the protocol client sends it to the simulator. */
export function withSimAnswers(plan: RunPlan): RunPlan {
  if (!plan.prompts.some((p) => p.answer !== undefined)) return plan;
  return {
    ...plan,
    prompts: plan.prompts.map((p) => (p.answer === undefined ? p : { ...p, sim_answer: `${p.grader ?? 'exact'}:${encodeURIComponent(p.answer)}` })),
  };
}

export type AnswerOutcome = 'correct' | 'wrong' | 'unparsed';

/** Which kind of answer a request gets: seeded by the simulator's seed and the prompt. */
export function drawOutcome(accuracy: number, seed: number, request: SimRequest, answer: string): AnswerOutcome {
  const rng = createRng(hashString(`answer|${seed}|${request.seed ?? ''}|${answer}|${request.promptText}`));
  const u = rng.next();
  if (u < accuracy) return 'correct';
  return rng.next() < WRONG_SHARE ? 'wrong' : 'unparsed';
}

/** A plausible wrong answer near the right one. */
export function wrongAnswer(answer: string, rng: Rng): string {
  const shift = (n: number): number => n + (rng.next() < 0.5 ? -1 : 1) * rng.int(1, 9);
  const frac = /^(-?)\\frac\{(\d+)\}\{(\d+)\}$/.exec(answer.trim());
  if (frac) return `${frac[1]}\\frac{${Number(frac[2]) + rng.int(1, 3)}}{${frac[3]}}`;
  if (/^-?\d+$/.test(answer.trim())) return String(shift(Number(answer.trim())));
  const dec = /^-?\d*\.\d+$/.exec(answer.trim());
  if (dec) return String(Number(answer) + rng.int(1, 9) / 10);
  const letter = /^\(?([A-E])\)?$/.exec(answer.trim());
  if (letter) return 'ABCDE'.replace(letter[1]!, '')[rng.int(0, 3)]!;
  // any other answer: a number where it had one, else a different word
  const num = /-?\d+/.exec(answer);
  if (num) return answer.replace(num[0], String(shift(Number(num[0]))));
  return answer === 'unknown' ? 'none' : 'unknown';
}

function answerText(grader: string, answer: string, outcome: AnswerOutcome, rng: Rng): string {
  if (outcome === 'unparsed') return grader === 'choice' ? 'I am not sure which option is right.' : 'I am not sure how to finish this one.';
  const a = outcome === 'correct' ? answer : wrongAnswer(answer, rng);
  switch (grader) {
    case 'math':
      return `So the final answer is $\\boxed{${a}}$.`;
    case 'choice':
      return `The answer is (${a.replace(/[()]/g, '')}).`;
    default:
      return a;
  }
}

/** Splits text into tokens the way the simulator's words are: a word with its leading space. */
function tokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/**
 * The generation with its answer replaced by an answer to the question (correct with the profile's
 * accuracy). Unchanged when the header is absent or malformed, when the request calls a tool, and
 * when a fault left no answer (empty_answer, truncated_thinking).
 */
export function answerQuestion(gen: Generation, header: string | undefined, profile: SimProfile, seed: number, request: SimRequest, pressure = 0): Generation {
  if (header === undefined || request.tool) return gen;
  const colon = header.indexOf(':');
  if (colon <= 0) return gen;
  const grader = header.slice(0, colon);
  let answer: string;
  try {
    answer = decodeURIComponent(header.slice(colon + 1));
  } catch {
    return gen;
  }
  const answerChunks = gen.chunks.filter((c) => c.phase === 'answer');
  if (answerChunks.length === 0) return gen;
  const accuracy = answerAccuracy(profile, pressure);
  const outcome = drawOutcome(accuracy, seed, request, answer);
  const rng = createRng(hashString(`wrong|${seed}|${answer}|${request.promptText}`));
  const lead = answerChunks[0]!.text.match(/^\s*/)![0];
  let toks = tokens(lead + answerText(grader, answer, outcome, rng));
  if (lead && toks[0]) toks[0] = lead + toks[0].trimStart();
  let finishReason = gen.finishReason;
  if (request.maxTokens !== undefined && gen.thinkingTokens + toks.length > request.maxTokens) {
    toks = toks.slice(0, Math.max(0, request.maxTokens - gen.thinkingTokens));
    finishReason = 'length';
  } else if (finishReason === 'length') finishReason = 'stop';
  if (toks.length === 0) return gen;
  const answerTokenCount = answerChunks.reduce((s, c) => s + c.tokens, 0);
  const perToken = answerChunks.reduce((s, c) => s + c.delayMs, 0) / Math.max(1, answerTokenCount) || 1000 / profile.decode_tokens_per_s;
  const chunks: Chunk[] = gen.chunks.filter((c) => c.phase !== 'answer');
  const firstIsAnswer = chunks.length === 0;
  for (let i = 0; i < toks.length; i += profile.tokens_per_chunk) {
    const group = toks.slice(i, i + profile.tokens_per_chunk);
    const delayMs = perToken * (group.length - (firstIsAnswer && i === 0 ? 1 : 0));
    chunks.push({ phase: 'answer', text: group.join(''), tokens: group.length, delayMs });
  }
  return { ...gen, chunks, answerTokens: toks.length, answerText: toks.join(''), finishReason };
}

/**
 * The share of known-answer questions answered correctly: the profile's accuracy (default 0.9),
 * times its quantization's factor, less `overload_accuracy_drop` × `pressure` (requests queued per
 * serving slot when the question arrived, capped at 1).
 */
export function answerAccuracy(profile: SimProfile, pressure = 0): number {
  const base = (profile.accuracy ?? DEFAULT_SIM_ACCURACY) * (profile.engine ? quantAccuracy(profile.engine) : 1);
  return base * (1 - (profile.overload_accuracy_drop ?? 0) * Math.min(1, Math.max(0, pressure)));
}
