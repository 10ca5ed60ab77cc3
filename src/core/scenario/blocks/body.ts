/** `body JSON` in a prompt, dataset or sse block, `message JSON` in a websocket block: parsing, template placeholders, and variables substituted in its strings. */
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine, TextPiece } from '../structure';
import { closest, listOf } from '../suggest';
import type { BodyNode } from '../tree';
import { substituteVariables } from '../variables';

/** Placeholders a body or message template may hold. */
export const TEMPLATE_PLACEHOLDERS = ['messages', 'prompt', 'model', 'max_tokens', 'temperature', 'top_p', 'seed', 'stop'] as const;

/** `body JSON` in a prompt, dataset or sse block, `message JSON` in a websocket block. */
export function parseBody(p: ParseCore, rl: RawLine, name: 'body' | 'message', template = false): BodyNode {
  const pieces = rl.text?.pieces ?? [];
  const text = pieces.map((piece) => piece.text).join('\n');
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  const textRange = first ? p.src.between(first.line, first.start, last.line, last.start + last.text.trimEnd().length) : p.lineR(rl);
  const node: BodyNode = { kind: 'body', ...p.base(rl), text, textRange };
  const eg = name === 'message' ? 'message {"messages": "{{messages}}", "stream": true}' : template ? 'body {"inputs": "{{prompt}}", "stream": true}' : 'body {"top_k": 40}';
  if (text.trim() === '') {
    p.missing(rl, `${name} needs a JSON object, e.g. ${eg}`);
    return node;
  }
  if (rl.text && !rl.text.closed) {
    p.error(textRange, `unclosed "{" in ${name}; close the JSON object with "}"`);
    return node;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /at position (\d+)/.exec(msg);
    const clean = msg.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
    let range = textRange;
    if (pos) {
      let off = Number(pos[1]);
      for (const piece of pieces) {
        if (off <= piece.text.length) {
          range = p.src.span(piece.line, piece.start + off, piece.start + off + 1);
          break;
        }
        off -= piece.text.length + 1;
      }
    }
    p.error(range, `invalid JSON in ${name}: ${clean}`);
    return node;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    p.error(textRange, `${name} must be a JSON object, e.g. ${eg}`);
    return node;
  }
  if (template && !placeholdersOk(p, pieces, name)) return node;
  node.json = parsed as Record<string, unknown>;
  return node;
}

/** Reports the first `{{name}}` in a template that is no placeholder; true when all are known. */
export function placeholdersOk(p: ParseCore, pieces: TextPiece[], name: 'body' | 'message'): boolean {
  for (const piece of pieces) {
    for (const m of piece.text.matchAll(/\{\{([^{}]*)\}\}/g)) {
      const r = p.src.span(piece.line, piece.start + m.index, piece.start + m.index + m[0].length);
      const word = m[1].trim();
      const known = (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(word);
      if (known && word !== m[1]) {
        p.error(r, `write "{{${word}}}" without spaces inside the braces`, { range: r, text: `{{${word}}}`, title: `Change to "{{${word}}}"` });
        return false;
      }
      if (known) {
        const whole = piece.text[m.index - 1] === '"' && piece.text[m.index + m[0].length] === '"';
        if (!whole && word !== 'prompt' && word !== 'model') {
          p.error(r, `{{${word}}} is replaced only as a whole JSON string: write "{{${word}}}" as the value on its own (only {{prompt}} and {{model}} are replaced inside longer text)`);
          return false;
        }
        continue;
      }
      const near = closest(m[1], TEMPLATE_PLACEHOLDERS);
      const list = TEMPLATE_PLACEHOLDERS.map((x) => `{{${x}}}`);
      if (near) p.error(r, `unknown placeholder "${m[0]}" in ${name}; did you mean "{{${near}}}"?`, { range: r, text: `{{${near}}}`, title: `Change to "{{${near}}}"` });
      else p.error(r, `unknown placeholder "${m[0]}" in ${name}; a template may use ${listOf(list)}`);
      return false;
    }
  }
  return true;
}

export function resolveBodyJson(r: Resolution, b: BodyNode): Record<string, unknown> | undefined {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const sub = substituteVariables(v, (ns, name) => r.lookup(ns, name));
      for (const m of sub.missing) r.reportMissing(m.namespace, m.name, b.textRange);
      return sub.text;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(b.json) as Record<string, unknown>;
}
