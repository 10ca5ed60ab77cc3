/**
 * The lines only a dataset block has (beyond the request lines of request-lines.ts): `answer`,
 * the generated lengths of a synthetic set (`input`, `output`, `shared_prefix`) and grading
 * (`grader`, `bad_records`, `levels`; docs/accuracy.md).
 */
import { GRADER_NAMES } from '../../grade/names';
import type { ParseCore } from '../parse-core';
import type { RawLine } from '../structure';
import { listOf } from '../suggest';
import type { AnswerNode, DatasetChild, GradeOptionNode, TokenSpanNode } from '../tree';
import * as U from '../units';

/** The lines a dataset block has beyond the request lines: `answer`, generated lengths, grading. */
export function datasetLine(p: ParseCore, rl: RawLine, kw: string): DatasetChild | undefined {
  switch (kw) {
    case 'answer': {
      const template = p.rest(rl, 1);
      if (!template) p.missing(rl, 'answer needs a template, e.g. answer {{answer}}');
      const node: AnswerNode = { kind: 'answer', ...p.base(rl), template };
      return node;
    }
    case 'input':
    case 'output':
    case 'shared_prefix':
      return parseTokenSpan(p, rl, kw);
    case 'grader':
    case 'bad_records':
    case 'levels':
      return parseGradeOption(p, rl, kw);
    default:
      return undefined;
  }
}

/** `grader NAME`, `bad_records fail|skip`, `levels MIN..MAX` (docs/accuracy.md). */
export function parseGradeOption(p: ParseCore, rl: RawLine, name: GradeOptionNode['name']): GradeOptionNode {
  const node: GradeOptionNode = { kind: 'grade_option', ...p.base(rl), name };
  const t = rl.lex.tokens[1];
  if (name === 'levels') {
    const m = t && !t.quoted ? /^(\d+)(?:\.\.(\d+))?$/.exec(t.value) : null;
    if (!t) p.missing(rl, 'levels needs a range of difficulty levels 1 to 4, e.g. levels 1..3');
    else if (!m || Number(m[1]) < 1 || Number(m[2] ?? m[1]) > 4 || Number(m[1]) > Number(m[2] ?? m[1])) p.error(p.tokR(rl, t), `levels must be a level or a range within 1..4, e.g. levels 1..3, got ${t.raw}`);
    else if (!p.extra(rl, 2, 'levels 1..3')) {
      const r = p.tokR(rl, t);
      node.min = { value: Number(m[1]), text: m[1]!, range: r };
      node.max = { value: Number(m[2] ?? m[1]), text: m[2] ?? m[1]!, range: r };
    }
    return node;
  }
  const choices: readonly string[] = name === 'grader' ? GRADER_NAMES : ['fail', 'skip'];
  if (!t) {
    p.missing(rl, `${name} needs one of ${listOf(choices)}, e.g. ${name} ${choices[0]}`);
    return node;
  }
  if (!choices.includes(t.value) || t.quoted) {
    p.unknownWord(p.tokR(rl, t), name === 'grader' ? 'grader' : 'choice', t.value, choices);
    return node;
  }
  if (!p.extra(rl, 2, `${name} ${t.value}`)) node.value = p.word(rl, t);
  return node;
}

export function parseTokenSpan(p: ParseCore, rl: RawLine, name: TokenSpanNode['name']): TokenSpanNode {
  const node: TokenSpanNode = { kind: 'token_span', ...p.base(rl), name };
  const ts = rl.lex.tokens;
  const usage = `${name} 16k..32k tokens or ${name} 256 tokens`;
  if (!ts[1]) {
    p.missing(rl, `${name} needs a token count; write ${usage}`);
    return node;
  }
  let next = 2;
  const spanText = ts[1].value;
  const dots = spanText.indexOf('..');
  const t = ts[1];
  const lo = dots >= 0 ? spanText.slice(0, dots) : spanText;
  const a = U.parseTokenCount(lo);
  const aRange = p.src.span(rl.line, t.start, t.start + lo.length);
  if (!a.ok) {
    p.error(aRange, a.message);
    return node;
  }
  node.min = { value: a.value, text: lo, range: aRange };
  node.max = node.min;
  if (dots >= 0) {
    const hi = spanText.slice(dots + 2);
    const b = U.parseTokenCount(hi);
    const bRange = p.src.span(rl.line, t.start + dots + 2, t.end);
    if (!b.ok) {
      p.error(bRange, hi === '' ? `expected a token count after "..", e.g. ${lo}..${lo}0` : b.message);
      node.min = node.max = undefined;
      return node;
    }
    node.max = { value: b.value, text: hi, range: bRange };
    if (b.value < a.value) {
      p.error(p.tokR(rl, t), `the range ${spanText} runs backwards; write the smaller count first`);
      node.min = node.max = undefined;
      return node;
    }
  }
  next = p.unitWord(rl, next, ['tokens', 'token']);
  if (p.extra(rl, next, usage, ['tokens'])) {
    node.min = node.max = undefined;
    return node;
  }
  if (name !== 'shared_prefix' && node.min.value < 1) {
    p.error(node.min.range, `${name} must be at least 1 token, got ${node.min.text}`);
    node.min = node.max = undefined;
  }
  return node;
}
