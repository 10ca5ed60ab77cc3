/**
 * Reads the final answer of a math reply: the last `\boxed{...}` (or `\fbox{...}`), braces
 * matched; else the text after the last "final answer:" / "the answer is"; else nothing.
 */

/** The contents of the last `\boxed{...}` / `\fbox{...}` / `\boxed X`, braces matched; undefined when none closes. */
export function lastBoxed(text: string): string | undefined {
  let at = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  while (at >= 0) {
    const name = text.startsWith('\\boxed', at) ? '\\boxed' : '\\fbox';
    let i = at + name.length;
    while (text[i] === ' ') i++;
    if (text[i] === '{') {
      const inner = matchBraces(text, i);
      if (inner !== undefined) return inner;
    } else if (name === '\\boxed' && text[at + name.length] === ' ') {
      // `\boxed 5`: one token after a space
      const m = /^\s+([^\s$]+)/.exec(text.slice(at + name.length));
      if (m) return m[1]!.replace(/[.,]$/, '');
    }
    // an unclosed box: look for an earlier one
    const before = text.slice(0, at);
    at = Math.max(before.lastIndexOf('\\boxed'), before.lastIndexOf('\\fbox'));
  }
  return undefined;
}

/** The text inside the braces that open at `open`, or undefined when they never close. */
export function matchBraces(text: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++; // `\{` and `\}` are literal braces
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return undefined;
}

const FALLBACKS: RegExp[] = [/final answer\s*(?:is)?\s*[:：]?\s*/gi, /the (?:final |correct )?answer is\s*:?\s*/gi];

/** The text after the last fallback phrase, to the end of its line (a final period dropped). */
function afterPhrase(text: string): string | undefined {
  for (const re of FALLBACKS) {
    let end = -1;
    for (const m of text.matchAll(re)) end = m.index! + m[0].length;
    if (end < 0) continue;
    let rest = text.slice(end).split('\n')[0]!.trim();
    rest = rest.replace(/^\*+|\*+$/g, '').trim();
    // `$x$` or `\( x \)` or `\[ x \]` around the answer
    const math = /^\$+([^$]+)\$+/.exec(rest) ?? /^\\\((.+?)\\\)/.exec(rest) ?? /^\\\[(.+?)\\\]/.exec(rest);
    if (math) rest = math[1]!;
    else rest = rest.replace(/[.。]\s*$/, '').replace(/\.\s+\S.*$/, '');
    rest = rest.trim();
    if (rest !== '') return rest;
  }
  return undefined;
}

export function extractMathAnswer(answerText: string): string | undefined {
  const boxed = lastBoxed(answerText);
  if (boxed !== undefined && boxed.trim() !== '') return boxed.trim();
  return afterPhrase(answerText);
}
