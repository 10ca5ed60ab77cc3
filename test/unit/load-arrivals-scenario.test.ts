// The language of gamma and burst arrivals: `load rate R for D gamma B` and `load burst N every D
// [for T]`, the plans they resolve to, and one exact diagnostic (file:line:col, what to write) per mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { loadDuration, isOpenLoop } from '../../src/core/scenario/blocks/load';
import type { LoadPlan } from '../../src/core/scenario/plan';
import { estimateRequests } from '../../src/extension/run/cost-estimate';
import { loadText } from '../../src/core/compare/differences';
import { describeLoad } from '../../src/extension/language/analysis';
import { sliceMs } from '../../src/core/grade/run-grading';

const HEAD = 'target builtin:reasoning\nprompt "p"\n  user hi\n';

function diagnose(text: string): { diagnostics: string[]; load?: LoadPlan } {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: () => undefined });
  const diagnostics = [...p.diagnostics, ...r.diagnostics].map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}`,
  );
  return { diagnostics, load: r.plan?.load };
}

const GOOD: [string, LoadPlan][] = [
  ['load rate 10/s for 1m gamma 0.5', { kind: 'rate', per_s: 10, duration_ms: 60_000, arrival: 'gamma', burstiness: 0.5 }],
  ['load rate 120 qpm for 30s gamma 4', { kind: 'rate', per_s: 2, duration_ms: 30_000, arrival: 'gamma', burstiness: 4 }],
  ['load rate 10/s for 1m gamma 1', { kind: 'rate', per_s: 10, duration_ms: 60_000, arrival: 'gamma', burstiness: 1 }],
  ['load rate 10/s for 1m poisson', { kind: 'rate', per_s: 10, duration_ms: 60_000, arrival: 'poisson' }],
  ['load burst 20 every 10s for 1m', { kind: 'burst', size: 20, every_ms: 10_000, duration_ms: 60_000 }],
  ['load burst 5 requests every 500ms for 10s', { kind: 'burst', size: 5, every_ms: 500, duration_ms: 10_000 }],
  ['load burst 1 request every 2s for 1m', { kind: 'burst', size: 1, every_ms: 2000, duration_ms: 60_000 }],
];

for (const [line, want] of GOOD) {
  test(`plan: ${line}`, () => {
    const r = diagnose(HEAD + line + '\n');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.load, want);
  });
}

test('plan: a burst or gamma load without "for" ends by its stop line', () => {
  assert.deepEqual(diagnose(HEAD + 'load burst 4 every 1s\nstop after 100 requests\n').load, { kind: 'burst', size: 4, every_ms: 1000, duration_ms: Infinity });
  assert.deepEqual(diagnose(HEAD + 'load rate 2 rps gamma 0.5\nstop after 10m\n').load, { kind: 'rate', per_s: 2, duration_ms: 600_000, arrival: 'gamma', burstiness: 0.5 });
});

const BAD: [string, string, string][] = [
  ['gamma without a factor', 'load rate 10/s for 1m gamma', '4:1-4:28 error: the burstiness after "gamma" is missing; write gamma B with B the burstiness, above 0: 1 is Poisson, below 1 burstier, above 1 more even, e.g. gamma 0.5'],
  ['gamma factor not a number', 'load rate 10/s for 1m gamma high', '4:29-4:33 error: the burstiness after "gamma" must be a number, got "high"; write gamma B with B the burstiness, above 0: 1 is Poisson, below 1 burstier, above 1 more even, e.g. gamma 0.5'],
  ['gamma factor negative', 'load rate 10/s for 1m gamma -1', '4:29-4:31 error: the burstiness after "gamma" must be a number, got "-1"; write gamma B with B the burstiness, above 0: 1 is Poisson, below 1 burstier, above 1 more even, e.g. gamma 0.5'],
  ['gamma factor 0', 'load rate 10/s for 1m gamma 0', '4:29-4:30 error: the burstiness must be at least 0.01 (below that nearly every gap is 0), got 0; write gamma B with B the burstiness, above 0: 1 is Poisson, below 1 burstier, above 1 more even, e.g. gamma 0.5'],
  ['gamma factor tiny', 'load rate 10/s for 1m gamma 0.001', '4:29-4:34 error: the burstiness must be at least 0.01 (below that nearly every gap is 0), got 0.001; write gamma B with B the burstiness, above 0: 1 is Poisson, below 1 burstier, above 1 more even, e.g. gamma 0.5'],
  ['gamma followed by another arrival', 'load rate 10/s for 1m gamma poisson', '4:29-4:36 error: the burstiness after "gamma" is missing before "poisson"; write gamma B with B the burstiness, above 0: 1 is Poisson, below 1 burstier, above 1 more even, e.g. gamma 0.5'],
  ['two arrivals', 'load rate 10/s for 1m gamma 0.5 poisson', '4:33-4:40 error: a load has one arrival process, and this line already says gamma; remove "poisson" or the other one'],
  ['for after the arrival', 'load rate 10/s gamma 0.5 for 1m', '4:26-4:32 error: "for DURATION" goes before the arrival; write e.g. load rate 2 rps for 5m gamma 0.5'],
  ['misspelled gamma', 'load rate 10/s for 1m gama 0.5', '4:23-4:27 error: unexpected "gama"; did you mean "gamma"?'],
  ['words after the factor', 'load rate 10/s for 1m gamma 0.5 please', '4:33-4:39 error: unexpected "please"; write load rate R qpm|rps for DURATION [poisson|uniform|gamma B], e.g. load rate 2 rps for 5m'],
  ['burst with nothing', 'load burst', '4:1-4:11 error: the burst size is missing; write load burst N every DURATION for DURATION, e.g. load burst 20 every 10s for 1m'],
  ['burst without a size', 'load burst every 10s for 1m', '4:12-4:17 error: the burst size is missing before "every"; write load burst N every DURATION for DURATION, e.g. load burst 20 every 10s for 1m'],
  ['burst size not whole', 'load burst 2.5 every 10s for 1m', '4:12-4:15 error: expected a whole number for the burst size, got "2.5"'],
  ['burst size 0', 'load burst 0 every 10s for 1m', '4:12-4:13 error: the burst size must be at least 1, got 0'],
  ['burst without a period', 'load burst 20', '4:1-4:14 error: load burst needs a period: how often the 20 requests go out; write load burst N every DURATION for DURATION, e.g. load burst 20 every 10s for 1m'],
  ['misspelled every', 'load burst 20 evry 10s for 1m', '4:15-4:19 error: unexpected "evry"; did you mean "every"?'],
  ['period missing', 'load burst 20 every', '4:1-4:20 error: the period after "every" is missing; write a duration like 10s or 500ms'],
  ['period without a unit', 'load burst 20 every 10 for 1m', '4:21-4:23 error: expected a duration like 10s or 500ms, got "10"'],
  ['period 0', 'load burst 20 every 0s for 1m', '4:21-4:23 error: the period must be above 0, got 0s'],
  ['burst without an end', 'load burst 20 every 10s', '4:1-4:24 error: load burst has no end: add "for DURATION" (e.g. for 5m), or a line stop after 10m or stop after 1000 requests'],
  ['burst with an arrival', 'load burst 20 every 10s for 1m poisson', '4:32-4:39 error: unexpected "poisson"; write load burst N every DURATION for DURATION, e.g. load burst 20 every 10s for 1m'],
];

for (const [name, line, want] of BAD) {
  test(`diagnostic: ${name}`, () => {
    const r = diagnose(HEAD + line + '\n');
    assert.deepEqual(r.diagnostics, [want]);
    assert.equal(r.load, undefined);
  });
}

test('a burst load is open loop, lasts its "for", and reads as itself in the estimate, compare, hover and grading slices', () => {
  const burst: LoadPlan = { kind: 'burst', size: 20, every_ms: 10_000, duration_ms: 60_000 };
  assert.equal(isOpenLoop(burst), true);
  assert.equal(loadDuration(burst), 60_000);
  assert.equal(loadDuration({ ...burst, duration_ms: Infinity }), undefined);
  assert.equal(estimateRequests(burst), 120); // bursts at 0, 10, ..., 50 s
  assert.equal(estimateRequests({ ...burst, duration_ms: 65_000 }), 140); // and one at 60 s
  assert.equal(loadText(burst), 'burst 20 every 10s for 1m');
  assert.equal(describeLoad(burst), '20 requests at once every 10 s for 1 min');
  assert.equal(sliceMs(burst), 10_000);
  const gamma: LoadPlan = { kind: 'rate', per_s: 10, duration_ms: 60_000, arrival: 'gamma', burstiness: 0.5 };
  assert.equal(loadText(gamma), '600 qpm (gamma 0.5) for 1m');
  assert.equal(describeLoad(gamma), '600 requests per minute (gamma burstiness 0.5) for 1 min');
  assert.equal(estimateRequests(gamma), 600);
});
