// ThinkTagSplitter.passThrough is a shortcut the decoders take before push(): wherever it names a
// kind, push() must have returned exactly that delta as one segment of that kind, and the splitter
// must be left as push() would leave it. Checked step by step on random deltas against push() alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ThinkTagSplitter, type ThinkTagOptions } from '../../src/core/protocols/think-tags';

const SEED = 20261128;
const piece = fc.oneof(fc.constantFrom('<think>', '</think>', '<', '</', 'think>', '\n\n', ' ', '<t', '</th', 'ink>', '<>'), fc.string({ unit: 'grapheme-ascii', maxLength: 6 }));
const delta = fc.array(piece, { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
const OPTS: ThinkTagOptions[] = [{}, { starts_in_thinking: true }, { starts_in_thinking: false }, { open: '<', close: '>' }, { open: '[[', close: ']]' }];

test('property: passThrough agrees with push on every delta, and leaves the same state', () => {
  let shortcuts = 0;
  for (const opts of OPTS) {
    fc.assert(
      fc.property(fc.array(delta, { maxLength: 12 }), (deltas) => {
        const fast = new ThinkTagSplitter(opts);
        const slow = new ThinkTagSplitter(opts);
        for (const d of deltas) {
          const kind = fast.passThrough(d);
          const want = slow.push(d);
          if (kind !== undefined) {
            shortcuts++;
            assert.deepEqual(want, { segments: [{ kind, text: d }], tag: false });
          } else {
            assert.deepEqual(fast.push(d), want);
          }
          assert.equal(fast.inThinking, slow.inThinking);
        }
        assert.deepEqual(fast.flush(), slow.flush());
      }),
      { seed: SEED, numRuns: 300 },
    );
  }
  assert.ok(shortcuts > 1000, `the shortcut was taken ${shortcuts} times`);
});

test('passThrough: plain answer and thinking text pass, text that may hold a tag does not', () => {
  const s = new ThinkTagSplitter();
  assert.equal(s.passThrough('Hello'), undefined); // start: an opening tag may still come
  s.push('Hello');
  assert.equal(s.passThrough(' world'), 'answer');
  assert.equal(s.passThrough('a < b'), undefined); // `<` may begin `</think>`
  assert.equal(s.passThrough(''), undefined);
  const t = new ThinkTagSplitter();
  t.push('<think>');
  t.push('first');
  assert.equal(t.passThrough('more'), 'thinking');
  t.push('</thi');
  assert.equal(t.passThrough('x'), undefined); // held text
});
