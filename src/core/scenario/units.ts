/**
 * Values with units, parsed to base units: durations to milliseconds, token counts to tokens
 * (`k` = 1,000, `Ki` = 1,024, `M` = 1,000,000, `Mi` = 1,048,576), rates to per second, percentages
 * to fractions 0..1. Every failure comes back as a message that says what to write instead.
 */

import { closest } from './suggest';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

const NUMBER = /^\d+(?:\.\d+)?$/;
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export const DURATION_UNIT_WORDS = Object.keys(DURATION_UNITS);
export const RATE_UNIT_WORDS = ['rps', 'qpm', '/s'];

export function isNumber(text: string): boolean {
  return NUMBER.test(text);
}

/** `500ms`, `10s`, `1.5m`, `2h`, `1m30s`. */
export function parseDuration(text: string): Parsed<number> {
  const hint = `expected a duration like 10s or 500ms, got "${text}"`;
  if (text === '' || NUMBER.test(text)) return fail(hint);
  const re = /(\d+(?:\.\d+)?)([a-zA-Z]*)/y;
  let at = 0;
  let total = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m || m[0].length === 0) return fail(hint);
    const unit = m[2];
    if (!Object.hasOwn(DURATION_UNITS, unit)) {
      if (unit === '') return fail(hint);
      return fail(`unknown duration unit "${unit}" in "${text}"; use ms, s, m or h`);
    }
    total += Number(m[1]) * DURATION_UNITS[unit];
    at = re.lastIndex;
  }
  if (!Number.isFinite(total)) return fail(hint);
  return ok(Math.round(total * 1000) / 1000);
}

const TOKEN_UNITS: Record<string, number> = { '': 1, k: 1000, Ki: 1024, M: 1_000_000, Mi: 1_048_576 };

/** `256`, `4k` (4,000), `4Ki` (4,096), `1.5k` (1,500). A whole number of tokens. */
export function parseTokenCount(text: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(text);
  if (!m) return fail(`expected a token count like 256, 4k or 4Ki, got "${text}"`);
  const unit = m[2];
  if (!Object.hasOwn(TOKEN_UNITS, unit)) {
    if (unit === 'K') return fail(`write ${m[1]}k (${m[1]} x 1,000) or ${m[1]}Ki (${m[1]} x 1,024), not "${text}"`);
    return fail(`unknown token unit "${unit}" in "${text}"; use k (1,000) or Ki (1,024)`);
  }
  const v = Number(m[1]) * TOKEN_UNITS[unit];
  if (!Number.isSafeInteger(Math.round(v)) || Math.abs(v - Math.round(v)) > 1e-9) {
    return fail(`expected a whole number of tokens, got "${text}"${unit ? ` (= ${v})` : ''}`);
  }
  return ok(Math.round(v));
}

/** A whole number, e.g. a user count or a seed. */
export function parseInteger(text: string, what: string): Parsed<number> {
  if (!/^\d+$/.test(text)) {
    if (/^-\d+(\.\d+)?$/.test(text)) return fail(`${what} cannot be negative, got "${text}"`);
    if (NUMBER.test(text)) return fail(`expected a whole number for ${what}, got "${text}"`);
    return fail(`expected a number for ${what}, got "${text}"`);
  }
  const v = Number(text);
  if (!Number.isSafeInteger(v)) return fail(`${what} ${text} is too large`);
  return ok(v);
}

/** A plain decimal number, e.g. a temperature. */
export function parseDecimal(text: string, what: string): Parsed<number> {
  if (!NUMBER.test(text)) return fail(`expected a number for ${what}, got "${text}"`);
  return ok(Number(text));
}

/** `99%`, `0.5%` -> a fraction 0..1. */
export function parsePercent(text: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (!m) return fail(`expected a percentage like 99%, got "${text}"`);
  const v = Number(m[1]);
  if (v > 100) return fail(`a percentage is at most 100%, got "${text}"`);
  // Shifting the decimal point in the text gives the nearest double (99.9% -> 0.999, not 0.9990000000000001).
  return ok(Number(`${m[1]}e-2`));
}

/** `2rps`, `2/s`, `120qpm` (written with or without a space) -> requests per second. */
export function parseRate(text: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)(rps|qpm|\/s|\/m|[a-zA-Z/]*)$/.exec(text);
  const hint = `expected a rate like 2 rps, 120 qpm or 5/s, got "${text}"`;
  if (!m || m[2] === '') return fail(hint);
  const v = Number(m[1]);
  switch (m[2]) {
    case 'rps':
    case '/s':
      return ok(v);
    case 'qpm':
    case '/m':
      return ok(v / 60);
    default: {
      // Synonyms first: rpm means per minute, though it is one letter from rps.
      const synonyms: Record<string, string> = { rpm: 'qpm', qps: 'rps', 'req/s': 'rps', 'r/s': 'rps', 'req/m': 'qpm', 'r/m': 'qpm' };
      const near = Object.hasOwn(synonyms, m[2]) ? synonyms[m[2]] : closest(m[2], ['rps', 'qpm']);
      return fail(`unknown rate unit "${m[2]}" in "${text}"; ${near ? `did you mean "${near}"?` : 'use rps, qpm or /s'}`);
    }
  }
}

/** `20/s`, `20 tok/s`, `20 tokens/s` -> tokens per second. */
export function parseTokenRate(text: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)(\/s|tok\/s|tokens\/s)$/.exec(text);
  if (!m) return fail(`expected a token rate like 20/s, got "${text}"`);
  return ok(Number(m[1]));
}

/** `2x` or `2` -> 2. */
export function parseSpeed(text: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)x?$/.exec(text);
  if (!m) return fail(`expected a speed like 2x or 0.5x, got "${text}"`);
  return ok(Number(m[1]));
}

/** Format milliseconds the way a scenario writes them, for messages. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
