// Goodput in Compare on real runs against the built-in simulator over loopback (issue 18): a
// profile twice as slow (TTFT 300 → 600 ms, 40 → 20 tokens/s, as in compare-sim-runs.test.ts)
// against a goodput line between the two compares as "worse" in both goodput rows, with intervals
// that exclude zero; the same profile on both sides compares as "no significant change".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../../src/core/run/runner';
import { compareRunFolders } from '../../src/core/compare/runs';
import { proportionDiffInterval } from '../../src/core/compare/bootstrap';
import type { Summary } from '../../src/core/metrics/summary';
import { plan } from '../helpers/plans';

const PROFILE = 'chat?overhead_ms=300&decode_tokens_per_s=40';
const SLOW = 'chat?overhead_ms=600&decode_tokens_per_s=20';
// Between the two: the fast profile meets it, the slow one cannot (TTFT ~600 ms, TPOT ~50 ms).
const GOODPUT = { text: 'ttft < 450ms and tpot < 37ms', conditions: [{ figure: 'ttft' as const, op: '<' as const, value: 450 }, { figure: 'tpot' as const, op: '<' as const, value: 37 }] };

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-goodput-cmp-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(name: string, seed: number, profile: string): Promise<string> {
  const p = plan({
    target: { kind: 'builtin', profile },
    model: 'sim-chat',
    seed,
    load: { kind: 'users', users: 16, duration_ms: 8000 },
    stop: { after_requests: 80 },
    prompts: [{ name: 'q', weight: 1, messages: [{ role: 'user', content: 'Say a few words about load tests.' }], params: { max_tokens: 6 } }],
    goodput: GOODPUT,
  });
  const r = await (await startRun(p, { outDir: path.join(tmp, name) })).done;
  assert.equal(r.error, undefined);
  return r.dir;
}

const goodput = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary).goodput!;

const REPEATS = 3;

test(`a profile twice as slow compares goodput as worse, each interval excluding zero, in each of ${REPEATS} seeded repeats; the same profile as no significant change in most`, async (t) => {
  let same = 0;
  for (let i = 0; i < REPEATS; i++) {
    // Side by side, so all three runs meet the same machine.
    const [a, slow, twin] = await Promise.all([run(`a${i}`, 500 + i, PROFILE), run(`slow${i}`, 600 + i, SLOW), run(`twin${i}`, 700 + i, PROFILE)]);
    t.diagnostic(`goodput A ${goodput(a).requests}/${goodput(a).of}, slow ${goodput(slow).requests}/${goodput(slow).of}, same profile ${goodput(twin).requests}/${goodput(twin).of}`);
    const c = compareRunFolders(a, slow);
    assert.equal(c.stats?.judged_by, 'interval');
    const rows = c.rows.filter((r) => r.metric.startsWith('goodput_'));
    assert.deepEqual(rows.map((r) => r.label), ['goodput rps', 'goodput share']);
    for (const r of rows) {
      assert.equal(r.judged_by, 'interval', r.label);
      assert.equal(r.verdict, 'worse', `${r.label}: ${JSON.stringify(r)}`);
      assert.ok(r.interval!.hi < 0, `${r.label}: ${JSON.stringify(r.interval)}`);
      assert.ok(r.b! < r.a!, r.label);
    }
    assert.equal(rows[0]!.interval!.method, 'poisson');
    assert.equal(rows[1]!.interval!.method, 'proportion');
    // A share's change lies in −1..1 (−100..+100 points): its interval too.
    assert.ok(rows[1]!.interval!.lo >= -1 && rows[1]!.interval!.hi <= 1, JSON.stringify(rows[1]!.interval));
    const s = compareRunFolders(a, twin).rows.filter((x) => x.metric.startsWith('goodput_'));
    assert.ok(s.every((r) => r.judged_by === 'interval'));
    if (s.every((r) => r.verdict === 'same')) same++;
  }
  assert.ok(same >= REPEATS - 1, `the same profile compared as no significant change in ${same} of ${REPEATS}`);
});

test('a share that falls from almost all to none: the interval stops at −100 points instead of going past it', () => {
  // 85 of 94 good against 0 of 94, at one row's level of a 15-row table (99.7%): the normal bounds reached −1.15.
  const d = proportionDiffInterval(85, 94, 0, 94, 0.9967, 1.8, 1);
  assert.equal(d.lo, -1);
  assert.ok(d.hi < -0.5 && d.hi > -0.9, JSON.stringify(d));
  assert.ok(Math.abs(d.point + 85 / 94) < 1e-12);
  const up = proportionDiffInterval(0, 94, 85, 94, 0.9967, 1, 1.8);
  assert.equal(up.hi, 1);
});
