import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../../src/core/run/runner';
import { EXPORTERS, exporterNamed, exportersFor, openRun } from '../../src/core/exporters';
import { runTrace } from '../../src/cli/trace';
import { runReport } from '../../src/cli/report';
import { plan } from '../helpers/plans';

let dir = '';
const io = () => {
  const o = { out: [] as string[], err: [] as string[] };
  return { o, io: { out: (l: string) => o.out.push(l), err: (l: string) => o.err.push(l), progress() {}, progressDone() {} } };
};

before(async () => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-exporters-')), 'run');
  const h = await startRun(plan({ load: { kind: 'users', users: 2, duration_ms: 800 }, trace: { mode: 'first', n: 2 } }), { outDir: dir });
  await h.done;
});

test('each command offers its formats by unique name, each with a file extension', () => {
  for (const command of ['report', 'trace'] as const) {
    const names = exportersFor(command).map((e) => e.name);
    assert.equal(new Set(names).size, names.length);
  }
  for (const e of EXPORTERS) assert.match(e.extension, /^\.[a-z]+$/);
  assert.deepEqual(exportersFor('trace').map((e) => e.name), ['perfetto', 'jsonl']);
  assert.equal(exporterNamed('trace', 'html'), undefined, 'a report format is not a trace format');
});

test('a run read through openRun is read once, and narrowed to one request by `only`', async () => {
  const all = openRun(dir);
  assert.equal(await all.records(), await all.records());
  const one = openRun(dir, 1);
  const records = await one.records();
  assert.deepEqual(records.map((r) => r.id), [1]);
  assert.deepEqual([...(await one.packets()).keys()], [1]);
  assert.equal(one.summaryJson()?.scenario, all.summaryJson()?.scenario);
});

test('the trace command writes what the registered exporter makes', async () => {
  for (const format of exportersFor('trace')) {
    const { o, io: cli } = io();
    assert.equal(await runTrace([dir, '--format', format.name], cli), 0);
    const { text } = await format.export(openRun(dir), {});
    assert.equal(o.out.join('\n'), text.trimEnd(), format.name);
  }
});

test('the report command wants one of its registered formats', async () => {
  const { o, io: cli } = io();
  assert.equal(await runReport([dir], cli), 2);
  assert.match(o.err.join('\n'), new RegExp(exportersFor('report').map((e) => `--${e.name} FILE`).join(' or ')));
});

test('the CI formats are report formats: `report --junit/--markdown` write what `llmload junit` writes', async () => {
  const { junitXml } = await import('../../src/core/report/junit');
  const { markdownSummary } = await import('../../src/core/report/markdown-summary');
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-exporters-ci-'));
  const { io: cli } = io();
  assert.equal(await runReport([dir, '--junit', path.join(out, 'r.xml'), '--markdown', path.join(out, 'r.md')], cli), 0);
  assert.equal(fs.readFileSync(path.join(out, 'r.xml'), 'utf8').trimEnd(), junitXml(summary, { runDir: dir, hostname: os.hostname() }).trimEnd());
  assert.equal(fs.readFileSync(path.join(out, 'r.md'), 'utf8').trimEnd(), markdownSummary(summary, { runDir: dir }).trimEnd());
  assert.match(fs.readFileSync(path.join(out, 'r.xml'), 'utf8'), /<testsuite /);
});
