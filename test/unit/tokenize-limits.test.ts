// Context-window and bucket checks, and the per-dataset statistics and buckets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bucketIndex, bucketLabel, bucketRanges, checkTokenLimits, contextWindow, countStats } from '../../src/core/tokenize';
import type { Range } from '../../src/core/scenario/diagnostics';

const at = (line: number): Range => ({ start: { line, character: 2 }, end: { line, character: 20 } });

describe('checkTokenLimits', () => {
  it('takes the context window from `context`, else model_max_length, else none', () => {
    assert.deepEqual(contextWindow({ context: 8192, modelMaxLength: 131072 }), { tokens: 8192, from: 'context' });
    assert.deepEqual(contextWindow({ modelMaxLength: 131072 }), { tokens: 131072, from: 'model_max_length' });
    assert.equal(contextWindow({}), undefined);
  });

  it('an input over the window is an error; input plus max_tokens over it a warning; within it nothing', () => {
    const d = checkTokenLimits(
      [
        { label: 'prompt "fits"', tokens: 4000, maxTokens: 4000, range: at(1) },
        { label: 'prompt "long answer"', tokens: 6000, maxTokens: 4000, range: at(2) },
        { label: 'prompt "too long"', tokens: 9000, maxTokens: 10, range: at(3) },
      ],
      { context: 8192, modelMaxLength: 131072 },
    );
    assert.equal(d.length, 2);
    assert.equal(d[0]!.severity, 'warning');
    assert.deepEqual(d[0]!.range, at(2));
    assert.match(d[0]!.message, /prompt "long answer": 6,000 input \+ 4,000 max_tokens = 10,000, over the 8,192-token context window \(the scenario's `context`\)/);
    assert.equal(d[1]!.severity, 'error');
    assert.deepEqual(d[1]!.range, at(3));
    assert.match(d[1]!.message, /prompt "too long" is 9,000 tokens, over the 8,192-token context window .*reject or truncate/);
  });

  it('names model_max_length when that sets the window, and checks nothing without a window', () => {
    const d = checkTokenLimits([{ label: 'p', tokens: 200_000 }], { modelMaxLength: 131072 });
    assert.equal(d.length, 1);
    assert.match(d[0]!.message, /model_max_length/);
    assert.deepEqual(d[0]!.range.start, { line: 0, character: 0 });
    assert.deepEqual(checkTokenLimits([{ label: 'p', tokens: 10_000_000, maxTokens: 1 }], {}), []);
  });

  it('warns when a prompt sits outside the bucket its dataset claims (lower bound in, upper bound out)', () => {
    const bucket = { from: 16384, to: 32768 };
    const d = checkTokenLimits(
      [
        { label: 'a', tokens: 16384, bucket },
        { label: 'b', tokens: 32767, bucket },
        { label: 'c', tokens: 32768, bucket },
        { label: 'd', tokens: 100, bucket },
      ],
      {},
    );
    assert.deepEqual(d.map((x) => [x.severity, x.message.split(' ')[0]]), [['warning', 'c'], ['warning', 'd']]);
    assert.match(d[0]!.message, /c is 32,768 tokens, outside its dataset's bucket 16Ki-32Ki/);
  });
});

describe('count statistics and buckets', () => {
  it('builds ranges from bounds: sorted, deduplicated, open at the top', () => {
    assert.deepEqual(bucketRanges([32768, 16384, 16384]), [
      { from: 0, to: 16384 },
      { from: 16384, to: 32768 },
      { from: 32768, to: Infinity },
    ]);
    assert.deepEqual(bucketRanges([]), []);
    assert.equal(bucketIndex([1000, 2000], 999), 0);
    assert.equal(bucketIndex([1000, 2000], 1000), 1);
    assert.equal(bucketIndex([1000, 2000], 5000), 2);
    assert.equal(bucketIndex([], 5), -1);
  });

  it('labels buckets in k', () => {
    assert.equal(bucketLabel({ from: 16000, to: 32000 }), '16k-32k');
    assert.equal(bucketLabel({ from: 16384, to: 32768 }), '16Ki-32Ki');
    assert.equal(bucketLabel({ from: 0, to: 4000 }), '<4k');
    assert.equal(bucketLabel({ from: 131072, to: Infinity }), '>=128Ki');
    assert.equal(bucketLabel({ from: 100, to: 250 }), '100-250');
  });

  it('gives min, mean, max and a histogram', () => {
    const s = countStats([10, 20, 30, 5000], [16, 1000]);
    assert.equal(s.n, 4);
    assert.equal(s.min, 10);
    assert.equal(s.max, 5000);
    assert.equal(s.mean, 1265);
    assert.deepEqual(s.histogram.map((h) => h.count), [1, 2, 1]);
    assert.deepEqual(countStats([], [10]), { n: 0, min: 0, mean: 0, max: 0, histogram: [{ from: 0, to: 10, count: 0 }, { from: 10, to: Infinity, count: 0 }] });
  });
});
