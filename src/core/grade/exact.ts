/**
 * `exact`: the normalised reply equals the normalised expected answer. Normalised: Unicode NFKC,
 * lower case, surrounding quotes, markdown emphasis and final punctuation removed, runs of
 * spaces made one, a leading "the answer is" / "answer:" dropped.
 */
import type { Grader } from './types';

export function normaliseText(s: string): string {
  let t = s.normalize('NFKC').toLowerCase().trim();
  t = t.replace(/^(?:final answer|answer)\s*[:：]\s*/, '').replace(/^the (?:final )?answer is\s*:?\s*/, '');
  t = t.replace(/[*_`]+/g, '');
  t = t.replace(/\s+/g, ' ').trim();
  t = t.replace(/[.!?;:,。]+$/, '').trim();
  t = t.replace(/^["'“‘«(\[]+|["'”’»)\]]+$/g, '').trim();
  t = t.replace(/[.!?;:,。]+$/, '').trim();
  return t;
}

export const exactGrader: Grader = {
  name: 'exact',
  extract(answerText) {
    const t = normaliseText(answerText);
    return t === '' ? undefined : t;
  },
  equal(extracted, expected) {
    return normaliseText(extracted) === normaliseText(expected);
  },
};
