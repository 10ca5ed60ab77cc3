// A sweep run against a simulator with a known capacity: 4 serving slots, each request 30 tokens at
// 100 tokens/s, so ~300 ms per request and ~13 requests/s at most. The scenario goes through the
// parser, so the whole path is exercised; summary.json on disk must equal the run's summary.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../../src/core/run/runner';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { defineProfile, startSimulator } from '../../src/core/sim';
import type { Summary } from '../../src/core/metrics/summary';
import type { RequestRecord } from '../../src/core/metrics/record';

export const SLOTS4 = defineProfile('chat', {
  name: 'slots4',
  max_concurrency: 4,
  decode_tokens_per_s: 100,
  answer_tokens: [30, 30],
  // Some jitter, as real decoding has: the slots drift apart, so completions do not come in lockstep bursts.
  jitter: 0.2,
  overhead_ms: 5,
  batch_slowdown: 0,
  keepalive_interval_ms: 0,
});

export async function sweepRun(loadLine: string, expect: string[], profile = SLOTS4): Promise<{ summary: Summary; records: RequestRecord[]; dir: string }> {
  const sim = await startSimulator({ profile, seed: 3 });
  try {
    const text = [`target ${sim.url}`, 'model sim', loadLine, 'seed 7', 'prompt "p"', '  user Say hi', ...(expect.length ? ['expect', ...expect.map((e) => `  ${e}`)] : []), ''].join('\n');
    const parsed = parseScenario(text, '/virtual/s.llmload');
    const r = resolvePlan(parsed.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: () => undefined });
    assert.deepEqual([...parsed.diagnostics, ...r.diagnostics].filter((d) => d.severity === 'error'), []);
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-sweep-')), 'run');
    const h = await startRun(r.plan!, { outDir: dir, workers: 1 });
    const { summary, error } = await h.done;
    assert.equal(error, undefined);
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary;
    assert.deepEqual(onDisk.sweep, JSON.parse(JSON.stringify(summary.sweep)));
    assert.deepEqual(onDisk.expectations, JSON.parse(JSON.stringify(summary.expectations)));
    const records = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestRecord);
    return { summary, records, dir };
  } finally {
    await sim.close();
  }
}
