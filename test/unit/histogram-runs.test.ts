// Hist keeps a run of equal values out of the HDR histogram until something reads it, then adds the
// run with one recordValueWithCount. Every figure must be exactly what recording the values one by
// one into a plain HDR histogram gives, whatever is read (count, stats, encode, add) in between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { Hist } from '../../src/core/metrics/histogram';

function reference(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

const raw = (v: number): number => Math.max(1, Math.round(v * 1000));

// Values with many repeats (0, a few fixed gaps) and some spread, as packet gaps are.
const value = fc.oneof(fc.constantFrom(0, 0, 0, 1.5, 1.5, 20, 0.0004), fc.double({ min: 0, max: 5000, noNaN: true }), fc.constantFrom(-1, Number.NaN, Infinity));
const op = fc.oneof({ weight: 12, arbitrary: value.map((v) => ({ record: v })) }, { weight: 1, arbitrary: fc.constantFrom({ read: 'count' }, { read: 'p50' }, { read: 'encode' }, { read: 'add' }) });

test('property: runs of equal values give exactly the figures of values recorded one by one', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const h = new Hist();
      const other = new Hist();
      const ref = reference();
      let max = 0;
      for (const o of ops) {
        if ('record' in o) {
          h.record(o.record);
          if (Number.isFinite(o.record) && o.record >= 0) {
            ref.recordValue(raw(o.record));
            max = Math.max(max, raw(o.record));
          }
          other.record(o.record);
        } else if (o.read === 'count') assert.equal(h.count, ref.totalCount);
        else if (o.read === 'p50') assert.equal(h.stat('p50'), ref.totalCount === 0 ? null : Math.min(ref.getValueAtPercentile(50), max) / 1000);
        else if (o.read === 'encode') assert.equal(h.encode(), `${max}:${hdr.encodeIntoCompressedBase64(ref)}`);
        else {
          // adding another histogram with a pending run of its own: both runs are counted once
          const sum = new Hist();
          sum.add(h);
          sum.add(other);
          assert.equal(sum.count, 2 * ref.totalCount);
        }
      }
      assert.equal(h.count, ref.totalCount);
      assert.equal(h.encode(), `${max}:${hdr.encodeIntoCompressedBase64(ref)}`);
      for (const p of ['p50', 'p90', 'p99', 'max', 'mean', 'min']) {
        const want = ref.totalCount === 0 ? null : p === 'max' ? max / 1000 : p === 'mean' ? ref.mean / 1000 : p === 'min' ? ref.minNonZeroValue / 1000 : Math.min(ref.getValueAtPercentile(Number(p.slice(1))), max) / 1000;
        assert.equal(h.stat(p), want, p);
      }
      const back = Hist.decode(h.encode());
      assert.equal(back.count, ref.totalCount);
    }),
    { seed: 20261206, numRuns: 400 },
  );
});

test('a run is kept out of the histogram only until it is read, and reset drops it', () => {
  const h = new Hist();
  for (let i = 0; i < 5; i++) h.record(0);
  h.record(2);
  for (let i = 0; i < 3; i++) h.record(2);
  assert.equal(h.count, 9);
  assert.equal(h.stat('p50'), 0.001);
  assert.equal(h.stat('max'), 2);
  h.record(2);
  h.reset();
  assert.equal(h.count, 0);
  assert.equal(h.stat('p50'), null);
  h.record(2);
  assert.equal(h.count, 1);
  assert.equal(h.stat('max'), 2);
});
