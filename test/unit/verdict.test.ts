// The run's verdict as every view shows it: a run a person stopped (or one that ended on an error)
// never says its expectations hold, even when the figures so far would pass; a stop condition the
// scenario sets is judged as usual. The CLI summary says the same.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runVerdict, type ExpectationResult } from '../../src/core/metrics/expectations';
import { summaryText } from '../../src/cli/format';
import type { Summary } from '../../src/core/metrics/summary';

const holds: ExpectationResult = { text: 'success >= 99%', pass: true, actual: 1, actual_text: '100.00%' };
const fails: ExpectationResult = { text: 'ttft p95 < 200ms', pass: false, actual: 412, actual_text: '412.0ms' };

describe('runVerdict', () => {
  it('a stopped run whose figures would pass is STOPPED, not judged, with the time of the plan', () => {
    const v = runVerdict({ ended_by: 'stopped', duration_s: 7.2, expectations: [holds] }, { planned_s: 21 });
    assert.equal(v.kind, 'stopped');
    assert.equal(v.label, 'STOPPED');
    assert.equal(v.judged, false);
    assert.equal(v.text, 'stopped after 7.2s of 21s: expectations not judged');
    assert.deepEqual(v.expectations, [{ text: 'success >= 99%', state: 'not judged', actual_text: '100.00%' }]);
    assert.doesNotMatch(v.text, /hold|pass/i);
  });

  it('a stopped run with a failing expectation is still STOPPED (partial figures judge nothing)', () => {
    const v = runVerdict({ ended_by: 'stopped', duration_s: 12, expectations: [holds, fails] });
    assert.equal(v.label, 'STOPPED');
    assert.equal(v.failed, 0);
    assert.equal(v.text, 'stopped after 12s: expectations not judged');
    assert.ok(v.expectations.every((e) => e.state === 'not judged'));
  });

  it('a run that lost its host or ended on an error is never PASS', () => {
    assert.equal(runVerdict({ ended_by: 'host disconnected', duration_s: 3, expectations: [holds] }).label, 'STOPPED');
    const e = runVerdict({ ended_by: 'completed', duration_s: 3, expectations: [holds] }, { error: 'worker crashed' });
    assert.equal(e.label, 'ERROR');
    assert.equal(e.text, 'ended on an error after 3s (worker crashed): expectations not judged');
  });

  it('a stopped run without expectations says only that it was stopped', () => {
    const v = runVerdict({ ended_by: 'stopped', duration_s: 2, expectations: [] }, { planned_s: 60 });
    assert.equal(v.text, 'stopped after 2s of 60s');
  });

  it('a completed run, or one ended by the scenario\'s own stop condition, is judged', () => {
    for (const ended_by of ['completed', 'requests', 'duration', 'error_rate']) {
      assert.equal(runVerdict({ ended_by, duration_s: 5, expectations: [holds] }).label, 'PASS', ended_by);
      const f = runVerdict({ ended_by, duration_s: 5, expectations: [holds, fails] });
      assert.equal(f.label, 'FAIL', ended_by);
      assert.equal(f.text, '1 of 2 expectation(s) failed');
      assert.deepEqual(f.expectations.map((e) => e.state), ['pass', 'fail']);
    }
    assert.equal(runVerdict({ ended_by: 'completed', expectations: [holds, holds] }).text, 'all 2 expectations hold');
    assert.equal(runVerdict({ ended_by: 'completed', expectations: [] }).label, 'DONE');
  });
});

describe('the CLI summary agrees', () => {
  const base = (ended_by: string): Summary =>
    ({
      scenario: 's',
      file: 'f',
      target: 'builtin:chat',
      api: 'openai-chat',
      model: 'm',
      started_at: '2026-01-01T00:00:00Z',
      duration_s: 7,
      ended_by,
      requests: { total: 42, ok: 42, failed: 0, cancelled: 0, warmup: 0 },
      success_rate: 1,
      qpm: 360,
      rps: 6,
      output_tokens_per_s: 100,
      tokens: { input: 0, output: 0, thinking: 0, cached: 0 },
      token_accounting: { input: { requests: 0, server: 0, tokenizer: 0, diff_pct: null }, output: { requests: 0, server: 0, packets: 0, diff_pct: null } },
      buckets: [],
      ttft_ms: { p50: 1, p90: 1, p95: 1, p99: 1, max: 1, mean: 1 },
      ttfa_ms: { p50: 1, p90: 1, p95: 1, p99: 1, max: 1, mean: 1 },
      e2e_ms: { p50: 1, p90: 1, p95: 1, p99: 1, max: 1, mean: 1 },
      thinking_ms: { p50: null, p90: null, p95: null, p99: null, max: null, mean: null },
      token_rate: { p50: 1, p90: 1, p95: 1, p99: 1, max: 1, mean: 1 },
      errors: {},
      error_samples: {},
      warnings: {},
      expectations: [holds],
      histograms: {} as Summary['histograms'],
    }) as unknown as Summary;

  it('stopped: no PASS line, a STOPPED verdict', () => {
    const t = summaryText(base('stopped'), 'dir');
    assert.doesNotMatch(t, /PASS/);
    assert.match(t, /-\s+success >= 99%\s+actual 100\.00%/);
    assert.match(t, /verdict: STOPPED, stopped after 7s: expectations not judged/);
  });

  it('completed: PASS per line and a PASS verdict', () => {
    const t = summaryText(base('completed'), 'dir');
    assert.match(t, /PASS\s+success >= 99%/);
    assert.match(t, /verdict: PASS, the expectation holds/);
  });
});
