/**
 * `${NAME}`, `${env:NAME}` and `${secret:NAME}` references inside text values, and `{{field}}`
 * template references. `$${` is a literal `${`.
 */

export interface RawRef {
  namespace: 'var' | 'env' | 'secret';
  name: string;
  start: number;
  end: number;
}

export interface RawError {
  start: number;
  end: number;
  message: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function findVariableRefs(text: string): { refs: RawRef[]; errors: RawError[] } {
  const refs: RawRef[] = [];
  const errors: RawError[] = [];
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('${', i);
    if (at < 0) break;
    if (at > 0 && text[at - 1] === '$') {
      i = at + 2;
      continue;
    }
    const close = text.indexOf('}', at + 2);
    if (close < 0) {
      errors.push({ start: at, end: text.length, message: 'unclosed "${"; write ${NAME}, ${env:NAME} or ${secret:NAME} (or $${ for a literal ${)' });
      break;
    }
    const inner = text.slice(at + 2, close);
    const colon = inner.indexOf(':');
    const ns = colon >= 0 ? inner.slice(0, colon).trim() : '';
    const name = (colon >= 0 ? inner.slice(colon + 1) : inner).trim();
    if (colon >= 0 && ns !== 'env' && ns !== 'secret') {
      errors.push({ start: at, end: close + 1, message: `unknown variable source "${ns}" in "\${${inner}}"; write \${env:${name}}, \${secret:${name}} or \${${name}}` });
    } else if (!NAME.test(name)) {
      const example = colon >= 0 ? `\${${ns}:NAME}` : '${NAME}';
      errors.push({ start: at, end: close + 1, message: `"\${${inner}}" is not a variable name; write ${example}` });
    } else {
      refs.push({ namespace: colon >= 0 ? (ns as 'env' | 'secret') : 'var', name, start: at, end: close + 1 });
    }
    i = close + 1;
  }
  return { refs, errors };
}

/** Replaces every reference with lookup's answer; names lookup cannot answer are returned. */
export function substituteVariables(
  text: string,
  lookup: (ns: 'var' | 'env' | 'secret', name: string) => string | undefined,
): { text: string; missing: { namespace: 'var' | 'env' | 'secret'; name: string }[] } {
  const missing: { namespace: 'var' | 'env' | 'secret'; name: string }[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('${', i);
    if (at < 0) break;
    if (at > 0 && text[at - 1] === '$') {
      out += text.slice(i, at - 1) + '${';
      i = at + 2;
      continue;
    }
    const close = text.indexOf('}', at + 2);
    if (close < 0) break;
    const inner = text.slice(at + 2, close);
    const colon = inner.indexOf(':');
    const ns = (colon >= 0 ? inner.slice(0, colon).trim() : 'var') as 'var' | 'env' | 'secret';
    const name = (colon >= 0 ? inner.slice(colon + 1) : inner).trim();
    const v = ns === 'var' || ns === 'env' || ns === 'secret' ? lookup(ns, name) : undefined;
    if (v === undefined) missing.push({ namespace: ns, name });
    out += text.slice(i, at) + (v ?? '');
    i = close + 1;
  }
  return { text: out + text.slice(i), missing };
}

/** `{{ field }}` references. */
export function findFieldRefs(text: string): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = [];
  const re = /\{\{\s*([^{}]*?)\s*\}\}/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ name: m[1], start: m.index, end: m.index + m[0].length });
  return out;
}

/** Fills `{{field}}` from a record; objects are written as JSON. Missing fields become ''. */
export function fillTemplate(template: string, record: Record<string, unknown>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = template.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_, name: string) => {
    const v = lookupPath(record, name);
    if (v === undefined || v === null) {
      missing.push(name);
      return '';
    }
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
  return { text, missing };
}

/** `a.b.0` walks objects and arrays. */
export function lookupPath(record: unknown, path: string): unknown {
  let cur: unknown = record;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
