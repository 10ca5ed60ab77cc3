/**
 * The bench's CPU-per-request arithmetic (bench/client-cpu.ts) and its reading of bash's `times`
 * (bench/load-clients.ts): the figures issue 20's targets are judged by.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestBy, costRows, efficiency } from '../../bench/client-cpu';
import { childrenCpu } from '../../bench/load-clients';

test('efficiency: throughput, CPU-ms per 1,000 requests, requests per CPU-second and CPU share', () => {
  const e = efficiency({ tool: 'llmload', requests: 20_000, seconds: 2, cpuS: 1.5 });
  assert.equal(e.perS, 10_000);
  assert.equal(e.cpuMsPer1k, 75);
  assert.ok(Math.abs(e.perCpuS - 13_333.33) < 0.01);
  assert.equal(e.cpuPct, 75);
  // nothing measured: no figure rather than a division by zero
  const none = efficiency({ tool: 'wrk', requests: 100, seconds: 1, cpuS: NaN });
  assert.ok(Number.isNaN(none.perCpuS) && Number.isNaN(none.cpuMsPer1k));
});

test('cost rows: best round of each tool, ratios against Locust per CPU-second and wrk throughput, targets marked on (a) only', () => {
  const rounds = [
    efficiency({ tool: 'llmload', requests: 10_000, seconds: 1, cpuS: 1 }),
    efficiency({ tool: 'llmload', requests: 12_000, seconds: 1, cpuS: 2 }),
    efficiency({ tool: 'Locust', requests: 5_000, seconds: 1, cpuS: 1.25 }),
    efficiency({ tool: 'wrk', requests: 40_000, seconds: 1, cpuS: 0.5 }),
  ];
  const rows = costRows('(a) short streams', rounds, true);
  const perCpu = rows.find((r) => r.name.includes('per CPU-second'))!;
  assert.match(perCpu.name, /\[TARGET >= 3x\]/);
  assert.deepEqual([perCpu.value, perCpu.baseline, perCpu.ratio], [10_000, 4_000, 2.5]);
  const vsWrk = rows.find((r) => r.baseline_name.startsWith('wrk req/s'))!;
  assert.match(vsWrk.name, /\[TARGET >= 0\.5x\]/);
  assert.deepEqual([vsWrk.value, vsWrk.baseline, vsWrk.ratio], [12_000, 40_000, 0.3]);
  assert.ok(costRows('(b) long streams', rounds, false).every((r) => !r.name.includes('TARGET')));
  // without Locust the ratio is n/a, not a number
  assert.ok(Number.isNaN(costRows('(a)', rounds.filter((r) => r.tool !== 'Locust'), true)[0]!.ratio));
  assert.equal(bestBy([1, NaN, 3, 2], (x) => x), 3);
});

test("bash's times: the children's user + system seconds from its last line", () => {
  assert.equal(childrenCpu('Running 2s test\nRequests/sec: 5000\n0m0.002s 0m0.001s\n0m1.230s 0m0.450s\n'), 1.68);
  assert.equal(childrenCpu('0m0.000s 0m0.000s\n1m2.500s 0m0.500s'), 63);
  assert.ok(Number.isNaN(childrenCpu('no times here')));
});
