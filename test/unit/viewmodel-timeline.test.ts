import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TimelinePacket } from '../../src/core/messages';
import { assembleText, defaultStallThreshold, timelineLayout, zoomWindow } from '../../src/core/viewmodel/timeline';

function p(t_ms: number, kind: string, text = ''): TimelinePacket {
  return { t_ms, kind, bytes: 100 + text.length, text };
}

// A reasoning stream: role chunk, thinking, a 900 ms stall, answer, usage, done.
const packets: TimelinePacket[] = [
  p(50, 'other', '{"role":"assistant"}'),
  p(80, 'heartbeat'),
  p(100, 'thinking', 'Let'),
  p(120, 'thinking', ' me'),
  p(140, 'thinking', ' think'),
  p(1040, 'answer', 'Paris'),
  p(1060, 'answer', ' it is.'),
  p(1070, 'stats', '{"usage":{}}'),
  p(1071, 'done', '[DONE]'),
];

test('the layout puts each packet in its kind lane and marks sent, first packet, TTFT, TTFA and done', () => {
  const L = timelineLayout(packets, { ttft_ms: 100, ttfa_ms: 1040, e2e_ms: 1080 });
  assert.deepEqual(L.lanes, ['thinking', 'answer', 'stats', 'heartbeat', 'done', 'other']);
  assert.equal(L.points.length, packets.length);
  for (const pt of L.points) assert.equal(L.lanes[pt.lane], pt.kind);
  assert.deepEqual(
    L.markers.map((m) => [m.id, m.t_ms]),
    [
      ['sent', 0],
      ['first_packet', 50],
      ['ttft', 100],
      ['ttfa', 1040],
      ['done', 1080],
    ],
  );
  assert.equal(L.end_ms, 1080);
});

test('thinking and answer phases become bands: thinking up to the first answer packet, answer to the last', () => {
  const L = timelineLayout(packets, null);
  assert.deepEqual(L.bands, [
    { phase: 'thinking', from_ms: 100, to_ms: 1040 },
    { phase: 'answer', from_ms: 1040, to_ms: 1060 },
  ]);
  // Without a record, TTFT and TTFA come from the packets.
  assert.equal(L.markers.find((m) => m.id === 'ttft')!.t_ms, 100);
  assert.equal(L.markers.find((m) => m.id === 'ttfa')!.t_ms, 1040);
  assert.equal(L.markers.find((m) => m.id === 'done')!.t_ms, 1071);
});

test('gaps above the threshold are stalls; the default threshold scales with the stream', () => {
  const L = timelineLayout(packets, null, { stallMs: 500 });
  assert.deepEqual(L.stalls, [{ from_ms: 140, to_ms: 1040, gap_ms: 900 }]);
  assert.equal(timelineLayout(packets, null, { stallMs: 1000 }).stalls.length, 0);
  assert.equal(defaultStallThreshold(packets), 250, 'median gap 20 ms: the floor applies');
  const slow = Array.from({ length: 10 }, (_, i) => p(i * 200, 'answer', 'x'));
  assert.equal(defaultStallThreshold(slow), 1000);
  assert.equal(timelineLayout(slow, null).stalls.length, 0);
});

test('packets out of order are placed by time; a model without thinking has only an answer band', () => {
  const L = timelineLayout([p(30, 'answer', 'b'), p(10, 'answer', 'a'), p(40, 'done')], { ttft_ms: 10, ttfa_ms: 10, e2e_ms: 45 });
  assert.deepEqual(L.points.map((x) => x.t_ms), [10, 30, 40]);
  assert.deepEqual(L.points.map((x) => x.index), [1, 0, 2]);
  assert.deepEqual(L.bands.map((b) => b.phase), ['answer']);
});

test('a request with no packets still has a sent and a done marker from its record', () => {
  const L = timelineLayout([], { ttft_ms: null, ttfa_ms: null, e2e_ms: 30_000 });
  assert.deepEqual(L.markers.map((m) => m.id), ['sent', 'done']);
  assert.deepEqual(L.lanes, []);
  assert.equal(L.end_ms, 30_000);
});

test('zooming keeps the window inside the request and around the pointer', () => {
  const full = { from_ms: 0, to_ms: 1000 };
  const z = zoomWindow(full, 500, 0.5, 1000);
  assert.deepEqual(z, { from_ms: 250, to_ms: 750 });
  const left = zoomWindow(full, 0, 0.1, 1000);
  assert.equal(left.from_ms, 0);
  assert.ok(Math.abs(left.to_ms - 100) < 1e-9);
  const out = zoomWindow({ from_ms: 900, to_ms: 1000 }, 990, 100, 1000);
  assert.deepEqual(out, { from_ms: 0, to_ms: 1000 }, 'never wider than the request');
  const tiny = zoomWindow(full, 500, 1e-9, 1000);
  assert.ok(tiny.to_ms - tiny.from_ms >= 1, 'a floor on the zoom');
});

test('the assembled texts join thinking and answer packets in order', () => {
  assert.deepEqual(assembleText(packets), { thinking: 'Let me think', answer: 'Paris it is.' });
});
