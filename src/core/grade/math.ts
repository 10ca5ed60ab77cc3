/**
 * `math`: MATH-500-style grading. The final answer is the last `\boxed{}` (or the text after "final
 * answer:" / "the answer is"); both it and the expected answer are normalised (math-normalise.ts)
 * and compared as strings, then as numbers, then symbolically (math-symbolic.ts).
 */
import { extractMathAnswer } from './math-extract';
import { normaliseMath } from './math-normalise';
import { symbolicEqual } from './math-symbolic';
import { numbersClose } from './number';
import type { Grader } from './types';

/** A normalised answer that is a plain number, a `\frac{a}{b}` of numbers, or a percentage, as a number. */
function plainNumber(s: string): number | undefined {
  let t = s;
  let scale = 1;
  if (t.endsWith('\\%')) {
    t = t.slice(0, -2);
    scale = 0.01;
  }
  const frac = /^(-?)\\frac\{(-?\d+(?:\.\d+)?)\}\{(-?\d+(?:\.\d+)?)\}$/.exec(t);
  if (frac) return ((frac[1] ? -1 : 1) * Number(frac[2]) * scale) / Number(frac[3]);
  if (/^-?(?:\d+(?:\.\d+)?|\.\d+)(?:e[-+]?\d+)?$/i.test(t)) return Number(t) * scale;
  return undefined;
}

/** Drops `\%` so that `10\%` also matches 10 (an expected answer written without the sign). */
const withoutPercent = (s: string): string => s.replace(/\\%$/, '');

export function mathEqual(extracted: string, expected: string): boolean {
  const a = normaliseMath(extracted);
  const b = normaliseMath(expected);
  if (a === b) return true;
  if (a === '' || b === '') return false;
  if (withoutPercent(a) === withoutPercent(b)) return true;
  const x = plainNumber(a);
  const y = plainNumber(b);
  if (x !== undefined && y !== undefined) {
    if (numbersClose(x, y, 1e-6)) return true;
    const xp = plainNumber(withoutPercent(a));
    const yp = plainNumber(withoutPercent(b));
    return xp !== undefined && yp !== undefined && numbersClose(xp, yp, 1e-6);
  }
  if ((x === undefined) !== (y === undefined) && x === undefined && /^[\d.,\s]+$/.test(a)) return false;
  // Text answers (names, words) are not math.
  if (/^[A-Za-z]{2,}$/.test(a) || /^[A-Za-z]{2,}$/.test(b)) return a.toLowerCase() === b.toLowerCase();
  const key = `${a}\u0000${b}`;
  let same = symbolicMemo.get(key);
  if (same === undefined) {
    same = symbolicEqual(a, b);
    if (symbolicMemo.size >= 20_000) symbolicMemo.clear();
    symbolicMemo.set(key, same);
  }
  return same;
}

/** The symbolic check takes milliseconds; the same question tends to get the same answer many times in a run. */
const symbolicMemo = new Map<string, boolean>();

export const mathGrader: Grader = {
  name: 'math',
  extract: extractMathAnswer,
  equal: mathEqual,
};
