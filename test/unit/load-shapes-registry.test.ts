import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARRIVALS, LOAD_SHAPES } from '../../src/core/load/shapes';
import { LOAD_SHAPES as LANGUAGE_SHAPES } from '../../src/core/scenario/keywords';
import { arrivals, scheduleFor, type OpenLoopSchedule } from '../../src/core/load/shape';

test('every load shape is registered under its own kind, and the language knows every registered shape', () => {
  for (const [key, shape] of Object.entries(LOAD_SHAPES)) assert.equal(shape.kind, key);
  assert.deepEqual(Object.keys(LOAD_SHAPES).sort(), [...LANGUAGE_SHAPES].sort());
});

test('scheduleFor goes through the registered shape', () => {
  const s = scheduleFor({ kind: 'rate', per_s: 4, duration_ms: 1000, arrival: 'uniform' });
  assert.deepEqual(s, LOAD_SHAPES.rate.schedule({ kind: 'rate', per_s: 4, duration_ms: 1000, arrival: 'uniform' }, {}));
});

test('an arrival process sets where arrivals land under the rate: uniform targets each whole expected count', () => {
  assert.equal(ARRIVALS.uniform.first(Math.random), 0);
  const s: OpenLoopSchedule = { kind: 'open', arrival: 'uniform', end_ms: 1000, segments: [{ start_ms: 0, end_ms: 1000, from_per_s: 4, to_per_s: 4 }] };
  assert.deepEqual([...arrivals(s, Math.random)], [0, 250, 500, 750]);
});
