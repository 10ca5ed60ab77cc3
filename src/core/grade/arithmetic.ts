/**
 * `dataset arithmetic`: generated problems with exact answers, for demos, tests and machines with
 * no network. Seeded: the same seed, count and levels give the same problems everywhere.
 *   level 1: a + b or a − b (two-digit numbers)
 *   level 2: a × b (two-digit) or a − b with a negative result
 *   level 3: a × (b − c) + d
 *   level 4: p/q + r/s, answered as a reduced fraction (\frac{n}{d}) or an integer
 */
import type { ArithmeticDatasetPlan, PromptPlan } from '../scenario/plan';
import { createRng, type Rng } from '../sim/random';

export interface ArithmeticProblem {
  question: string;
  answer: string;
  level: number;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

export function fractionLatex(n: number, d: number): string {
  const g = gcd(n, d) || 1;
  n /= g;
  d /= g;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  if (d === 1) return String(n);
  return `${n < 0 ? '-' : ''}\\frac{${Math.abs(n)}}{${d}}`;
}

export function makeProblem(rng: Rng, level: number): ArithmeticProblem {
  switch (level) {
    case 1: {
      const a = rng.int(10, 99);
      const b = rng.int(10, 99);
      return rng.next() < 0.5 ? { question: `${a} + ${b}`, answer: String(a + b), level } : { question: `${Math.max(a, b)} - ${Math.min(a, b)}`, answer: String(Math.abs(a - b)), level };
    }
    case 2: {
      const a = rng.int(12, 99);
      const b = rng.int(12, 99);
      return rng.next() < 0.6 ? { question: `${a} \\times ${b}`, answer: String(a * b), level } : { question: `${Math.min(a, b)} - ${Math.max(a, b) + 100}`, answer: String(Math.min(a, b) - Math.max(a, b) - 100), level };
    }
    case 3: {
      const a = rng.int(2, 19);
      const b = rng.int(5, 40);
      const c = rng.int(1, 30);
      const d = rng.int(1, 99);
      return { question: `${a} \\times (${b} - ${c}) + ${d}`, answer: String(a * (b - c) + d), level };
    }
    default: {
      const q = rng.int(2, 12);
      const s = rng.int(2, 12);
      const p = rng.int(1, q - 1);
      const r = rng.int(1, s - 1);
      return { question: `\\frac{${p}}{${q}} + \\frac{${r}}{${s}}`, answer: fractionLatex(p * s + r * q, q * s), level: 4 };
    }
  }
}

/** The instruction that goes with each question: boxed for the math grader, the number alone otherwise. */
function instruction(grader: ArithmeticDatasetPlan['grader']): string {
  return grader === undefined || grader === 'math' ? 'Put your final answer within \\boxed{}.' : 'Answer with the final result only.';
}

export function arithmeticPrompts(ds: ArithmeticDatasetPlan, fallbackSeed?: number): PromptPlan[] {
  const rng = createRng((ds.seed ?? fallbackSeed ?? 0) ^ 0x5eed_a817);
  const grader = ds.grader ?? 'math';
  const out: PromptPlan[] = [];
  const levels = ds.levels.max - ds.levels.min + 1;
  for (let i = 0; i < ds.count; i++) {
    const level = ds.levels.min + (i % levels);
    const p = makeProblem(rng, level);
    const prompt: PromptPlan = {
      name: `${ds.name}:${i + 1}`,
      weight: ds.weight / ds.count,
      messages: [{ role: 'user', content: `Compute $${p.question}$. ${instruction(ds.grader)}` }],
      params: { ...ds.params },
      answer: p.answer,
      grader,
      level: String(p.level),
    };
    if (ds.body) prompt.body = ds.body;
    out.push(prompt);
  }
  return out;
}
