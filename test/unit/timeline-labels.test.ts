// The timeline's marker labels never overlap: markers at the same instant stack in rows, labels near
// the right edge turn left, everything stays inside the plot, and labels far apart share a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutMarkerLabels, type PlacedLabel } from '../../src/core/viewmodel/timeline-labels';

function assertNoOverlap(labels: readonly PlacedLabel[], gap = 0): void {
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i]!;
      const b = labels[j]!;
      if (a.row !== b.row) continue;
      const apart = a.left + a.width + gap <= b.left || b.left + b.width + gap <= a.left;
      assert.ok(apart, `${a.id} [${a.left}, ${a.left + a.width}) and ${b.id} [${b.left}, ${b.left + b.width}) overlap in row ${a.row}`);
    }
}

const opts = { minX: 78, maxX: 588, gap: 4 };

test('sent, first packet and TTFT at the same instant stack in three rows, in their order', () => {
  const r = layoutMarkerLabels(
    [
      { id: 'sent', x: 78, width: 48 },
      { id: 'first_packet', x: 78, width: 90 },
      { id: 'ttft', x: 78, width: 60 },
    ],
    opts,
  );
  assert.equal(r.rows, 3);
  assert.deepEqual(r.labels.map((l) => [l.id, l.row]), [['sent', 0], ['first_packet', 1], ['ttft', 2]]);
  assertNoOverlap(r.labels, 4);
});

test('the exact case from the report: "sent 0.0ms" and "TTFT 3.1ms" a pixel apart are never drawn over each other', () => {
  const r = layoutMarkerLabels(
    [
      { id: 'sent', x: 78, width: 55 },
      { id: 'ttft', x: 79.2, width: 58 },
      { id: 'ttfa', x: 400, width: 58 },
      { id: 'done', x: 588, width: 60 },
    ],
    opts,
  );
  assertNoOverlap(r.labels, 4);
  assert.notEqual(r.labels[0]!.row, r.labels[1]!.row);
  // TTFA is far from both: it goes back to the top row.
  assert.equal(r.labels[2]!.row, 0);
  assert.equal(r.rows, 2);
});

test('a label near the right edge turns left and stays inside the plot', () => {
  const r = layoutMarkerLabels([{ id: 'done', x: 586, width: 60 }], opts);
  const done = r.labels[0]!;
  assert.equal(done.anchor, 'end');
  assert.equal(done.left, 586 - 2 - 60);
  assert.ok(done.left + done.width <= opts.maxX);
});

test('labels at the left edge never start before the plot; wider-than-plot labels start at its edge', () => {
  const r = layoutMarkerLabels(
    [
      { id: 'a', x: 70, width: 40 },
      { id: 'huge', x: 300, width: 2000 },
    ],
    opts,
  );
  assert.ok(r.labels.every((l) => l.left >= opts.minX), JSON.stringify(r.labels));
  assertNoOverlap(r.labels, 4);
});

test('many markers on one instant and spread out: never an overlap, rows only as many as needed', () => {
  // A deterministic scatter: clusters at the same instant and near ones.
  const xs = [100, 100, 100, 101, 150, 152, 300, 300, 301, 580, 580, 590];
  const items = xs.map((x, i) => ({ id: `m${i}`, x, width: 40 + ((i * 17) % 50) }));
  const r = layoutMarkerLabels(items, opts);
  assertNoOverlap(r.labels, 4);
  assert.ok(r.rows <= items.length);
  assert.ok(r.rows >= 4, 'four markers on ~100 px need four rows');
  for (const l of r.labels) assert.ok(l.left >= opts.minX && l.left + l.width <= opts.maxX, `${l.id} inside`);
  // The layout is the same whatever the input order of markers at different instants.
  const again = layoutMarkerLabels([...items].reverse(), opts);
  assertNoOverlap(again.labels, 4);
});

test('no markers: one (empty) row', () => {
  assert.deepEqual(layoutMarkerLabels([], opts), { labels: [], rows: 1 });
});
