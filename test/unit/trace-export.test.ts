import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../../src/core/run/runner';
import { runTrace } from '../../src/cli/trace';
import type { ChromeTrace } from '../../src/core/results/trace-export';
import type { RequestRecord } from '../../src/core/metrics/record';
import { plan } from '../helpers/plans';

let dir = '';
const io = () => {
  const o = { out: [] as string[], err: [] as string[] };
  return { o, io: { out: (l: string) => o.out.push(l), err: (l: string) => o.err.push(l), progress() {}, progressDone() {} } };
};

before(async () => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-trace-')), 'run');
  const h = await startRun(plan({ load: { kind: 'users', users: 2, duration_ms: 1500 }, trace: { mode: 'first', n: 2 } }), { outDir: dir });
  await h.done;
});

test('perfetto: one track per request, wait/thinking/answer slices in order inside the request, an instant per traced packet', async () => {
  const { o, io: cli } = io();
  const out = path.join(dir, 'trace.json');
  assert.equal(await runTrace([dir, '--out', out], cli), 0);
  const trace = JSON.parse(fs.readFileSync(out, 'utf8')) as ChromeTrace;
  const records = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RequestRecord);
  const packets = fs.readFileSync(path.join(dir, 'packets.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(trace.displayTimeUnit, 'ms');
  const requests = trace.traceEvents.filter((e) => e.ph === 'X' && e.name.startsWith('request '));
  assert.equal(requests.length, records.length);
  assert.equal(new Set(requests.map((e) => e.tid)).size, records.length);
  assert.equal(trace.traceEvents.filter((e) => e.ph === 'i').length, packets.length);
  for (const r of records.filter((x) => x.id < 2)) {
    const tid = r.id + 1;
    const slices = trace.traceEvents.filter((e) => e.tid === tid && e.cat === 'phase');
    assert.deepEqual(slices.map((s) => s.name), ['wait', 'thinking', 'answer']);
    const req = requests.find((e) => e.tid === tid)!;
    assert.equal(slices[0]!.ts, req.ts);
    assert.equal(slices[1]!.ts, Math.round((r.offset_ms + r.ttft_ms!) * 1000));
    assert.equal(slices[2]!.ts, Math.round((r.offset_ms + r.ttfa_ms!) * 1000));
    for (const s of slices) assert.ok(s.ts! + s.dur! <= req.ts! + req.dur! + 1, `${s.name} inside the request`);
  }
  assert.match(o.err.join('\n'), /wrote/);
});

test('--request ID narrows to one request; jsonl gives absolute times per packet', async () => {
  const { o, io: cli } = io();
  assert.equal(await runTrace([dir, '--request', '1', '--format', 'jsonl'], cli), 0);
  const lines = o.out.join('\n').split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length > 3);
  assert.ok(lines.every((l) => l.request === 1));
  const r = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RequestRecord).find((x) => x.id === 1)!;
  assert.equal(lines[0].epoch_ms, r.start_ms + lines[0].t_ms);
  assert.equal(lines[0].run_ms, r.offset_ms + lines[0].t_ms);
});

test('bad arguments are clear errors', async () => {
  const { o, io: cli } = io();
  assert.equal(await runTrace([dir, '--request', '99999'], cli), 2);
  assert.equal(await runTrace([dir, '--format', 'svg'], cli), 2);
  assert.equal(await runTrace([os.tmpdir()], cli), 2);
  assert.match(o.err.join('\n'), /no request 99999/);
  assert.match(o.err.join('\n'), /--format is perfetto or jsonl/);
  assert.match(o.err.join('\n'), /is not a run folder/);
});
