/**
 * Normalises a LaTeX math answer so that equal answers written differently compare equal as
 * strings: `\dfrac`/`\tfrac` → `\frac`, `\left`/`\right` and spacing commands dropped, `\text{}`
 * and `\mathrm{}` unwrapped, units and degrees (`^\circ`, `°`, "degrees") dropped, `$` dropped,
 * `\frac12` → `\frac{1}{2}`, `a/b` → `\frac{a}{b}` for plain integers, trailing `.0` dropped,
 * thousands separators dropped, `x = 5` → `5`, and every space removed.
 */

const UNIT_WORDS = [
  'degrees?', 'cm', 'centimeters?', 'm', 'meters?', 'km', 'kilometers?', 'mm', 'inches', 'inch', 'in', 'feet', 'foot', 'ft', 'yards?', 'miles?',
  'units?', 'square units', 'sq units', 'cubic units', 'dollars?', 'cents?', 'hours?', 'minutes?', 'seconds?', 'days?', 'weeks?', 'years?',
  'mph', 'pounds?', 'lbs?', 'kg', 'grams?', 'g', 'liters?', 'ml', 'points?', 'people', 'students?', 'ways', 'times',
];
const UNIT_TAIL = new RegExp(`(?:\\s|\\\\[ ,;:!]|~)*\\b(?:${UNIT_WORDS.join('|')})(?:\\^?\\{?[23]\\}?)?\\s*$`, 'i');

/** Replaces `\name{x}` by `x` for the given command names, nesting respected. */
function unwrap(s: string, names: readonly string[]): string {
  for (const name of names) {
    let at = s.indexOf(`\\${name}{`);
    while (at >= 0) {
      const open = at + name.length + 1;
      let depth = 0;
      let close = -1;
      for (let i = open; i < s.length; i++) {
        if (s[i] === '{') depth++;
        else if (s[i] === '}' && --depth === 0) {
          close = i;
          break;
        }
      }
      if (close < 0) break;
      s = s.slice(0, at) + s.slice(open + 1, close) + s.slice(close + 1);
      at = s.indexOf(`\\${name}{`, at);
    }
  }
  return s;
}

export function normaliseMath(answer: string): string {
  let s = answer.trim();
  s = s.replace(/\n/g, ' ').replace(/\\!/g, '');
  s = s.replace(/\\\$/g, '$').replace(/\$/g, '');
  s = s.replace(/^\\\(|\\\)$/g, '').replace(/^\\\[|\\\]$/g, '');
  s = s.replace(/\\[dt]frac/g, '\\frac');
  s = s.replace(/\\left\b|\\right\b/g, '').replace(/\\big[lr]?|\\Big[lr]?/g, '');
  s = s.replace(/\\displaystyle/g, '');
  // degrees
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree/g, '');
  // units in text
  s = s.replace(/\\(?:text|mbox|textrm)\{\s*(?:[a-zA-Z ]*\s)?(?:[a-z]+)\s*\}\s*$/, (m) => (UNIT_TAIL.test(m.replace(/\\(?:text|mbox|textrm)\{|\}/g, ' ')) ? '' : m));
  s = unwrap(s, ['text', 'textbf', 'textit', 'mbox', 'mathrm', 'mathbf', 'mathit', 'textrm', 'operatorname']);
  s = s.replace(UNIT_TAIL, '').trim();
  // spacing commands
  s = s.replace(/(?<!\\)\\[,;: ]|~/g, ' ');
  s = s.replace(/\\%|%/g, '\\%');
  // `x = 5` / `k=3`: the value only, when the left side is one variable
  const eq = /^\s*[a-zA-Z](?:_\{?\w+\}?)?\s*=\s*([^=]+)$/.exec(s);
  if (eq) s = eq[1]!;
  // \frac12 → \frac{1}{2}; \frac1{2}, \frac{1}2; \sqrt2 → \sqrt{2}
  s = s.replace(/\\frac\s*(\d)\s*(\d)/g, '\\frac{$1}{$2}').replace(/\\frac\s*(\d)\s*\{/g, '\\frac{$1}{').replace(/\\frac\s*(\{[^{}]*\})\s*(\d)/g, '\\frac$1{$2}');
  s = s.replace(/\\sqrt\s*(\d|[a-z])/g, '\\sqrt{$1}');
  s = s.replace(/\s+/g, '');
  // thousands separators in a plain number: 1,000,000 → 1000000
  if (/^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  // a/b of plain integers → \frac{a}{b}
  s = s.replace(/^(-?)(\d+)\/(\d+)$/, '$1\\frac{$2}{$3}');
  // 5.0 → 5, 5.50 → 5.5, .5 → 0.5
  s = s.replace(/(\d+\.\d*?)0+(?=$|[^\d])/g, '$1').replace(/(\d+)\.(?=$|[^\d])/g, '$1');
  s = s.replace(/(^|[^\d])\.(\d)/g, '$10.$2');
  return s;
}
