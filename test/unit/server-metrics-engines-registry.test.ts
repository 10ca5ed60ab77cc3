import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEngine, ENGINES } from '../../src/core/server-metrics/engines';
import type { PromSample } from '../../src/core/server-metrics/prom-text';

test('each registered engine has its own name and prefix, and names at least one figure', () => {
  assert.equal(new Set(ENGINES.map((e) => e.engine)).size, ENGINES.length);
  assert.equal(new Set(ENGINES.map((e) => e.prefix)).size, ENGINES.length);
  for (const e of ENGINES) {
    const lists = Object.entries(e).filter(([k]) => k !== 'engine' && k !== 'prefix');
    assert.ok(lists.length > 0, e.engine);
    for (const [k, names] of lists) {
      assert.ok(Array.isArray(names) && names.length > 0, `${e.engine}.${k}`);
      for (const n of names as string[]) assert.ok(n.startsWith(e.prefix), `${e.engine}.${k}: ${n} carries the prefix ${e.prefix}`);
    }
  }
});

test('an exposition is told by the prefix most of its samples carry', () => {
  for (const e of ENGINES) {
    const samples: PromSample[] = [{ name: `${e.prefix}x`, labels: {}, value: 1 }, { name: `${e.prefix}y`, labels: {}, value: 1 }, { name: 'process_cpu_seconds_total', labels: {}, value: 1 }];
    assert.equal(detectEngine(samples)?.engine, e.engine);
  }
  assert.equal(detectEngine([]), undefined);
});
