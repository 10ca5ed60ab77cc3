/**
 * `number`: the last number in the reply equals the expected number within a relative tolerance
 * (1e-4 by default, absolute 1e-9 near zero). Reads thousands separators (`1,234,567`), signs,
 * decimals, exponents, simple fractions (`3/4`) and percentages (`12.5%` = 0.125 or 12.5, both
 * accepted against an expected value written either way).
 */
import type { Grader } from './types';

const NUMBER = /[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?:\s*\/\s*\d+(?:\.\d+)?)?\s*%?|[-+−]?\.\d+\s*%?/g;

/** A number as written (`1,234.5`, `-3/4`, `12%`), or undefined when the text is not one. */
export function parseNumber(text: string): { value: number; percent: boolean } | undefined {
  let t = text.trim().replace(/−/g, '-').replace(/\$/g, '').replace(/\\%/g, '%');
  const percent = t.endsWith('%');
  if (percent) t = t.slice(0, -1).trim();
  if (/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
  let value: number;
  const frac = /^([-+]?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(t);
  if (frac) value = Number(frac[1]) / Number(frac[2]);
  else if (/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(t)) value = Number(t);
  else return undefined;
  if (!Number.isFinite(value)) return undefined;
  return { value, percent };
}

export function numbersClose(a: number, b: number, relTol = 1e-4): boolean {
  if (a === b) return true;
  const diff = Math.abs(a - b);
  return diff <= 1e-9 || diff <= relTol * Math.max(Math.abs(a), Math.abs(b));
}

/** The candidate values of a number: a percentage may be meant as its fraction or as written. */
function candidates(n: { value: number; percent: boolean }): number[] {
  return n.percent ? [n.value / 100, n.value] : [n.value];
}

export function numbersEqual(a: string, b: string, relTol = 1e-4): boolean {
  const x = parseNumber(a);
  const y = parseNumber(b);
  if (!x || !y) return false;
  if (x.percent && y.percent) return numbersClose(x.value, y.value, relTol);
  return candidates(x).some((u) => candidates(y).some((v) => numbersClose(u, v, relTol)));
}

export function lastNumber(text: string): string | undefined {
  const all = text.match(NUMBER);
  return all?.length ? all[all.length - 1]!.trim() : undefined;
}

export const numberGrader: Grader = {
  name: 'number',
  extract: lastNumber,
  equal: (extracted, expected) => numbersEqual(extracted, expected),
};
