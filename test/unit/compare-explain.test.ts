// Compare that explains itself: readable figure names, the set-up differences of the two runs
// (load, target, model, prompts) from their plan.json, and a visible noise band inside which no
// change is called better or worse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunAggregator } from '../../src/core/metrics/aggregate';
import type { RequestRecord } from '../../src/core/metrics/record';
import { buildSummary, type Summary } from '../../src/core/metrics/summary';
import { compareSummaries } from '../../src/core/compare/compare';
import { compareRunFolders } from '../../src/core/compare/runs';
import { planDifferences } from '../../src/core/compare/differences';
import { applyNoise, figureName, noiseBand } from '../../src/core/compare/noise';
import { comparisonText } from '../../src/core/compare/text-table';
import { plan } from '../helpers/plans';

function rec(id: number, ttft: number): RequestRecord {
  return { id, prompt: 'p', user: 0, start_ms: 0, offset_ms: id * 10, status: 'ok', http_status: 200, ttft_ms: ttft, ttfa_ms: ttft + 100, thinking_ms: 100, e2e_ms: ttft + 500, input_tokens: 10, output_tokens: 50, output_tokens_source: 'server', thinking_tokens: 10, thinking_tokens_source: 'server', token_rate: 50, finish_reason: 'stop', packets: {} } as RequestRecord;
}

function summary(n: number, scale: number): Summary {
  const agg = new RunAggregator();
  for (let i = 1; i <= n; i++) agg.add(rec(i, (100 + (i % 50)) * scale));
  return buildSummary(plan(), agg, { started_at: '2026-11-28T00:00:00Z', duration_s: 10, ended_by: 'completed', target: 'builtin:chat' });
}

test('the noise band shrinks with more requests, is wider for tails, and has floor and ceiling', () => {
  assert.equal(noiseBand(100, 400).band, 0.1, 'the smaller run decides: 1/sqrt(100)');
  assert.equal(noiseBand(100, 100).tail_band, 0.2);
  assert.equal(noiseBand(1_000_000, 1_000_000).band, 0.02);
  assert.equal(noiseBand(2, 2).band, 0.5);
  assert.equal(noiseBand(0, 10).band, 0.5);
  assert.match(noiseBand(100, 100).note, /within ±10% \(±20% for p99 and max\).*100 requests.*not called better or worse/);
});

test('a 5% slower TTFT over 100 requests is "same" (inside ±10%); 30% slower is worse', () => {
  const a = summary(100, 1);
  const small = compareSummaries(a, summary(100, 1.05));
  const p50 = small.rows.find((r) => r.label === 'ttft p50')!;
  assert.ok(p50.rel! > 0.04 && p50.rel! < 0.06, String(p50.rel));
  assert.equal(p50.verdict, 'same');
  assert.equal(p50.noise, 0.1);
  assert.equal(small.noise?.band, 0.1);
  const big = compareSummaries(a, summary(100, 1.3));
  assert.equal(big.rows.find((r) => r.label === 'ttft p50')!.verdict, 'worse');
  // With 10,000 requests the same 5% is a real change.
  const many = compareSummaries(summary(10_000, 1), summary(10_000, 1.05));
  assert.equal(many.rows.find((r) => r.label === 'ttft p50')!.verdict, 'worse');
});

test('applyNoise leaves n/a and changes beyond the band alone', () => {
  const rows = [
    { metric: 'qpm', label: 'qpm', stat: '', unit: 'per minute', better: 'higher', a: 100, b: 108, abs: 8, rel: 0.08, verdict: 'better' },
    { metric: 'ttft_ms', label: 'ttft p99', stat: 'p99', unit: 'ms', better: 'lower', a: 100, b: 115, abs: 15, rel: 0.15, verdict: 'worse' },
    { metric: 'ttft_ms', label: 'ttft p50', stat: 'p50', unit: 'ms', better: 'lower', a: 100, b: 115, abs: 15, rel: 0.15, verdict: 'worse' },
    { metric: 'ttft_ms', label: 'ttft p95', stat: 'p95', unit: 'ms', better: 'lower', a: null, b: 1, abs: null, rel: null, verdict: 'n/a' },
  ] as Parameters<typeof applyNoise>[0];
  applyNoise(rows, noiseBand(100, 100));
  assert.deepEqual(rows.map((r) => r.verdict), ['same', 'same', 'worse', 'n/a']);
});

test('readable figure names', () => {
  assert.equal(figureName('ttft_ms', 'p95'), 'Time to first token, p95');
  assert.equal(figureName('success_rate', ''), 'Success rate');
  assert.equal(figureName('mystery', 'p50'), 'mystery, p50');
  const cmp = compareSummaries(summary(50, 1), summary(50, 1));
  assert.ok(cmp.rows.every((r) => r.name && !/_ms|_/.test(r.name.split(',')[0]!)), cmp.rows.map((r) => r.name).join(' | '));
});

test('set-up differences between two run folders: load, model, prompts; none for the same set-up', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-cmp-'));
  try {
    const write = (name: string, p: object, s: Summary) => {
      const dir = path.join(tmp, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(p));
      fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(s));
      return dir;
    };
    const base = plan();
    const a = write('a', base, summary(100, 1));
    const b = write(
      'b',
      { ...base, load: { kind: 'users', users: 8, duration_ms: 60_000 }, prompts: base.prompts.map((p, i) => (i === 0 ? { ...p, messages: [{ role: 'user', content: 'other text' }] } : p)) },
      { ...summary(100, 1), model: 'other-model' },
    );
    const same = write('same', base, summary(100, 1));
    const cmp = compareRunFolders(a, b);
    const what = cmp.differences!.map((d) => d.what);
    assert.ok(what.includes('load'), what.join());
    assert.ok(what.includes('model'));
    assert.ok(what.includes('prompts'));
    assert.equal(cmp.differences!.find((d) => d.what === 'load')!.b, '8 users for 1m');
    assert.match(cmp.differences!.find((d) => d.what === 'prompts')!.a, /text or parameters differ/);
    assert.deepEqual(compareRunFolders(a, same).differences, []);
    const text = comparisonText(cmp).join('\n');
    assert.match(text, /differs: model: A \S+ {2}B other-model/);
    assert.match(text, /noise: changes within ±10%/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('planDifferences with no plans compares what the summaries say', () => {
  const d = planDifferences({ summary: { ...summary(10, 1), target: 'http://a' } }, { summary: { ...summary(10, 1), target: 'http://b', ended_by: 'stopped' } });
  assert.deepEqual(
    d.map((x) => [x.what, x.a, x.b]),
    [
      ['target', 'http://a', 'http://b'],
      ['ended by', 'completed', 'stopped'],
    ],
  );
});
