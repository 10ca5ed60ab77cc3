/**
 * The expect block's goodput lines (issue 18): the definition `goodput ttft < 1s and tpot < 50ms`
 * and expectations on it (`goodput rps >= 5`), with exact diagnostics (1-based LINE:COL-LINE:COL)
 * for each mistake.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, resolvePlan } from '../../src/core/scenario';

/** A valid scenario with an open expect block: each case's lines start on line 6. */
const B = 'target builtin:reasoning\nload users 2 for 10s\nprompt "p"\n  user hi\nexpect\n';

function resolve(text: string) {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: () => undefined });
  const diags = [...p.diagnostics, ...r.diagnostics].map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}`,
  );
  return { plan: r.plan, diags };
}

test('a goodput definition and expectations on it resolve into the plan', () => {
  const { plan, diags } = resolve(B + '  goodput ttft < 1s and tpot < 50ms\n  goodput rps >= 5\n  goodput share >= 90%\n  ttft p95 < 2s\n');
  assert.deepEqual(diags, []);
  assert.deepEqual(plan!.goodput, {
    text: 'ttft < 1s and tpot < 50ms',
    conditions: [
      { figure: 'ttft', op: '<', value: 1000 },
      { figure: 'tpot', op: '<', value: 50 },
    ],
  });
  assert.deepEqual(
    plan!.expectations.map((e) => [e.text, e.metric, e.goodput, e.op, e.value]),
    [
      ['goodput rps >= 5', 'goodput', 'rps', '>=', 5],
      ['goodput share >= 90%', 'goodput', 'share', '>=', 0.9],
      ['ttft p95 < 2s', 'ttft', undefined, '<', 2000],
    ],
  );
});

test('every per-request figure, with its unit, and every goodput measure', () => {
  const { plan, diags } = resolve(
    B +
      '  goodput ttft <= 1.5s and ttfa < 2s and tpot < 40ms and e2e < 30s and token_rate >= 20/s and output_tokens > 10\n' +
      '  goodput requests >= 100\n  goodput tokens_per_s >= 500/s\n  goodput rps > 2 rps\n',
  );
  assert.deepEqual(diags, []);
  assert.deepEqual(
    plan!.goodput!.conditions.map((c) => `${c.figure} ${c.op} ${c.value}`),
    ['ttft <= 1500', 'ttfa < 2000', 'tpot < 40', 'e2e < 30000', 'token_rate >= 20', 'output_tokens > 10'],
  );
  assert.deepEqual(
    plan!.expectations.map((e) => `${e.goodput} ${e.op} ${e.value}`),
    ['requests >= 100', 'tokens_per_s >= 500', 'rps > 2'],
  );
});

test('the one-line form: expect goodput ... on the expect line itself', () => {
  const { plan, diags } = resolve('target builtin:reasoning\nload users 2 for 10s\nprompt "p"\n  user hi\nexpect goodput ttft < 1s\n');
  assert.deepEqual(diags, []);
  assert.equal(plan!.goodput!.text, 'ttft < 1s');
  assert.deepEqual(plan!.expectations, []);
});

const CASES: { name: string; lines: string; expect: string[] }[] = [
  {
    name: 'goodput alone',
    lines: '  goodput\n',
    expect: ['6:3-6:10 error: goodput needs the conditions each good request meets, e.g. goodput ttft < 1s and tpot < 50ms, or a figure of the run to check, e.g. goodput rps >= 5'],
  },
  {
    name: 'no figure before the comparison',
    lines: '  goodput < 1s\n',
    expect: ['6:11-6:15 error: goodput needs the conditions each good request meets, e.g. goodput ttft < 1s and tpot < 50ms, or a figure of the run to check, e.g. goodput rps >= 5'],
  },
  {
    name: 'a statistic on a per-request condition',
    lines: '  goodput ttft p95 < 1s\n',
    expect: ['6:16-6:19 error: a goodput condition holds for each request and takes no statistic; write e.g. goodput ttft < 1s'],
  },
  {
    name: 'itl is not a per-request figure',
    lines: '  goodput itl < 50ms\n',
    expect: [`6:11-6:14 error: "itl" is the gap between two packets, not a figure of one request; write tpot (the request's time per output token after the first), e.g. goodput tpot < 50ms`],
  },
  {
    name: 'latency is written e2e',
    lines: '  goodput latency < 5s\n',
    expect: ['6:11-6:18 error: write e2e for the latency of a request, e.g. goodput e2e < 30s'],
  },
  {
    name: 'misspelled figure',
    lines: '  goodput tft < 1s\n',
    expect: ['6:11-6:14 error: unknown goodput figure "tft"; did you mean "ttft"?'],
  },
  {
    name: 'a run figure as a condition',
    lines: '  goodput qpm < 60\n',
    expect: ['6:11-6:14 error: "qpm" is not a figure of one request that goodput can check; use "ttft", "ttfa", "tpot", "e2e", "token_rate" or "output_tokens", e.g. goodput ttft < 1s and tpot < 50ms'],
  },
  {
    name: 'a goodput measure joined to the conditions',
    lines: '  goodput ttft < 1s and rps >= 5\n',
    expect: ['6:25-6:28 error: "rps" is a figure of the whole run, not of one request; check it on its own line, e.g. goodput rps >= 5'],
  },
  {
    name: '== in a condition',
    lines: '  goodput ttft == 1s\n',
    expect: ['6:16-6:18 error: "==" is not a comparison goodput ttft can use; use <, <=, > or >=, e.g. goodput ttft < 1s'],
  },
  {
    name: '=< instead of <=',
    lines: '  goodput ttft =< 1s\n',
    expect: ['6:16-6:18 error: write "<=" instead of "=<"'],
  },
  {
    name: 'no value',
    lines: '  goodput ttft <\n',
    expect: ['6:16-6:17 error: expected a value after "<", e.g. goodput ttft < 1s'],
  },
  {
    name: 'a duration without unit',
    lines: '  goodput ttft < 1\n',
    expect: ['6:18-6:19 error: expected a duration like 10s or 500ms, got "1"'],
  },
  {
    name: 'a trailing and',
    lines: '  goodput ttft < 1s and\n',
    expect: ['6:21-6:24 error: expected a condition after "and", e.g. goodput ttft < 1s and tpot < 50ms'],
  },
  {
    name: 'or instead of and',
    lines: '  goodput ttft < 1s or tpot < 2ms\n',
    expect: ['6:21-6:23 error: goodput conditions are joined with "and" only: a good request meets every one; write e.g. goodput ttft < 1s and tpot < 50ms'],
  },
  {
    name: 'no comparison',
    lines: '  goodput ttft 1s\n',
    expect: ['6:16-6:17 error: expected a comparison (<, <=, > or >=) after "ttft"; write e.g. goodput ttft < 1s'],
  },
  {
    name: 'a token rate without /s',
    lines: '  goodput token_rate >= 20\n',
    expect: ['6:25-6:27 error: expected a token rate like 20/s, got "20"'],
  },
  {
    name: 'a fraction of a token',
    lines: '  goodput output_tokens >= 1.5\n',
    expect: ['6:28-6:31 error: expected a whole number for output_tokens, got "1.5"'],
  },
  {
    name: 'an expectation on goodput without its conditions',
    lines: '  goodput rps >= 5\n',
    expect: ['6:3-6:19 error: "goodput rps >= 5" needs the conditions a good request meets: add a line like goodput ttft < 1s and tpot < 50ms to the expect block'],
  },
  {
    name: 'a statistic on a run figure',
    lines: '  goodput ttft < 1s\n  goodput rps p95 >= 5\n',
    expect: ['7:15-7:18 error: goodput rps is one figure of the run and takes no statistic; write e.g. goodput rps >= 5'],
  },
  {
    name: 'a share without %',
    lines: '  goodput ttft < 1s\n  goodput share >= 90\n',
    expect: ['7:20-7:22 error: expected a percentage like 99%, got "90"'],
  },
  {
    name: 'two run figures on one line',
    lines: '  goodput ttft < 1s\n  goodput rps >= 5 and share >= 90%\n',
    expect: ['7:18-7:36 error: a goodput expectation checks one figure; put each on its own line, e.g. goodput rps >= 5'],
  },
  {
    name: 'a fraction of a request',
    lines: '  goodput ttft < 1s\n  goodput requests >= 2.5\n',
    expect: ['7:23-7:26 error: expected a whole number for goodput requests, got "2.5"'],
  },
  {
    name: 'rps in words it does not know',
    lines: '  goodput ttft < 1s\n  goodput rps >= fast\n',
    expect: ['7:18-7:22 error: expected good requests per second like 5 or 5 rps, got "fast"'],
  },
  {
    name: 'a second definition',
    lines: '  goodput ttft < 1s\n  goodput tpot < 50ms\n',
    expect: ['7:3-7:22 error: goodput is already defined on line 6; write every condition on that line, joined with and, e.g. goodput ttft < 1s and tpot < 50ms'],
  },
  {
    name: 'a broken definition: its own error only, not also "needs the conditions"',
    lines: '  goodput ttft < 1\n  goodput rps >= 5\n',
    expect: ['6:18-6:19 error: expected a duration like 10s or 500ms, got "1"'],
  },
];

for (const c of CASES) {
  test(`goodput diagnostic: ${c.name}`, () => {
    assert.deepEqual(resolve(B + c.lines).diags, c.expect);
  });
}
